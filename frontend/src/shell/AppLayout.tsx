// App shell: left navigation, top bar with the global controls, page, status bar.
import { AppShell, Group, NavLink, Stack, Text } from '@mantine/core';
import { Link, Outlet, useNavigate, useRouterState, useSearch } from '@tanstack/react-router';
import { useEffect, type ComponentType } from 'react';
import { parseDashboard, stringifySearchRecord, withDashboard, type SearchRecord } from '../state/dashboard';
import { LiveRefresh } from '../live/LiveRefresh';
import { IconDatabase, IconOrganization, IconPerson, IconSettings, IconTeams } from './icons';
import { StatusBar } from './StatusBar';
import { TopBar } from './TopBar';

interface NavItem {
  to: '/organization' | '/individual' | '/teams' | '/data-sources' | '/settings';
  label: string;
  icon: ComponentType<{ size?: number }>;
  /** Pages that show metrics get the date range and filter controls. */
  metricControls: boolean;
  contributorFilter: boolean;
}

export const NAV: NavItem[] = [
  { to: '/organization', label: 'Organization', icon: IconOrganization, metricControls: true, contributorFilter: true },
  // The Individual page picks its one person itself.
  { to: '/individual', label: 'Individual', icon: IconPerson, metricControls: true, contributorFilter: false },
  { to: '/teams', label: 'Teams', icon: IconTeams, metricControls: false, contributorFilter: false },
  { to: '/data-sources', label: 'Data sources', icon: IconDatabase, metricControls: false, contributorFilter: false },
  { to: '/settings', label: 'Settings', icon: IconSettings, metricControls: false, contributorFilter: false },
];

export function AppLayout() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const current = NAV.find((n) => pathname.startsWith(n.to)) ?? NAV[0]!;
  useCanonicalSearch();

  return (
    <AppShell navbar={{ width: 212, breakpoint: 0 }} footer={{ height: 30 }} padding={0}>
      <AppShell.Navbar p="sm" className="navbar">
        <Group gap={8} px={8} pt={4} pb="md">
          <Logo />
          <Text fw={700} fz="lg" lts={-0.2}>
            Momentum
          </Text>
        </Group>
        <Stack gap={2}>
          {NAV.map((n) => (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              // Carry the range and filters along: they are global.
              search
              label={n.label}
              leftSection={<n.icon size={18} />}
              active={n === current}
              data-testid={`nav-${n.to.slice(1)}`}
              variant="light"
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main className="main">
        <TopBar title={current.label} metricControls={current.metricControls} contributorFilter={current.contributorFilter} />
        <div className="page" data-testid={`page-${current.to.slice(1)}`}>
          <Outlet />
        </div>
      </AppShell.Main>
      <AppShell.Footer>
        <StatusBar />
      </AppShell.Footer>
      <LiveRefresh />
    </AppShell>
  );
}

/** Rewrites a hand-edited or stale URL into its normalised form, without a history entry. */
function useCanonicalSearch() {
  const search = useSearch({ strict: false }) as SearchRecord;
  const navigate = useNavigate();
  useEffect(() => {
    const canonical = withDashboard(search, parseDashboard(search));
    if (stringifySearchRecord(canonical) !== stringifySearchRecord(search)) {
      void navigate({ to: '.', search: canonical, replace: true });
    }
  }, [search, navigate]);
}

function Logo() {
  return (
    <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
      <rect width="24" height="24" rx="6" fill="var(--mantine-color-indigo-6)" />
      <path d="M5 16l4-5 3 3 4-6 3 4" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

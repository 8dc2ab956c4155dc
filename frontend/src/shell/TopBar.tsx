// The global controls: date range (presets or custom), compare toggle, filters and grouping.
// Every change goes to the URL through useDashboard; nothing here holds its own copy.
import { Group, Loader, MultiSelect, SegmentedControl, Switch, Text, Title } from '@mantine/core';
import type { DatePickerInputProps } from '@mantine/dates';
import { format } from 'date-fns';
import { lazy, Suspense, type ReactNode } from 'react';
import { usePeople, useRepos, useTeams } from '../api/queries';
import { GROUPINGS, presetDates, RANGE_PRESETS, type DashboardState, type Grouping, type RangePreset } from '../state/dashboard';
import { useDashboard } from '../state/useDashboard';
import { ViewsMenu } from '../views/ViewsMenu';

const CUSTOM = 'custom';

// The date pickers (@mantine/dates and dayjs) load when a custom range is first chosen.
// (A single date: lazy() keeps no generic parameter, so the picker's type is pinned here.)
const DatePickerInput = lazy(() =>
  import('@mantine/dates').then((m) => ({ default: m.DatePickerInput as (props: DatePickerInputProps<'default'>) => ReactNode })),
);

function today(): string {
  return format(new Date(), 'yyyy-MM-dd');
}

export function TopBar({ title, metricControls, contributorFilter }: { title: string; metricControls: boolean; contributorFilter: boolean }) {
  const [state, update] = useDashboard();
  return (
    <div className="topbar" data-testid="topbar">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={2} fz={22} fw={650}>
          {title}
        </Title>
        {metricControls && (
          <Group gap="sm" wrap="wrap">
            <DateRangeControl state={state} update={update} />
            <ViewsMenu />
          </Group>
        )}
      </Group>
      {metricControls && <Filters state={state} update={update} contributorFilter={contributorFilter} />}
    </div>
  );
}

type Update = (patch: Partial<DashboardState>) => void;

function DateRangeControl({ state, update }: { state: DashboardState; update: Update }) {
  const p = state.period;
  const onRange = (v: string) => {
    if (v === CUSTOM) {
      // Start the custom range from what the preset showed, so the pickers are never blank.
      if (p.kind === 'preset') {
        const [from, to] = presetDates(p.range, today());
        update({ period: { kind: 'custom', from, to } });
      }
      return;
    }
    update({ period: { kind: 'preset', range: v as RangePreset } });
  };
  const setFrom = (from: string | null) => {
    if (!from || p.kind !== 'custom') return;
    update({ period: { kind: 'custom', from, to: from > p.to ? from : p.to } });
  };
  const setTo = (to: string | null) => {
    if (!to || p.kind !== 'custom') return;
    update({ period: { kind: 'custom', from: to < p.from ? to : p.from, to } });
  };

  return (
    <Group gap="sm" wrap="wrap">
      <SegmentedControl
        size="xs"
        data-testid="range"
        value={p.kind === 'custom' ? CUSTOM : p.range}
        onChange={onRange}
        data={[...RANGE_PRESETS.map((r) => ({ value: r, label: r })), { value: CUSTOM, label: 'Custom' }]}
        aria-label="Date range"
      />
      {p.kind === 'custom' && (
        <Suspense fallback={<Loader size="xs" aria-label="Loading the date pickers" />}>
          <Group gap={6} wrap="nowrap">
            <DatePickerInput
              size="xs"
              w={132}
              aria-label="From"
              data-testid="range-from"
              value={p.from}
              onChange={setFrom}
              maxDate={today()}
              valueFormat="MMM D, YYYY"
            />
            <Text size="xs" c="dimmed">
              to
            </Text>
            <DatePickerInput
              size="xs"
              w={132}
              aria-label="To"
              data-testid="range-to"
              value={p.to}
              onChange={setTo}
              maxDate={today()}
              valueFormat="MMM D, YYYY"
            />
          </Group>
        </Suspense>
      )}
      <Switch
        size="sm"
        label="Compare with previous period"
        data-testid="compare"
        checked={state.compare}
        onChange={(e) => update({ compare: e.currentTarget.checked })}
      />
    </Group>
  );
}

const GROUP_LABEL: Record<Grouping, string> = { day: 'Day', week: 'Week', month: 'Month' };

/** Options for a MultiSelect, keeping selected values the lists do not know (from a shared URL). */
function withUnknown(options: { value: string; label: string }[], selected: string[], label: (v: string) => string) {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...selected.filter((v) => !known.has(v)).map((v) => ({ value: v, label: label(v) }))];
}

function Filters({ state, update, contributorFilter }: { state: DashboardState; update: Update; contributorFilter: boolean }) {
  const teams = useTeams();
  const repos = useRepos();
  const people = usePeople();

  const teamValues = state.teams.map(String);
  const teamOptions = withUnknown((teams.data ?? []).map((t) => ({ value: String(t.id), label: t.name })), teamValues, (v) => `Team #${v}`);
  const repoOptions = withUnknown((repos.data ?? []).map((r) => ({ value: r.full_name, label: r.full_name })), state.repos, (v) => v);
  const personOptions = withUnknown(
    (people.data ?? []).filter((x) => !x.is_bot).map((x) => ({ value: String(x.id), label: x.name || x.email })),
    state.people,
    (v) => v,
  );

  const common = {
    size: 'xs',
    clearable: true,
    searchable: true,
    maxDropdownHeight: 280,
    nothingFoundMessage: 'No match',
    w: 240,
    // Mantine's 100px minimum for the search field pushes it under a single pill.
    styles: { inputField: { minWidth: 48 } },
  } as const;
  return (
    <Group gap="sm" mt="sm" wrap="wrap" align="center">
      <MultiSelect
        {...common}
        aria-label="Teams"
        data-testid="filter-team"
        placeholder={teamValues.length ? undefined : 'All teams'}
        data={teamOptions}
        value={teamValues}
        onChange={(v) => update({ teams: v.map(Number) })}
      />
      <MultiSelect
        {...common}
        aria-label="Repositories"
        data-testid="filter-repo"
        placeholder={state.repos.length ? undefined : 'All repositories'}
        data={repoOptions}
        value={state.repos}
        onChange={(v) => update({ repos: v })}
      />
      {contributorFilter && (
        <MultiSelect
          {...common}
          aria-label="Contributors"
          data-testid="filter-person"
          placeholder={state.people.length ? undefined : 'All contributors'}
          data={personOptions}
          value={state.people}
          onChange={(v) => update({ people: v })}
        />
      )}
      <Group gap={6} ml="auto" wrap="nowrap">
        <Text size="xs" c="dimmed">
          Group by
        </Text>
        <SegmentedControl
          size="xs"
          data-testid="group"
          value={state.group}
          onChange={(v) => update({ group: v as Grouping })}
          data={GROUPINGS.map((g) => ({ value: g, label: GROUP_LABEL[g] }))}
          aria-label="Group by"
        />
      </Group>
    </Group>
  );
}

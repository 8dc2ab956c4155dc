// The dashboard state as React sees it: read from and written to the URL via the router.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { parseDashboard, withDashboard, type DashboardState, type SearchRecord } from './dashboard';

export function useDashboard(): [DashboardState, (patch: Partial<DashboardState>) => void] {
  const search = useSearch({ strict: false }) as SearchRecord;
  const navigate = useNavigate();
  const state = useMemo(() => parseDashboard(search), [search]);
  const update = useCallback(
    (patch: Partial<DashboardState>) => {
      // Each change is a history entry: Back undoes a filter change.
      void navigate({ to: '.', search: (prev: SearchRecord) => withDashboard(prev, { ...parseDashboard(prev), ...patch }) });
    },
    [navigate],
  );
  return [state, update];
}

/** Whether any filter narrows the data (used to word the empty-state hint). */
export function isFiltered(s: DashboardState): boolean {
  return s.teams.length > 0 || s.repos.length > 0 || s.people.length > 0;
}

// React Query hooks over the typed client. Components use these, never fetch.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { metricQuery, type DashboardState } from '../state/dashboard';
import { api } from './client';

// Lists of repos/teams/people change only when a collection runs: no need to refetch often.
const LIST_STALE_MS = 60_000;

export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => api.health(signal),
    // Every 3 s while dashboard figures are being prepared, so the status bar counts down.
    refetchInterval: (q) => ((q.state.data?.rollups_pending ?? 0) > 0 ? 3_000 : 30_000),
  });
}

export function useMetricList() {
  return useQuery({ queryKey: ['metrics'], queryFn: ({ signal }) => api.metrics(signal), staleTime: Infinity });
}

export function useRepos() {
  return useQuery({ queryKey: ['repos'], queryFn: ({ signal }) => api.repos(signal), staleTime: LIST_STALE_MS });
}

export function useTeams() {
  return useQuery({ queryKey: ['teams'], queryFn: ({ signal }) => api.teams(signal), staleTime: LIST_STALE_MS });
}

export function usePeople() {
  return useQuery({ queryKey: ['people'], queryFn: ({ signal }) => api.people(signal), staleTime: LIST_STALE_MS });
}

export function useCommitPrActivity(state: DashboardState) {
  const query = metricQuery(state);
  return useQuery({
    queryKey: ['metric', 'commit-pr-activity', query.toString()],
    queryFn: ({ signal }) => api.commitPrActivity(query, signal),
    // Keep the last chart on screen while a new range loads, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
}

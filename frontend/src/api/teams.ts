// Teams: named groups of people and repositories; the dashboards' team filter uses them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJSON, sendJSON } from './client';
import type { Team } from './types';

export interface TeamSummary extends Team {
  description: string;
  /** Number of people. */
  members: number;
  /** Number of repositories. */
  repos: number;
}

export interface TeamDetail extends TeamSummary {
  person_ids: number[];
  repo_ids: number[];
}

export interface TeamInput {
  name?: string;
  description?: string;
  person_ids?: number[];
  repo_ids?: number[];
}

export const teamsApi = {
  list: async (signal?: AbortSignal) => (await getJSON<{ teams: TeamSummary[] }>('/teams', undefined, signal)).teams,
  get: (id: number, signal?: AbortSignal) => getJSON<TeamDetail>(`/teams/${id}`, undefined, signal),
  create: (t: TeamInput & { name: string }) => sendJSON<TeamDetail>('POST', '/teams', t),
  update: (id: number, t: TeamInput) => sendJSON<TeamDetail>('PUT', `/teams/${id}`, t),
  remove: (id: number) => sendJSON<void>('DELETE', `/teams/${id}`),
};

/** Same key as useTeams (the filter's list), so a change shows in the filter at once. */
const TEAMS = ['teams'] as const;

export function useTeamSummaries() {
  return useQuery({ queryKey: TEAMS, queryFn: ({ signal }) => teamsApi.list(signal) });
}

export function useTeam(id: number | null) {
  return useQuery({
    queryKey: ['team', id],
    queryFn: ({ signal }) => teamsApi.get(id!, signal),
    enabled: id !== null,
    staleTime: 0,
  });
}

/** After a change: the team lists, the team itself and every metric (a team filter may now mean other people). */
function useInvalidateTeams() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: TEAMS }),
      qc.invalidateQueries({ queryKey: ['team'] }),
      qc.invalidateQueries({ queryKey: ['metric'] }),
    ]);
}

export function useCreateTeam() {
  const invalidate = useInvalidateTeams();
  return useMutation({ mutationFn: teamsApi.create, onSuccess: invalidate });
}

export function useUpdateTeam() {
  const invalidate = useInvalidateTeams();
  return useMutation({ mutationFn: ({ id, ...t }: TeamInput & { id: number }) => teamsApi.update(id, t), onSuccess: invalidate });
}

export function useDeleteTeam() {
  const invalidate = useInvalidateTeams();
  return useMutation({ mutationFn: teamsApi.remove, onSuccess: invalidate });
}

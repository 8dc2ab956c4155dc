// Saved views: a named dashboard configuration (page + URL query) stored on the server, so a
// link by ID restores it for anyone who can reach the server.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJSON, sendJSON } from './client';

export type ViewPage = 'organization' | 'individual';

export interface SavedView {
  id: number;
  name: string;
  slug: string;
  page: ViewPage;
  /** The URL query that restores the view, e.g. "group=week&range=90d&team=1". */
  query: string;
  created_at: number;
  updated_at: number;
}

export interface ViewInput {
  name?: string;
  page?: ViewPage;
  query?: string;
}

export const viewsApi = {
  list: async (signal?: AbortSignal) => (await getJSON<{ views: SavedView[] }>('/views', undefined, signal)).views,
  get: (id: number, signal?: AbortSignal) => getJSON<SavedView>(`/views/${id}`, undefined, signal),
  create: (v: Required<ViewInput>) => sendJSON<SavedView>('POST', '/views', v),
  update: (id: number, v: ViewInput) => sendJSON<SavedView>('PUT', `/views/${id}`, v),
  remove: (id: number) => sendJSON<void>('DELETE', `/views/${id}`),
};

const VIEWS = ['views'] as const;

export function useSavedViews() {
  return useQuery({ queryKey: VIEWS, queryFn: ({ signal }) => viewsApi.list(signal) });
}

/**
 * Looks a view up by ID in a fresh copy of the list: null when there is no such view. (The
 * list, not GET /views/{id}, so that a deleted view is an answer rather than a failed request.)
 */
export function useSavedViewLookup(id: number | null) {
  return useQuery({
    queryKey: [...VIEWS, 'lookup', id],
    queryFn: async ({ signal }) => (await viewsApi.list(signal)).find((v) => v.id === id) ?? null,
    enabled: id !== null,
    staleTime: 0,
    gcTime: 0,
  });
}

export function useCreateView() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: viewsApi.create, onSuccess: () => qc.invalidateQueries({ queryKey: VIEWS }) });
}

export function useUpdateView() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...v }: ViewInput & { id: number }) => viewsApi.update(id, v),
    onSuccess: () => qc.invalidateQueries({ queryKey: VIEWS }),
  });
}

export function useDeleteView() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: viewsApi.remove, onSuccess: () => qc.invalidateQueries({ queryKey: VIEWS }) });
}

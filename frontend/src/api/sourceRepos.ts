// The repositories a hosted source discovered and the user's choice of those it collects
// (backend/api/sourcerepos.go). Excluding one adds its exact name to the source's exclude
// key; including it removes the name (and adds it to the include key when include patterns
// would leave it out). The change goes through the audited configuration service.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJSON, sendJSON } from './client';

/** Why a repository is not collected. */
export type ExclusionReason = 'manual' | 'pattern' | 'source';

export interface SourceRepo {
  id: number;
  full_name: string;
  name: string;
  url: string;
  language: string;
  private: boolean;
  archived: boolean;
  /** Latest commit or update, Unix seconds. */
  last_activity: number | null;
  excluded: boolean;
  reason?: ExclusionReason;
}

export interface SourceRepos {
  source: string;
  include_key: string;
  exclude_key: string;
  include: string[];
  exclude: string[];
  /** What else than the patterns excludes a repository (reason "source"), e.g. "its visibility filter or owners". */
  derived_by?: string;
  repositories: SourceRepo[];
}

export const sourceReposApi = {
  list: (id: string, signal?: AbortSignal) => getJSON<SourceRepos>(`/sources/${encodeURIComponent(id)}/repositories`, undefined, signal),
  setExcluded: (id: string, repo: number, excluded: boolean) =>
    sendJSON<SourceRepo>('PUT', `/sources/${encodeURIComponent(id)}/repositories/${repo}`, { excluded }),
};

/** `version` changes when the source's configuration or runs do, so the list follows them. */
export function useSourceRepos(id: string, version: string) {
  return useQuery({ queryKey: ['source-repos', id, version], queryFn: ({ signal }) => sourceReposApi.list(id, signal) });
}

export function useSetRepoExcluded(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ repo, excluded }: { repo: number; excluded: boolean }) => sourceReposApi.setExcluded(id, repo, excluded),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['source-repos', id] }),
        qc.invalidateQueries({ queryKey: ['sources'] }),
        qc.invalidateQueries({ queryKey: ['audit'] }),
        qc.invalidateQueries({ queryKey: ['repos'] }),
        qc.invalidateQueries({ queryKey: ['metric'] }), // the dashboards leave excluded repositories out
      ]),
  });
}

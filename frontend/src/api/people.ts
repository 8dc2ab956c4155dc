// People and their accounts (backend/api/people.go), "who is me", and the local git
// source's first-run setup: scan for repositories, configure, collect.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchJSON, sendJSON } from './client';

export interface PersonRecord {
  id: number;
  name: string;
  email: string;
  is_bot: boolean;
  is_me: boolean;
  /** How many accounts the person has. */
  accounts: number;
}

export interface Account {
  id: number;
  person_id: number;
  /** git, github, gitlab, jira … */
  source: string;
  external_id: string;
  login: string;
  email: string;
  name: string;
  is_bot: boolean;
}

export interface MeSuggestion {
  person: PersonRecord;
  /** The user's emails this person has an account with. */
  emails: string[];
}

export interface MeState {
  /** The person marked "me", or null. */
  person: PersonRecord | null;
  suggestions: MeSuggestion[];
  /** The user's known emails: the git source's GIT_AUTHOR_EMAILS ("config") and `git config user.email` ("git"). */
  emails: { email: string; from: 'config' | 'git' }[];
  /** Some data source has configuration. */
  configured: boolean;
  /** The local git source is in this build. */
  git_source: boolean;
  /** The API serves the desktop app (one user), not a team's `momentum serve`. */
  desktop: boolean;
}

export interface Discovery {
  repositories: { path: string; name: string }[];
  /** `git config user.email` and the emails set in the found repositories. */
  emails: string[];
  /** The scan hit its time limit: the list is what was found until then. */
  truncated?: boolean;
  /** Paths that could not be scanned (missing, unreadable), beside what was found. */
  errors?: string[];
}

export interface RunRecord {
  id: number;
  source: string;
  script: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  items: number;
  error: string;
}

/** The git source's configuration keys (backend/source/git). */
export const GIT_KEYS = { repos: 'GIT_REPOS', depth: 'GIT_SCAN_DEPTH', emails: 'GIT_AUTHOR_EMAILS' } as const;

export const peopleApi = {
  people: async (signal?: AbortSignal) => (await fetchJSON<{ people: PersonRecord[] }>('/people', undefined, signal)).people,
  accounts: async (signal?: AbortSignal) => (await fetchJSON<{ accounts: Account[] }>('/accounts', undefined, signal)).accounts,
  me: (signal?: AbortSignal) => fetchJSON<MeState>('/people/me', undefined, signal),
  setMe: async (personId: number) => (await sendJSON<{ person: PersonRecord }>('PUT', '/people/me', { person_id: personId })).person,
  merge: async (into: number, from: number) => (await sendJSON<{ person: PersonRecord }>('POST', `/people/${into}/merge`, { from })).person,
  split: async (accountId: number) => (await sendJSON<{ person: PersonRecord }>('POST', `/accounts/${accountId}/split`)).person,
  discover: (paths: string[], depth: number) => sendJSON<Discovery>('POST', '/sources/git/discover', { paths, depth }),
  configureGit: (values: Record<string, string>) => sendJSON<unknown>('PUT', '/sources/git/config', { values }),
  collect: async (sources: string[]) => (await sendJSON<{ collection: string }>('POST', '/collect', { sources })).collection,
  runs: async (source: string, limit: number, signal?: AbortSignal) =>
    (await fetchJSON<{ runs: RunRecord[] }>('/runs', new URLSearchParams({ source, limit: String(limit) }), signal)).runs,
};

const STALE_MS = 60_000;

export function usePeopleList() {
  return useQuery({ queryKey: ['people'], queryFn: ({ signal }) => peopleApi.people(signal), staleTime: STALE_MS });
}

export function useAccounts(enabled = true) {
  return useQuery({ queryKey: ['accounts'], queryFn: ({ signal }) => peopleApi.accounts(signal), staleTime: STALE_MS, enabled });
}

export function useMe() {
  return useQuery({ queryKey: ['people', 'me'], queryFn: ({ signal }) => peopleApi.me(signal), staleTime: STALE_MS });
}

/** After a change to people, everything that names a person may have moved. */
function useInvalidatePeople() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ['people'] });
    void client.invalidateQueries({ queryKey: ['accounts'] });
    void client.invalidateQueries({ queryKey: ['metric'] });
  };
}

export function useSetMe() {
  const invalidate = useInvalidatePeople();
  return useMutation({ mutationFn: (personId: number) => peopleApi.setMe(personId), onSuccess: invalidate });
}

export function useMergePeople() {
  const invalidate = useInvalidatePeople();
  return useMutation({ mutationFn: ({ into, from }: { into: number; from: number }) => peopleApi.merge(into, from), onSuccess: invalidate });
}

export function useSplitAccount() {
  const invalidate = useInvalidatePeople();
  return useMutation({ mutationFn: (accountId: number) => peopleApi.split(accountId), onSuccess: invalidate });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Configures the git source with the chosen repositories and emails, starts a collection of
 * it and waits until its commit script has finished (polling the run history). Resolves to
 * that run; rejects with the server's message when a step fails.
 */
export async function setUpGit(
  opts: { paths: string[]; emails: string[]; depth?: number; pollMs?: number; timeoutMs?: number },
  onStep?: (step: 'configure' | 'collect' | 'wait') => void,
): Promise<RunRecord> {
  const { paths, emails, pollMs = 700, timeoutMs = 10 * 60_000 } = opts;
  onStep?.('configure');
  // An empty value is refused (a key is removed, not emptied): send the emails only when given.
  const values: Record<string, string> = { [GIT_KEYS.repos]: paths.join(',') };
  if (emails.length) values[GIT_KEYS.emails] = emails.join(',');
  if (opts.depth !== undefined) values[GIT_KEYS.depth] = String(opts.depth);
  await peopleApi.configureGit(values);
  // Runs made from here on are ours: remember the newest id before starting.
  const before = Math.max(0, ...(await peopleApi.runs('git', 1)).map((r) => r.id));
  onStep?.('collect');
  await peopleApi.collect(['git']);
  onStep?.('wait');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await peopleApi.runs('git', 20)).filter((r) => r.id > before);
    const failed = runs.find((r) => r.finished_at !== null && r.error);
    if (failed) throw new Error(`Reading the repositories failed (${failed.script}): ${failed.error}`);
    const commits = runs.find((r) => r.script === 'commit' && r.finished_at !== null);
    if (commits) return commits;
    if (Date.now() > deadline) throw new Error('Reading the repositories takes long: it goes on in the background; see Data sources for progress.');
    await sleep(pollMs);
  }
}

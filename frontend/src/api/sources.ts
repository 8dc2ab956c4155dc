// Data sources, their configuration, collections, runs, the audit log and the collection
// settings (backend/api/collect.go). Secrets never come back from the server: a set secret
// reads as MASK, and sending MASK back keeps it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { API_BASE, getJSON, sendJSON } from './client';
import { shareEventStream, type OpenEventSource, type StreamState } from './eventStream';

/** What the server shows for a secret that is set (source.Mask). */
export const MASK = '********';

export type KeyKind = 'text' | 'url' | 'list' | 'enum' | 'number';
export type SourceCategory = 'vcs' | 'cicd' | 'project-management' | 'code-quality' | 'cloud';

export interface SourceKey {
  name: string;
  label: string;
  help: string;
  kind: KeyKind;
  required: boolean;
  secret: boolean;
  default?: string;
  options?: string[];
}

export interface SourceScript {
  name: string;
  provides: string[] | null;
  depends_on: string[] | null;
}

export interface ConfigValue {
  key: string;
  /** MASK for a secret that is set. */
  value: string;
  secret: boolean;
  set: boolean;
  default?: string;
  updated_at?: number;
}

export interface SourceConfigView {
  source: string;
  name: string;
  /** Some key is set. */
  configured: boolean;
  /** Every required key set and every value valid: the source is collected. */
  complete: boolean;
  problems: string[];
  values: ConfigValue[];
}

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED';

/** One run of one script. Instants are Unix seconds. */
export interface Run {
  id: number;
  source: string;
  script: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  window_start: number | null;
  window_end: number | null;
  last_fetched_at: number | null;
  items: number;
  requests: number;
  error: string;
  owner: string;
}

export interface SourceInfo {
  id: string;
  name: string;
  category: SourceCategory;
  description: string;
  keys: SourceKey[];
  scripts: SourceScript[];
  config: SourceConfigView;
  /** The latest run of each script, by script name. */
  last_runs: Record<string, Run>;
}

export interface SourceList {
  sources: SourceInfo[];
  /** Where new secrets go: "keychain", "aesgcm", or "" when none is available. */
  secret_store: string;
}

export interface CollectSettings {
  cron: string;
  /** RFC 3339; absent when no scheduler runs in this server. */
  next_run?: string;
  history_days: number;
  /** 0: keep everything. */
  retention_days: number;
  secret_store: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  via: string;
  action: string;
  source: string;
  key: string;
  detail: string;
}

export type CollectEventType = 'planned' | 'started' | 'progress' | 'finished' | 'done';

/** Live progress of a collection (GET /collect/events, Server-Sent Events). */
export interface CollectEvent {
  type: CollectEventType;
  collection: string;
  source?: string;
  script?: string;
  /** RUNNING, COMPLETED, FAILED, SKIPPED, RUNNING_ELSEWHERE, COLLECTED_ELSEWHERE. */
  status?: string;
  items: number;
  requests: number;
  error?: string;
  total?: number;
  via?: string;
  at: string;
}

/** The answer of a connection test. */
export interface TestResult {
  ok: boolean;
  /** What a successful test saw, e.g. "3 repositories: api, web, cli" (empty when the source says nothing). */
  found?: string;
  error?: string;
}

export const sourcesApi = {
  list: (signal?: AbortSignal) => getJSON<SourceList>('/sources', undefined, signal),
  save: (id: string, values: Record<string, string>) =>
    sendJSON<SourceConfigView>('PUT', `/sources/${encodeURIComponent(id)}/config`, { values }),
  unset: (id: string, key: string) =>
    sendJSON<SourceConfigView>('DELETE', `/sources/${encodeURIComponent(id)}/config/${encodeURIComponent(key)}`),
  test: (id: string, values: Record<string, string>) =>
    sendJSON<TestResult>('POST', `/sources/${encodeURIComponent(id)}/test`, { values }),
  reset: (id: string) => sendJSON<{ reset: string }>('POST', `/sources/${encodeURIComponent(id)}/reset`),
  collect: (body: { sources?: string[]; full?: boolean; since?: string }) =>
    sendJSON<{ collection: string }>('POST', '/collect', body),
  runs: async (source: string, limit: number, signal?: AbortSignal) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (source) q.set('source', source);
    return (await getJSON<{ runs: Run[] }>('/runs', q, signal)).runs;
  },
  audit: async (limit: number, signal?: AbortSignal) =>
    (await getJSON<{ audit: AuditEntry[] }>('/audit', new URLSearchParams({ limit: String(limit) }), signal)).audit,
  settings: (signal?: AbortSignal) => getJSON<CollectSettings>('/settings/collect', undefined, signal),
  saveSettings: (s: Partial<Pick<CollectSettings, 'cron' | 'history_days' | 'retention_days'>>) =>
    sendJSON<CollectSettings>('PUT', '/settings/collect', s),
  /** The next runs of a schedule, or why it is not one (`error`). */
  cronPreview: (expr: string, signal?: AbortSignal) =>
    getJSON<{ next_runs: string[]; error?: string }>('/settings/collect/cron', new URLSearchParams({ expr }), signal),
};

const SOURCES = ['sources'] as const;

export function useSources() {
  return useQuery({ queryKey: SOURCES, queryFn: ({ signal }) => sourcesApi.list(signal) });
}

export function useRuns(source = '', limit = 50) {
  return useQuery({ queryKey: ['runs', source, limit], queryFn: ({ signal }) => sourcesApi.runs(source, limit, signal) });
}

export function useAudit(limit = 100) {
  return useQuery({ queryKey: ['audit', limit], queryFn: ({ signal }) => sourcesApi.audit(limit, signal) });
}

export function useCollectSettings() {
  return useQuery({ queryKey: ['settings', 'collect'], queryFn: ({ signal }) => sourcesApi.settings(signal) });
}

/** The next runs of a schedule not saved yet, or what is wrong with it. */
export function useCronPreview(expr: string) {
  return useQuery({
    queryKey: ['cron-preview', expr],
    queryFn: ({ signal }) => sourcesApi.cronPreview(expr, signal),
    enabled: expr.trim() !== '',
    retry: false,
    staleTime: 30_000,
  });
}

/** After a change: the source list, runs and the audit log (every change is audited). */
function useInvalidateCollection() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: SOURCES }),
      qc.invalidateQueries({ queryKey: ['runs'] }),
      qc.invalidateQueries({ queryKey: ['audit'] }),
    ]);
}

export function useSaveSourceConfig(id: string) {
  const invalidate = useInvalidateCollection();
  return useMutation({
    mutationFn: async ({ set, unset }: { set: Record<string, string>; unset: string[] }) => {
      let view: SourceConfigView | undefined;
      if (Object.keys(set).length > 0) view = await sourcesApi.save(id, set);
      for (const key of unset) view = await sourcesApi.unset(id, key);
      return view;
    },
    onSettled: invalidate,
  });
}

export function useTestSource(id: string) {
  return useMutation({ mutationFn: (values: Record<string, string>) => sourcesApi.test(id, values) });
}

export function useResetSource(id: string) {
  const invalidate = useInvalidateCollection();
  return useMutation({ mutationFn: () => sourcesApi.reset(id), onSettled: invalidate });
}

export function useStartCollection() {
  const invalidate = useInvalidateCollection();
  return useMutation({
    mutationFn: (body: { sources?: string[]; full?: boolean }) => sourcesApi.collect(body),
    onSettled: invalidate,
  });
}

export function useSaveCollectSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: sourcesApi.saveSettings,
    onSuccess: (s) => qc.setQueryData(['settings', 'collect'], s),
    onSettled: () => qc.invalidateQueries({ queryKey: ['audit'] }),
  });
}

/** A script of a running (or just finished) collection, as the events tell it. */
export interface LiveScript {
  source: string;
  script: string;
  status: string;
  items: number;
  requests: number;
  error?: string;
}

export interface LiveCollection {
  /** The events stream is open. */
  connected: boolean;
  /** Where the events stream stands (reconnecting after a break, and when it retries). */
  stream: StreamState;
  /** A collection is under way. */
  running: boolean;
  /** Scripts of the current or last collection, in the order they started. */
  scripts: LiveScript[];
}

/** The event types of /collect/events (besides ready and ping). */
export const COLLECT_EVENT_TYPES: readonly CollectEventType[] = ['planned', 'started', 'progress', 'finished', 'done'];
export const COLLECT_EVENTS_URL = `${API_BASE}/collect/events`;

/** Folds one event into the live state. */
export function applyEvent(state: LiveCollection, ev: CollectEvent): LiveCollection {
  switch (ev.type) {
    case 'planned':
      return { ...state, running: true, scripts: [] };
    case 'done':
      return { ...state, running: false };
    default: {
      if (!ev.source || !ev.script) return state;
      const status = ev.type === 'finished' ? (ev.status ?? 'FINISHED') : 'RUNNING';
      const next: LiveScript = {
        source: ev.source,
        script: ev.script,
        status,
        items: ev.items,
        requests: ev.requests,
        error: ev.error,
      };
      const i = state.scripts.findIndex((s) => s.source === ev.source && s.script === ev.script);
      const scripts = i < 0 ? [...state.scripts, next] : state.scripts.map((s, j) => (j === i ? next : s));
      return { ...state, running: true, scripts };
    }
  }
}

/**
 * Follows GET /collect/events while mounted. When a script or a collection finishes, the
 * source list, runs and audit log are refetched.
 */
export function useCollectEvents(open?: OpenEventSource): LiveCollection {
  const [state, setState] = useState<LiveCollection>({
    connected: false,
    stream: { status: 'connecting', failures: 0 },
    running: false,
    scripts: [],
  });
  const invalidate = useInvalidateCollection();
  const invalidateRef = useRef(invalidate);
  invalidateRef.current = invalidate;
  useEffect(() => {
    const events: Record<string, (data: string) => void> = {};
    for (const type of COLLECT_EVENT_TYPES) {
      events[type] = (data) => {
        let ev: CollectEvent;
        try {
          ev = JSON.parse(data) as CollectEvent;
        } catch {
          return;
        }
        setState((s) => applyEvent(s, ev));
        if (type === 'finished' || type === 'done') void invalidateRef.current();
      };
    }
    return shareEventStream({
      url: COLLECT_EVENTS_URL,
      types: COLLECT_EVENT_TYPES,
      open,
      events,
      onState: (stream) => setState((s) => ({ ...s, stream, connected: stream.status === 'live' })),
      // Scripts may have finished while the stream was away: refetch runs and sources.
      onReconnected: () => void invalidateRef.current(),
    });
  }, [open]);
  return state;
}

// The only module that calls fetch. Same-origin relative URLs: `momentum serve` and the
// Wails AssetServer both answer /api/v1 next to the assets.
import type { CommitPrActivity, Health, MetricList, MetricResult, Person, Repo, Team } from './types';

export const API_BASE = '/api/v1';

/** A failed API call. `message` is what the user should read; status 0 means no answer at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly path: string;

  constructor(status: number, message: string, path: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
  }
}

/** GET of a JSON document under /api/v1. */
export async function getJSON<T>(path: string, query?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const qs = query?.toString();
  return request<T>(`${API_BASE}${path}${qs ? `?${qs}` : ''}`, path, { headers: { Accept: 'application/json' }, signal });
}

/** POST/PUT/DELETE with a JSON body; resolves to the answer's JSON, or undefined for 204 No Content. */
export async function sendJSON<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  return request<T>(`${API_BASE}${path}`, path, init);
}

/** GET of a JSON document for the modules beside this one (people, views, teams). */
export const fetchJSON = getJSON;

async function request<T>(url: string, path: string, init: RequestInit): Promise<T> {
  const signal = init.signal ?? undefined;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (signal?.aborted) throw err; // let react-query see its own cancellation
    throw new ApiError(0, `Cannot reach the Momentum server (${errorText(err)})`, path);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message =
      isErrorBody(body) ? body.error : `${res.status} ${res.statusText || 'error'} from ${API_BASE}${path}`;
    throw new ApiError(res.status, message, path);
  }
  if (res.status === 204) return undefined as T;
  if (body === undefined) {
    throw new ApiError(res.status, `The server sent a response that is not JSON for ${API_BASE}${path}`, path);
  }
  return body as T;
}

function isErrorBody(b: unknown): b is { error: string } {
  return typeof b === 'object' && b !== null && typeof (b as { error?: unknown }).error === 'string' && (b as { error: string }).error !== '';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const api = {
  health: (signal?: AbortSignal) => getJSON<Health>('/health', undefined, signal),
  metrics: (signal?: AbortSignal) => getJSON<MetricList>('/metrics', undefined, signal),
  metric: <R extends MetricResult<unknown, unknown, unknown>>(id: string, query: URLSearchParams, signal?: AbortSignal) =>
    getJSON<R>(`/metrics/${encodeURIComponent(id)}`, query, signal),
  /** One page of the items behind a metric's figure (drill-down). */
  metricItems: <R>(id: string, query: URLSearchParams, signal?: AbortSignal) =>
    getJSON<R>(`/metrics/${encodeURIComponent(id)}/items`, query, signal),
  commitPrActivity: (query: URLSearchParams, signal?: AbortSignal) =>
    api.metric<CommitPrActivity>('commit-pr-activity', query, signal),
  repos: async (signal?: AbortSignal) => (await getJSON<{ repos: Repo[] }>('/repos', undefined, signal)).repos,
  teams: async (signal?: AbortSignal) => (await getJSON<{ teams: Team[] }>('/teams', undefined, signal)).teams,
  people: async (signal?: AbortSignal) => (await getJSON<{ people: Person[] }>('/people', undefined, signal)).people,
};

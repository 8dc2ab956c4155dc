// The global dashboard state (date range, comparison, filters, grouping) lives in the URL's
// search params so that a copied URL shares the view and a reload restores it.
//
//   #/organization?range=30d&compare=1&repo=acme/api,acme/web&team=2&person=5&group=week
//   #/organization?from=2026-01-01&to=2026-01-31&group=month
//
// Parsing never throws: anything unknown or malformed falls back to the default.
import type { Grouping } from '../api/types';

export const RANGE_PRESETS = ['7d', '30d', '60d', '90d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export type { Grouping };
export const GROUPINGS: readonly Grouping[] = ['day', 'week', 'month'];

export type Period = { kind: 'preset'; range: RangePreset } | { kind: 'custom'; from: string; to: string };

export interface DashboardState {
  period: Period;
  compare: boolean;
  /** Team IDs. */
  teams: number[];
  /** Repository full names, e.g. "acme/api" (GitLab subgroups may have more slashes). */
  repos: string[];
  /** Person IDs or emails; the server resolves either. */
  people: string[];
  group: Grouping;
}

export const DEFAULT_RANGE: RangePreset = '30d';

export const DEFAULT_STATE: DashboardState = {
  period: { kind: 'preset', range: DEFAULT_RANGE },
  compare: false,
  teams: [],
  repos: [],
  people: [],
  group: 'day',
};

/** The search params as the router holds them: flat strings, exactly what the URL says. */
export type SearchRecord = Record<string, string | undefined>;

// A shared URL is user input: cap list lengths so a pasted monster cannot blow up a request.
const MAX_LIST = 100;
const MAX_CUSTOM_DAYS = 366 * 5;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const REPO_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const ID_RE = /^[1-9]\d{0,14}$/; // stays exact as a JS number
const EMAIL_RE = /^[^\s@,]+@[^\s@,]+$/;
const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

/** Returns the date if it is a real calendar date in YYYY-MM-DD form, else null. */
export function validDate(s: string | undefined): string | null {
  if (!s) return null;
  const m = DATE_RE.exec(s.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  if (y < 1970 || y > 2999) return null;
  return m[0];
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The previous equal-length period of an inclusive [from, to] range. */
export function previousPeriod(from: string, to: string): [string, string] {
  const len = daysBetween(from, to) + 1;
  return [addDays(from, -len), addDays(from, -1)];
}

/** The inclusive [from, to] a preset covers when it ends on `today` (used to prefill custom). */
export function presetDates(range: RangePreset, today: string): [string, string] {
  return [addDays(today, 1 - Number.parseInt(range, 10)), today];
}

function splitList(raw: string | undefined): string[] {
  if (!raw) return [];
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const v = part.trim();
    if (v && !seen.has(v)) seen.add(v);
    if (seen.size >= MAX_LIST) break;
  }
  return [...seen];
}

function parsePeriod(p: SearchRecord): Period {
  const from = validDate(p.from);
  const to = validDate(p.to);
  if (from && to) {
    // A reversed range is almost certainly a typo: swap rather than discard it.
    const [a, b] = from <= to ? [from, to] : [to, from];
    if (daysBetween(a, b) <= MAX_CUSTOM_DAYS) return { kind: 'custom', from: a, to: b };
  }
  const range = (p.range ?? '').trim().toLowerCase();
  if ((RANGE_PRESETS as readonly string[]).includes(range)) return { kind: 'preset', range: range as RangePreset };
  return { kind: 'preset', range: DEFAULT_RANGE };
}

/** URL search params → state. Never throws; bad values fall back to defaults. */
export function parseDashboard(p: SearchRecord): DashboardState {
  const group = (p.group ?? '').trim().toLowerCase();
  return {
    period: parsePeriod(p),
    compare: TRUE_VALUES.has((p.compare ?? '').trim().toLowerCase()),
    teams: splitList(p.team)
      .filter((t) => ID_RE.test(t))
      .map(Number),
    repos: splitList(p.repo).filter((r) => REPO_RE.test(r)),
    people: splitList(p.person).filter((x) => ID_RE.test(x) || EMAIL_RE.test(x)),
    group: (GROUPINGS as readonly string[]).includes(group) ? (group as Grouping) : 'day',
  };
}

/** The search-param keys the dashboard owns; others in the URL are left alone. */
export const DASHBOARD_KEYS = ['range', 'from', 'to', 'compare', 'team', 'repo', 'person', 'group'] as const;

/** State → canonical URL search params (range or from/to and group always; the rest only when set). */
export function serialiseDashboard(s: DashboardState): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.period.kind === 'custom') {
    out.from = s.period.from;
    out.to = s.period.to;
  } else {
    out.range = s.period.range;
  }
  if (s.compare) out.compare = '1';
  if (s.repos.length) out.repo = s.repos.join(',');
  if (s.teams.length) out.team = s.teams.join(',');
  if (s.people.length) out.person = s.people.join(',');
  out.group = s.group;
  return out;
}

/** Replaces the dashboard's keys in a search record, keeping any others. */
export function withDashboard(search: SearchRecord, s: DashboardState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(search)) {
    if (v !== undefined && !(DASHBOARD_KEYS as readonly string[]).includes(k)) out[k] = v;
  }
  return { ...out, ...serialiseDashboard(s) };
}

/** The query string the REST API takes for GET /api/v1/metrics/{id}. */
export function metricQuery(s: DashboardState): URLSearchParams {
  const q = new URLSearchParams();
  if (s.period.kind === 'custom') {
    q.set('from', s.period.from);
    q.set('to', s.period.to);
  } else {
    q.set('range', s.period.range);
  }
  if (s.compare) q.set('compare', 'true');
  if (s.repos.length) q.set('repo', s.repos.join(','));
  if (s.teams.length) q.set('team', s.teams.join(','));
  if (s.people.length) q.set('person', s.people.join(','));
  q.set('group', s.group);
  return q;
}

// The router's (de)serialisers. The default TanStack ones JSON-encode values (team=%222%22);
// these keep the URL readable: plain strings, with "/", ",", ":" and "@" left unescaped
// (all legal in a query component) so repo and email lists read as typed.
export function parseSearchString(searchStr: string): SearchRecord {
  const out: SearchRecord = {};
  const params = new URLSearchParams(searchStr.startsWith('?') ? searchStr.slice(1) : searchStr);
  for (const [k, v] of params) out[k] = v;
  return out;
}

export function stringifySearchRecord(search: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(search)) {
    if (v === undefined || v === null || v === '') continue;
    const value = typeof v === 'string' ? v : String(v);
    parts.push(`${encodeQueryPart(k)}=${encodeQueryPart(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function encodeQueryPart(s: string): string {
  return encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

// Types for Momentum's REST API (/api/v1). The Go handlers in backend/api implement the
// same contract; keep the two in step.

export type Engine = 'embedded-postgres' | 'sqlite' | 'postgres';

export interface Health {
  status: string;
  version: string;
  engine: Engine;
  data_dir: string;
  /** Masked database location (no password). */
  database: string;
  /** Why the app is running degraded, e.g. the SQLite fallback; empty when all is well. */
  notice: string;
  /** Days of pre-aggregated dashboard figures still to fill (after an upgrade); 0 when ready. */
  rollups_pending: number;
}

export type MetricView = 'organization' | 'individual';
export type MetricFamily = 'delivery' | 'operational' | 'quality' | 'contribution' | 'collaboration' | 'patterns';

export interface MetricInfo {
  id: string;
  title: string;
  view: MetricView;
  family: MetricFamily;
  description: string;
  available: boolean;
}

export interface MetricList {
  metrics: MetricInfo[];
}

export type Grouping = 'day' | 'week' | 'month';

/** Shape shared by every GET /api/v1/metrics/{id} answer. */
export interface MetricResult<Summary, Point, Tables = Record<string, never>> {
  metric: string;
  /** Inclusive, YYYY-MM-DD. */
  from: string;
  /** Inclusive, YYYY-MM-DD. */
  to: string;
  group: Grouping;
  summary: Summary;
  /** Same keys as summary, for the previous equal-length period; only with compare. */
  previous?: Summary;
  series: Point[];
  /** Only with compare: same length as series, aligned by index. */
  previous_series?: Point[];
  tables?: Tables;
}

export interface CountBucket {
  bucket: string;
  count: number;
}

export interface CommitPrSummary {
  commits: number;
  prs_opened: number;
  prs_merged: number;
  prs_closed_unmerged: number;
  /** 0–1: merged ÷ (merged + closed unmerged). Null when nothing was decided in the range. */
  merge_rate: number | null;
  time_to_merge_mean_hours: number | null;
  time_to_merge_median_hours: number | null;
  time_to_merge_p75_hours: number | null;
  time_to_merge_p95_hours: number | null;
}

export interface CommitPrPoint {
  /** First day of the bucket, YYYY-MM-DD. */
  bucket: string;
  commits: number;
  prs_opened: number;
  prs_merged: number;
}

export interface CommitPrTables {
  /** XS, S, M, L, XL (lines changed: <10, <50, <250, <1000, ≥1000). */
  pr_size: CountBucket[];
  /** <1h, 1-4h, 4-24h, 1-3d, 3-7d, >7d. */
  time_to_merge: CountBucket[];
}

export type CommitPrActivity = MetricResult<CommitPrSummary, CommitPrPoint, CommitPrTables>;

export interface Repo {
  id: number;
  full_name: string;
  source: string;
}

export interface Team {
  id: number;
  name: string;
}

export interface Person {
  id: number;
  name: string;
  email: string;
  is_bot: boolean;
}

/** Body of every non-2xx answer. */
export interface ErrorBody {
  error: string;
}

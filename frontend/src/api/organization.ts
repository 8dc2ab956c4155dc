// Types and hooks for the Organization metrics beyond commit-pr-activity. The Go compute
// functions in backend/metric (deployments.go, cycletime.go, wip.go, pipeline*.go,
// reviewquality.go) implement the same contract; keep the two in step. A summary figure
// with nothing to measure (a rate of nothing, a median of no values) is null.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { metricQuery, type DashboardState } from '../state/dashboard';
import { api } from './client';
import type { CountBucket, MetricResult } from './types';

type Num = number | null;
/** name_mean_<unit>, name_median_<unit>, name_p75_<unit>, name_p95_<unit>. */
type Dist<N extends string, U extends string> = Record<`${N}_${'mean' | 'median' | 'p75' | 'p95'}_${U}`, Num>;

export interface Stat {
  count: number;
  mean: number;
  median: number;
  p75: number;
  p95: number;
}

// deployments ---------------------------------------------------------------------------

export type DeploymentsSummary = {
  deployments: number;
  failed_deployments: number;
  deploy_days: number;
  deployments_per_day: number;
  deployments_per_week: number;
  deployments_per_month: number;
  prs_deployed: number;
  /** 4 elite, 3 high, 2 medium, 1 low, 0 nothing to rate. */
  deployment_frequency_tier: number;
  lead_time_tier: number;
} & Dist<'release_cycle_time' | 'commit_to_merge' | 'merge_to_production', 'hours'>;

export interface DeploymentsPoint {
  bucket: string;
  deployments: number;
  failed_deployments: number;
  lead_time_median_hours: Num;
}

export type DoraTier = 'elite' | 'high' | 'medium' | 'low' | 'none';

export interface DoraRating {
  tier: DoraTier;
  rank: number;
  value: number;
  unit: string;
  rule: string;
}

export interface DeploymentsTables {
  dora: { deployment_frequency: DoraRating; lead_time: DoraRating };
  lead_time_stages: (Stat & { stage: string; label: string })[];
  release_cycle_time: CountBucket[];
}

export type Deployments = MetricResult<DeploymentsSummary, DeploymentsPoint, DeploymentsTables>;

// cycle-time ------------------------------------------------------------------------------

export type CycleStage = 'coding' | 'pickup' | 'review' | 'deploy';

export type CycleTimeSummary = {
  prs: number;
  merged_without_review: number;
  prs_deployed: number;
  bottleneck_share: Num;
} & Dist<'cycle_time' | CycleStage, 'hours'>;

export type CycleTimePoint = { bucket: string; prs: number; cycle_time_median_hours: Num } & Record<`${CycleStage}_hours`, Num>;

export interface StageStat extends Stat {
  stage: CycleStage;
  label: string;
  share: number;
  bottleneck: boolean;
}

export interface CycleTimeTables {
  stages: StageStat[];
  bottleneck: { stage: CycleStage; label: string; share: number } | null;
  cycle_time: CountBucket[];
  by_repo: { repo: string; prs: number; hours: Record<CycleStage, Num> }[];
}

export type CycleTime = MetricResult<CycleTimeSummary, CycleTimePoint, CycleTimeTables>;

// wip ---------------------------------------------------------------------------------------

export type WipStatus = 'drafts' | 'waiting_for_review' | 'in_review' | 'approved';

export type WipSummary = {
  open_prs: number;
  active_branches: number;
  active_authors: number;
  open_prs_per_active_author: Num;
} & Record<WipStatus, number> &
  Dist<'age', 'hours'>;

export type WipPoint = { bucket: string; open_prs: number } & Record<WipStatus, number>;

export interface OpenPR {
  repo: string;
  number: number;
  title: string;
  url: string;
  author: string;
  age_hours: number;
  status: string;
}

export interface WipTables {
  status: { status: WipStatus; label: string; count: number }[];
  age: CountBucket[];
  oldest: OpenPR[];
  by_author: { person: string; open_prs: number }[];
  /** RFC 3339: the instant the state is taken at. */
  as_of: string;
}

export type Wip = MetricResult<WipSummary, WipPoint, WipTables>;

// pipeline-success -----------------------------------------------------------------------------

export interface PipelineSuccessSummary {
  runs: number;
  successes: number;
  failures: number;
  cancelled: number;
  success_rate: Num;
  success_rate_7d: Num;
  success_rate_30d: Num;
  success_rate_90d: Num;
  flip_rate: Num;
  stability_score: Num;
}

export interface PipelineSuccessPoint {
  bucket: string;
  runs: number;
  successes: number;
  failures: number;
  success_rate: Num;
  rolling_30d_success_rate: Num;
}

export interface PipelineSuccessTables {
  /** 7 × 24 cells, weekday 0 = Monday, hours UTC. */
  failures_heatmap: { weekday: number; hour: number; failures: number; runs: number }[];
  by_weekday: { weekday: string; runs: number; successes: number; failures: number; success_rate: Num }[];
  windows: { window: string; runs: number; success_rate: Num }[];
}

export type PipelineSuccess = MetricResult<PipelineSuccessSummary, PipelineSuccessPoint, PipelineSuccessTables>;

// pipeline-duration ----------------------------------------------------------------------------

export interface PipelineDurationSummary {
  runs: number;
  duration_mean_minutes: Num;
  duration_median_minutes: Num;
  duration_p75_minutes: Num;
  duration_p95_minutes: Num;
  duration_p99_minutes: Num;
}

export interface PipelineDurationPoint {
  bucket: string;
  runs: number;
  mean_minutes: Num;
  p50_minutes: Num;
  p95_minutes: Num;
  p99_minutes: Num;
}

export interface StepDuration {
  stage: string;
  step?: string;
  runs: number;
  mean_minutes: number;
  per_run_minutes: number;
}

export interface BoxPlot {
  name: string;
  runs: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  outliers: number;
}

export interface SlowPipeline {
  repo: string;
  pipeline: string;
  url: string;
  runs: number;
  mean_minutes: number;
  p50_minutes: number;
  p95_minutes: number;
  max_minutes: number;
}

export interface PipelineDurationTables {
  by_stage: StepDuration[];
  by_step: StepDuration[];
  /** Minutes per successful run in each stage, per bucket; keys are stage_names. */
  stage_series: Record<string, string | Num>[];
  stage_names: string[];
  box_plot: BoxPlot[];
  slowest: SlowPipeline[];
}

export type PipelineDuration = MetricResult<PipelineDurationSummary, PipelineDurationPoint, PipelineDurationTables>;

// pipeline-failures ----------------------------------------------------------------------------

export type PipelineFailuresSummary = {
  runs: number;
  failures: number;
  failure_rate: Num;
  recoveries: number;
  unrecovered: number;
} & Dist<'mttr', 'hours'>;

export interface PipelineFailuresPoint {
  bucket: string;
  runs: number;
  failures: number;
  failure_rate: Num;
}

export interface StageFailures {
  stage: string;
  step?: string;
  jobs: number;
  failures: number;
  failure_rate: number;
}

export interface FailingJob {
  repo: string;
  pipeline: string;
  job: string;
  runs: number;
  failures: number;
  failure_rate: number;
  last_failure: string;
  last_run_url: string;
}

export interface PipelineFailuresTables {
  by_stage: StageFailures[];
  by_step: StageFailures[];
  top_reasons: { reason: string; count: number; share: number }[];
  failing_jobs: FailingJob[];
  by_event: { event: string; runs: number; failures: number; failure_rate: number }[];
  mttr: CountBucket[];
}

export type PipelineFailures = MetricResult<PipelineFailuresSummary, PipelineFailuresPoint, PipelineFailuresTables>;

// review-quality -------------------------------------------------------------------------------

export type ReviewQualitySummary = {
  prs: number;
  comments: number;
  comments_per_pr_mean: Num;
  comments_per_pr_median: Num;
  comments_per_pr_p75: Num;
  comments_per_pr_p95: Num;
  review_comments_per_pr: Num;
  reviews_per_pr: Num;
  review_depth: Num;
  no_review_rate: Num;
  no_comment_rate: Num;
  approval_rate: Num;
  approvals_per_pr: Num;
  review_threads: number;
  resolution_rate: Num;
} & Dist<'resolution', 'hours'>;

export interface ReviewQualityPoint {
  bucket: string;
  prs: number;
  comments_per_pr: Num;
  no_review_rate: Num;
  no_comment_rate: Num;
}

export interface ReviewQualityTables {
  depth: CountBucket[];
  approvals: CountBucket[];
  resolution: CountBucket[];
  reviewers: { person: string; reviews: number; approvals: number; prs: number }[];
}

export type ReviewQuality = MetricResult<ReviewQualitySummary, ReviewQualityPoint, ReviewQualityTables>;

// hooks ------------------------------------------------------------------------------------------

export interface OrganizationMetrics {
  deployments: Deployments;
  'cycle-time': CycleTime;
  wip: Wip;
  'pipeline-success': PipelineSuccess;
  'pipeline-duration': PipelineDuration;
  'pipeline-failures': PipelineFailures;
  'review-quality': ReviewQuality;
}

export type OrganizationMetricId = keyof OrganizationMetrics;

/** One Organization metric for the dashboard state; the last answer stays while the next loads. */
export function useOrganizationMetric<K extends OrganizationMetricId>(id: K, state: DashboardState) {
  const query = metricQuery(state);
  return useQuery({
    queryKey: ['metric', id, query.toString()],
    queryFn: ({ signal }) => api.metric<OrganizationMetrics[K]>(id, query, signal),
    placeholderData: keepPreviousData,
  });
}

// drill-down -------------------------------------------------------------------------------------

/** localtime: a time already written in its author's own zone ("Wed 4 Mar 07:30 +05:30"). */
export type ItemColumnType = 'text' | 'datetime' | 'localtime' | 'hours' | 'minutes' | 'count' | 'status' | 'url';

export interface ItemColumn {
  key: string;
  label: string;
  type: ItemColumnType;
}

/** One page of GET /api/v1/metrics/{id}/items. */
export interface MetricItems {
  metric: string;
  kind: string;
  label: string;
  from: string;
  to: string;
  columns: ItemColumn[];
  items: Record<string, string | number | null>[];
  total: number;
  limit: number;
  offset: number;
}

/** What a click on a chart asks for: the metric, what to list, the bucket's days and any narrowing. */
export interface DrillTarget {
  metric: string;
  kind?: string;
  from: string;
  to: string;
  /** Pipeline runs in one cell of the hour × weekday heatmap (UTC). */
  weekday?: number;
  hour?: number;
  /** Open pull requests in one WIP status. */
  status?: string;
  /** One repository (a table row, a heatmap row): replaces the repository filter. */
  repo?: string;
  /** The Individual view's person: replaces the people filter. */
  person?: string;
  /** Pipeline runs of one pipeline (by name), with one failed (top-level) job, or one in a stage. */
  pipeline?: string;
  job?: string;
  stage?: string;
  /** Failed runs that give this failure reason. */
  reason?: string;
  /** Commits or pull requests of one size bar (XS … XL by lines changed). */
  size?: string;
  /** Commits that changed a file of this language. */
  language?: string;
  /** One bar of a histogram (time to merge, cycle time, age of open PRs), e.g. "1-4h". */
  bar?: string;
  /** What the drawer's title says, e.g. "Commits · Mon 3 Nov". */
  title: string;
}

/** The narrowings of a drill target that travel as query parameters under their own name. */
const NARROWINGS = ['kind', 'status', 'repo', 'person', 'pipeline', 'job', 'stage', 'reason', 'size', 'language', 'bar'] as const;

export const ITEMS_PAGE_SIZE = 25;

/** The items query: the dashboard's filters with the bucket's days and the drill's narrowing. */
export function itemsQuery(state: DashboardState, t: DrillTarget, page: number): URLSearchParams {
  const q = metricQuery(state);
  for (const k of ['range', 'compare', 'group']) q.delete(k);
  q.set('from', t.from);
  q.set('to', t.to);
  for (const k of NARROWINGS) if (t[k]) q.set(k, t[k]);
  if (t.weekday !== undefined) q.set('weekday', String(t.weekday));
  if (t.hour !== undefined) q.set('hour', String(t.hour));
  q.set('limit', String(ITEMS_PAGE_SIZE));
  q.set('offset', String(page * ITEMS_PAGE_SIZE));
  return q;
}

export function useMetricItems(state: DashboardState, target: DrillTarget | null, page: number) {
  const query = target ? itemsQuery(state, target, page) : undefined;
  return useQuery({
    queryKey: ['items', target?.metric, query?.toString()],
    queryFn: ({ signal }) => api.metricItems<MetricItems>(target!.metric, query!, signal),
    enabled: !!target,
    placeholderData: keepPreviousData,
  });
}

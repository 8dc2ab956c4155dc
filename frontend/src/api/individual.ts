// Types and hooks for the six Individual metrics. The Go compute functions in backend/metric
// (person.go, personprs.go, personpatterns.go) implement the same contract; keep the two in
// step. A figure with nothing to measure (a rate of nothing, a median of no values) is null.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { metricQuery, type DashboardState } from '../state/dashboard';
import { api } from './client';
import type { CountBucket, MetricResult } from './types';

type Num = number | null;
type Dist<N extends string> = Record<`${N}_${'mean' | 'median' | 'p75' | 'p95'}_hours`, Num>;

// person-commits ----------------------------------------------------------------------------

export interface PersonCommitsSummary {
  commits: number;
  active_days: number;
  merge_commits: number;
  commits_per_day: number;
  commits_per_week: number;
  commits_per_active_day: Num;
  current_streak_days: number;
  longest_streak_days: number;
  calendar_commits: number;
  calendar_active_days: number;
  commit_size_mean_lines: Num;
  commit_size_median_lines: Num;
  commit_size_p95_lines: Num;
}

export interface PersonCommitsPoint {
  bucket: string;
  commits: number;
  active_days: number;
}

export interface CalendarDay {
  /** YYYY-MM-DD, the author's local day. */
  day: string;
  commits: number;
}

export interface PersonCommitsTables {
  /** 365 (or 366) days ending on the range's last day. */
  calendar: CalendarDay[];
  /** XS, S, M, L, XL by lines added + removed. */
  commit_size: CountBucket[];
}

export type PersonCommits = MetricResult<PersonCommitsSummary, PersonCommitsPoint, PersonCommitsTables>;

// person-code -------------------------------------------------------------------------------

export interface PersonCodeSummary {
  commits: number;
  files_changed: number;
  languages: number;
  lines_added: number;
  lines_removed: number;
  lines_net: number;
  lines_changed: number;
  repositories: number;
  top_repository_share: Num;
}

export interface PersonCodePoint {
  bucket: string;
  lines_added: number;
  lines_removed: number;
  lines_net: number;
}

export interface LanguageShare {
  language: string;
  added: number;
  removed: number;
  lines: number;
  share: number;
}

export interface RepositoryShare {
  repository: string;
  commits: number;
  lines_added: number;
  lines_removed: number;
  share: number;
  lines_share: number;
}

export interface PersonCodeTables {
  languages: LanguageShare[];
  repositories: RepositoryShare[];
}

export type PersonCode = MetricResult<PersonCodeSummary, PersonCodePoint, PersonCodeTables>;

// person-mrs --------------------------------------------------------------------------------

export type PersonMRsSummary = {
  prs_opened: number;
  prs_merged: number;
  prs_closed_unmerged: number;
  success_rate: Num;
  size_mean_lines: Num;
  size_median_lines: Num;
  size_mean_files: Num;
  iterations_mean: Num;
  iterations_median: Num;
} & Dist<'time_to_merge'>;

export interface PersonMRsPoint {
  bucket: string;
  prs_opened: number;
  prs_merged: number;
  prs_closed: number;
  success_rate: Num;
}

export interface PersonMRsTables {
  size: CountBucket[];
  iterations: CountBucket[];
}

export type PersonMRs = MetricResult<PersonMRsSummary, PersonMRsPoint, PersonMRsTables>;

// person-reviews ----------------------------------------------------------------------------

export type PersonReviewsSummary = {
  reviews: number;
  prs_reviewed: number;
  approvals: number;
  changes_requested: number;
  commented: number;
  review_comments: number;
  comments_per_reviewed_pr: Num;
  /** 0–100, documented formula (catalog). */
  thoroughness_score: Num;
  thoroughness_engagement: Num;
  thoroughness_depth: Num;
} & Dist<'time_to_first_review' | 'response_time'>;

export interface PersonReviewsPoint {
  bucket: string;
  reviews: number;
  review_comments: number;
  time_to_first_review_median_hours: Num;
  response_time_median_hours: Num;
}

export interface PersonReviewsTables {
  states: CountBucket[];
  time_to_first_review: CountBucket[];
  response_time: CountBucket[];
}

export type PersonReviews = MetricResult<PersonReviewsSummary, PersonReviewsPoint, PersonReviewsTables>;

// person-reception --------------------------------------------------------------------------

export type PersonReceptionSummary = {
  reviews_received: number;
  reviewers: number;
  comments_received: number;
  comments_addressed: number;
  comments_resolved: number;
  addressed_rate: Num;
  resolution_rate: Num;
  prs_merged: number;
  review_rounds: number;
  iteration_efficiency: Num;
  reviews_given: number;
  reciprocity: Num;
  reviewer_breadth: Num;
  /** 0–100, documented formula (catalog). */
  collaboration_score: Num;
} & Dist<'time_to_address'>;

export interface PersonReceptionPoint {
  bucket: string;
  reviews_received: number;
  comments_received: number;
  comments_addressed: number;
  time_to_address_median_hours: Num;
}

export interface PersonReceptionTables {
  reviewers: { reviewer: string; reviews: number; comments: number }[];
  time_to_address: CountBucket[];
}

export type PersonReception = MetricResult<PersonReceptionSummary, PersonReceptionPoint, PersonReceptionTables>;

// person-patterns ---------------------------------------------------------------------------

export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

export interface PersonPatternsSummary {
  commits: number;
  active_days: number;
  focus_sessions: number;
  focus_hours: number;
  focus_hours_per_week: Num;
  focus_session_mean_hours: Num;
  focus_session_median_hours: Num;
  focus_session_p75_hours: Num;
  focus_session_p95_hours: Num;
  longest_focus_session_hours: Num;
  context_switches: number;
  context_switches_per_active_day: Num;
}

export interface PersonPatternsPoint {
  bucket: string;
  commits: number;
  focus_sessions: number;
  focus_hours: number;
  context_switches: number;
}

export interface PersonPatternsTables {
  /** 7 × 24 cells, weekday × hour of the author's local time. */
  heatmap: { weekday: Weekday; hour: number; commits: number }[];
  weekdays: { weekday: Weekday; commits: number; share: number }[];
  rhythm: { hour: number; commits: number; share: number; per_active_day: number }[];
  /** <1h, 1-2h, 2-4h, 4-6h, ≥6h. */
  focus_sessions: CountBucket[];
}

export type PersonPatterns = MetricResult<PersonPatternsSummary, PersonPatternsPoint, PersonPatternsTables>;

// hooks -------------------------------------------------------------------------------------

export interface IndividualMetrics {
  'person-commits': PersonCommits;
  'person-code': PersonCode;
  'person-mrs': PersonMRs;
  'person-reviews': PersonReviews;
  'person-reception': PersonReception;
  'person-patterns': PersonPatterns;
}

export type IndividualMetricId = keyof IndividualMetrics;

export const INDIVIDUAL_METRIC_IDS: IndividualMetricId[] = [
  'person-commits',
  'person-code',
  'person-mrs',
  'person-reviews',
  'person-reception',
  'person-patterns',
];

/** The query of an Individual metric: the dashboard's range and filters, about one person. */
export function individualQuery(state: DashboardState, person: string | null): URLSearchParams {
  const q = metricQuery({ ...state, people: person ? [person] : [] });
  return q;
}

/** One Individual metric for one person; disabled until a person is known. */
export function useIndividualMetric<K extends IndividualMetricId>(id: K, state: DashboardState, person: string | null) {
  const query = individualQuery(state, person);
  return useQuery({
    queryKey: ['metric', id, query.toString()],
    queryFn: ({ signal }) => api.metric<IndividualMetrics[K]>(id, query, signal),
    enabled: person !== null,
    placeholderData: keepPreviousData,
  });
}

// Small, hand-made answers of the six Individual metrics for tests: figures chosen so that
// each expected value in the tests can be checked by eye.
import type { IndividualMetricId, IndividualMetrics, PersonCode, PersonCommits, PersonMRs, PersonPatterns, PersonReception, PersonReviews } from '../../api/individual';
import type { MetricInfo } from '../../api/types';

export const REVIEWS_DESCRIPTION =
  'Reviews the person gave on others\u2019 pull requests, by submission time: reviews per bucket and by state; ' +
  'time to first review = the person\u2019s first review of a PR \u2212 the PR\u2019s ready-for-review time (opened, or out of draft), hours; ' +
  'thoroughness (0\u2013100) = 100 \u00d7 (engagement + depth) \u00f7 2 over the PRs reviewed in the range, engagement = share with at least one review comment of theirs, depth = min(1, their review comments per PR \u00f7 3).';

export const RECEPTION_DESCRIPTION =
  'Reviews the person\u2019s own pull requests received from others (bots left out): review comments that start a thread, reviews and reviewers; ' +
  'iteration efficiency = merged PRs \u00f7 their review rounds (at least one each; 1 = every PR merged after one round); ' +
  'collaboration score (0\u2013100) = 100 \u00d7 mean of the defined parts: addressed rate, reviewer breadth = min(1, distinct reviewers \u00f7 3), reciprocity = min(1, reviews given \u00f7 reviews received).';

export const CATALOG: MetricInfo[] = [
  { id: 'person-commits', title: 'Commits', view: 'individual', family: 'contribution', description: 'One person\u2019s commits.', available: true },
  { id: 'person-code', title: 'Code contribution', view: 'individual', family: 'contribution', description: 'Lines added, removed and net.', available: true },
  { id: 'person-mrs', title: 'Pull requests', view: 'individual', family: 'contribution', description: 'Pull requests as author.', available: true },
  { id: 'person-reviews', title: 'Reviews given', view: 'individual', family: 'collaboration', description: REVIEWS_DESCRIPTION, available: true },
  { id: 'person-reception', title: 'Reviews received', view: 'individual', family: 'collaboration', description: RECEPTION_DESCRIPTION, available: true },
  { id: 'person-patterns', title: 'Work patterns', view: 'individual', family: 'patterns', description: 'Local-time patterns.', available: true },
];

const BUCKETS = ['2026-11-20', '2026-11-21', '2026-11-22'];
const PREV_BUCKETS = ['2026-11-17', '2026-11-18', '2026-11-19'];

function range<S, P extends { bucket: string }>(metric: string, summary: S, points: Omit<P, 'bucket'>[], compare: boolean, previous: S) {
  const series = points.map((p, i) => ({ ...p, bucket: BUCKETS[i]! }) as P);
  return {
    metric,
    from: BUCKETS[0]!,
    to: BUCKETS[2]!,
    group: 'day' as const,
    summary,
    series,
    ...(compare && { previous, previous_series: points.map((p, i) => ({ ...p, bucket: PREV_BUCKETS[i]! }) as P) }),
  };
}

/** A year of days ending 2026-11-22: commits on the last three days and on 2026-03-01. */
export function calendarYear(): { day: string; commits: number }[] {
  const out: { day: string; commits: number }[] = [];
  const end = Date.UTC(2026, 10, 22);
  for (let i = 364; i >= 0; i--) {
    const day = new Date(end - i * 86_400_000).toISOString().slice(0, 10);
    const commits = day === '2026-11-22' ? 8 : day === '2026-11-21' ? 3 : day === '2026-11-20' ? 1 : day === '2026-03-01' ? 2 : 0;
    out.push({ day, commits });
  }
  return out;
}

export function personCommits(compare: boolean, empty = false): PersonCommits {
  const summary = {
    commits: empty ? 0 : 12,
    active_days: empty ? 0 : 3,
    merge_commits: 1,
    commits_per_day: 4,
    commits_per_week: 28,
    commits_per_active_day: 4,
    current_streak_days: empty ? 0 : 3,
    longest_streak_days: empty ? 0 : 3,
    calendar_commits: empty ? 0 : 14,
    calendar_active_days: empty ? 0 : 4,
    commit_size_mean_lines: 30,
    commit_size_median_lines: 12,
    commit_size_p95_lines: 90,
  };
  return {
    ...range('person-commits', summary, empty ? [{ commits: 0, active_days: 0 }] : [{ commits: 1, active_days: 1 }, { commits: 3, active_days: 1 }, { commits: 8, active_days: 1 }], compare, {
      ...summary,
      commits: 6,
      current_streak_days: 1,
    }),
    tables: {
      calendar: empty ? calendarYear().map((d) => ({ ...d, commits: 0 })) : calendarYear(),
      commit_size: ['XS', 'S', 'M', 'L', 'XL'].map((bucket, i) => ({ bucket, count: empty ? 0 : 5 - i })),
    },
  };
}

export function personPatterns(compare: boolean): PersonPatterns {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
  const heatmap = days.flatMap((weekday) => Array.from({ length: 24 }, (_, hour) => ({ weekday, hour, commits: weekday === 'Tue' && hour === 9 ? 5 : weekday === 'Sun' && hour === 23 ? 1 : 0 })));
  const summary = {
    commits: 6,
    active_days: 2,
    focus_sessions: 3,
    focus_hours: 4.5,
    focus_hours_per_week: 10.5,
    focus_session_mean_hours: 1.5,
    focus_session_median_hours: 1,
    focus_session_p75_hours: 2,
    focus_session_p95_hours: 2.5,
    longest_focus_session_hours: 2.5,
    context_switches: 2,
    context_switches_per_active_day: 1,
  };
  return {
    ...range('person-patterns', summary, [{ commits: 5, focus_sessions: 2, focus_hours: 3, context_switches: 1 }, { commits: 0, focus_sessions: 0, focus_hours: 0, context_switches: 0 }, { commits: 1, focus_sessions: 1, focus_hours: 1.5, context_switches: 1 }], compare, summary),
    tables: {
      heatmap,
      weekdays: days.map((weekday) => ({ weekday, commits: weekday === 'Tue' ? 5 : weekday === 'Sun' ? 1 : 0, share: weekday === 'Tue' ? 5 / 6 : weekday === 'Sun' ? 1 / 6 : 0 })),
      rhythm: Array.from({ length: 24 }, (_, hour) => ({ hour, commits: hour === 9 ? 5 : hour === 23 ? 1 : 0, share: 0, per_active_day: hour === 9 ? 2.5 : hour === 23 ? 0.5 : 0 })),
      focus_sessions: ['<1h', '1-2h', '2-4h', '4-6h', '≥6h'].map((bucket, i) => ({ bucket, count: i < 2 ? 1 + i : 0 })),
    },
  };
}

/** Every Individual metric's answer for a request URL (compare from its query). */
export function individualAnswer(id: IndividualMetricId, url: URL, emptyCommits = false): IndividualMetrics[IndividualMetricId] {
  const compare = url.searchParams.get('compare') === 'true';
  switch (id) {
    case 'person-commits':
      return personCommits(compare, emptyCommits);
    case 'person-patterns':
      return personPatterns(compare);
    case 'person-code': {
      const s = { commits: 12, files_changed: 20, languages: 2, lines_added: 300, lines_removed: 100, lines_net: 200, lines_changed: 400, repositories: 2, top_repository_share: 0.75 };
      return {
        ...range('person-code', s, [{ lines_added: 100, lines_removed: 20, lines_net: 80 }, { lines_added: 50, lines_removed: 30, lines_net: 20 }, { lines_added: 150, lines_removed: 50, lines_net: 100 }], compare, { ...s, lines_added: 150 }),
        tables: {
          languages: [
            { language: 'Go', added: 250, removed: 50, lines: 300, share: 0.75 },
            { language: 'TypeScript', added: 50, removed: 50, lines: 100, share: 0.25 },
          ],
          repositories: [
            { repository: 'acme/api', commits: 9, lines_added: 250, lines_removed: 60, share: 0.75, lines_share: 0.775 },
            { repository: 'acme/web', commits: 3, lines_added: 50, lines_removed: 40, share: 0.25, lines_share: 0.225 },
          ],
        },
      } as PersonCode;
    }
    case 'person-mrs': {
      const s = {
        prs_opened: 4, prs_merged: 3, prs_closed_unmerged: 1, success_rate: 0.75, size_mean_lines: 120, size_median_lines: 80, size_mean_files: 4, iterations_mean: 1.5, iterations_median: 1,
        time_to_merge_mean_hours: 10, time_to_merge_median_hours: 6, time_to_merge_p75_hours: 12, time_to_merge_p95_hours: 20,
      };
      return {
        ...range('person-mrs', s, [{ prs_opened: 2, prs_merged: 1, prs_closed: 0, success_rate: 1 }, { prs_opened: 0, prs_merged: 0, prs_closed: 0, success_rate: null }, { prs_opened: 2, prs_merged: 2, prs_closed: 1, success_rate: 2 / 3 }], compare, { ...s, success_rate: 0.5 }),
        tables: { size: ['XS', 'S', 'M', 'L', 'XL'].map((bucket) => ({ bucket, count: 1 })), iterations: ['0', '1', '2', '3', '4+'].map((bucket) => ({ bucket, count: 1 })) },
      } as PersonMRs;
    }
    case 'person-reviews': {
      const s = {
        reviews: 5, prs_reviewed: 4, approvals: 3, changes_requested: 1, commented: 1, review_comments: 6, comments_per_reviewed_pr: 1.5, thoroughness_score: 62.5, thoroughness_engagement: 0.75, thoroughness_depth: 0.5,
        time_to_first_review_mean_hours: 3, time_to_first_review_median_hours: 2, time_to_first_review_p75_hours: 4, time_to_first_review_p95_hours: 6,
        response_time_mean_hours: 5, response_time_median_hours: 4, response_time_p75_hours: 6, response_time_p95_hours: 9,
      };
      return {
        ...range('person-reviews', s, [{ reviews: 2, review_comments: 3, time_to_first_review_median_hours: 2, response_time_median_hours: 4 }, { reviews: 0, review_comments: 0, time_to_first_review_median_hours: null, response_time_median_hours: null }, { reviews: 3, review_comments: 3, time_to_first_review_median_hours: 1.5, response_time_median_hours: 3 }], compare, { ...s, thoroughness_score: 50 }),
        tables: { states: [], time_to_first_review: [], response_time: [] },
      } as PersonReviews;
    }
    case 'person-reception': {
      const s = {
        reviews_received: 6, reviewers: 3, comments_received: 8, comments_addressed: 6, comments_resolved: 4, addressed_rate: 0.75, resolution_rate: 0.5, prs_merged: 3, review_rounds: 4, iteration_efficiency: 0.75,
        reviews_given: 5, reciprocity: 0.8333, reviewer_breadth: 1, collaboration_score: 86.1, time_to_address_mean_hours: 5, time_to_address_median_hours: 3, time_to_address_p75_hours: 6, time_to_address_p95_hours: 10,
      };
      return {
        ...range('person-reception', s, [{ reviews_received: 3, comments_received: 4, comments_addressed: 3, time_to_address_median_hours: 2 }, { reviews_received: 0, comments_received: 0, comments_addressed: 0, time_to_address_median_hours: null }, { reviews_received: 3, comments_received: 4, comments_addressed: 3, time_to_address_median_hours: 4 }], compare, s),
        tables: { reviewers: [], time_to_address: [] },
      } as PersonReception;
    }
  }
}

import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommitPrActivity } from '../../api/types';
import { renderApp, stubApi } from '../../test/render';

vi.mock('../../charts/EChart');

// The router loads each page on first visit (a dynamic import): load this one before the tests,
// as the static import did, so that its first render does not pay for transforming the module.
beforeAll(() => import('./Organization'), 60_000);

const summary = {
  commits: 812,
  prs_opened: 120,
  prs_merged: 101,
  prs_closed_unmerged: 9,
  merge_rate: 0.918,
  time_to_merge_mean_hours: 30.2,
  time_to_merge_median_hours: 18.5,
  time_to_merge_p75_hours: 40.1,
  time_to_merge_p95_hours: 110,
};

function activity(url: URL): [number, CommitPrActivity] {
  const compare = url.searchParams.get('compare') === 'true';
  const series = [
    { bucket: '2026-10-25', commits: 31, prs_opened: 4, prs_merged: 3 },
    { bucket: '2026-10-26', commits: 12, prs_opened: 1, prs_merged: 2 },
  ];
  return [
    200,
    {
      metric: 'commit-pr-activity',
      from: '2026-10-25',
      to: '2026-10-26',
      group: 'day',
      summary,
      series,
      tables: {
        pr_size: ['XS', 'S', 'M', 'L', 'XL'].map((bucket, i) => ({ bucket, count: i + 1 })),
        time_to_merge: ['<1h', '1-4h', '4-24h', '1-3d', '3-7d', '>7d'].map((bucket) => ({ bucket, count: 2 })),
      },
      ...(compare && {
        previous: { ...summary, commits: 700, merge_rate: 0.9, time_to_merge_median_hours: 21 },
        previous_series: series.map((p, i) => ({ ...p, bucket: `2026-10-2${3 + i}` })),
      }),
    },
  ];
}

const base = {
  '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/home/u/.config/Momentum', database: 'sqlite', notice: 'embedded PostgreSQL could not start: PostgreSQL refuses to run as root — using SQLite' },
  '/api/v1/metrics': {
    metrics: [
      { id: 'commit-pr-activity', title: 'Commit & PR activity', view: 'organization', family: 'delivery', description: 'Commits per bucket.', available: true },
      { id: 'cycle-time', title: 'Cycle time', view: 'organization', family: 'delivery', description: 'Per merged PR.', available: false },
    ],
  },
  '/api/v1/repos': { repos: [{ id: 1, full_name: 'acme/api', source: 'github' }] },
  '/api/v1/teams': { teams: [{ id: 2, name: 'Platform' }] },
  '/api/v1/people': { people: [{ id: 5, name: 'Ada Lovelace', email: 'ada@acme.dev', is_bot: false }] },
};

afterEach(() => vi.unstubAllGlobals());

// The first render pays for module loading, on a machine that may be busy.
describe('Organization page', { timeout: 30_000 }, () => {
  it('shows the summary cards, deltas and ghost series when comparing', async () => {
    const calls = stubApi({ ...base, '/api/v1/metrics/commit-pr-activity': activity });
    renderApp('/organization?range=30d&compare=1&team=2&group=day');

    // The first render pays for module loading: allow it time.
    const commits = await screen.findByTestId('summary-commits', {}, { timeout: 5000 });
    expect(within(commits).getByTestId('value-commits').textContent).toBe('812');
    // 812 vs 700: +16.0%, good.
    expect(within(commits).getByTestId('delta-commits').textContent).toContain('+16.0%');
    expect(within(commits).getByTestId('delta-commits').dataset.good).toBe('true');
    expect(screen.getByTestId('value-merge_rate').textContent).toBe('91.8%');
    expect(screen.getByTestId('delta-merge_rate').textContent).toContain('+1.8 pp');
    // Median time to merge fell from 21 h to 18.5 h: an improvement.
    expect(screen.getByTestId('value-time_to_merge_median_hours').textContent).toBe('18.5 h');
    expect(screen.getByTestId('delta-time_to_merge_median_hours').textContent).toContain('−2.5 h');
    expect(screen.getByTestId('delta-time_to_merge_median_hours').dataset.good).toBe('true');

    const chart = screen.getByTestId('commits-chart');
    expect(chart.dataset.state).toBe('ready');
    expect(chart.dataset.points).toBe('2');
    expect(within(chart).getByTestId('echart').dataset.seriesNames).toBe(
      'Commits|PRs opened|PRs merged|Commits (previous period)|PRs opened (previous period)|PRs merged (previous period)',
    );
    expect(screen.getByTestId('pr-size-chart').dataset.state).toBe('ready');
    expect(screen.getByTestId('time-to-merge-chart').dataset.state).toBe('ready');

    // The URL state reached the API.
    const q = calls.find((u) => u.pathname.endsWith('/commit-pr-activity'))!.searchParams;
    expect(Object.fromEntries(q)).toEqual({ range: '30d', compare: 'true', team: '2', group: 'day' });

    // The status bar shows the engine and the notice.
    expect((await screen.findByTestId('status-engine')).textContent).toBe('SQLite');
    expect(screen.getByTestId('status-notice').textContent).toContain('refuses to run as root');
  });

  it('shows no deltas and no ghost series without compare', async () => {
    stubApi({ ...base, '/api/v1/metrics/commit-pr-activity': activity });
    renderApp('/organization?range=7d');
    await screen.findByTestId('summary-commits');
    expect(screen.queryByTestId('delta-commits')).toBeNull();
    expect(within(screen.getByTestId('commits-chart')).getByTestId('echart').dataset.seriesNames).toBe('Commits|PRs opened|PRs merged');
  });

  it('says what to do when there is no activity', async () => {
    stubApi({
      ...base,
      '/api/v1/metrics/commit-pr-activity': (url: URL) => {
        const [, body] = activity(url);
        return [200, { ...body, series: body.series.map((p) => ({ ...p, commits: 0, prs_opened: 0, prs_merged: 0 })) }];
      },
    });
    renderApp('/organization');
    const chart = await screen.findByTestId('commits-chart');
    await waitFor(() => expect(chart.dataset.state).toBe('empty'));
    expect(chart.dataset.points).toBe('0');
    expect(chart.textContent).toContain('No commits or pull requests in this range');
    expect(chart.textContent).toContain('momentum demo');
    expect(within(chart).getByRole('link', { name: 'configure a data source' }).getAttribute('href')).toContain('/data-sources');
  });

  it('shows the server error in the panel', async () => {
    stubApi({ ...base, '/api/v1/metrics/commit-pr-activity': () => [400, { error: 'from (2026-02-01) is after to (2026-01-01)' }] });
    renderApp('/organization');
    const chart = await screen.findByTestId('commits-chart');
    await waitFor(() => expect(chart.dataset.state).toBe('error'));
    expect(within(chart).getByRole('alert').textContent).toContain('from (2026-02-01) is after to (2026-01-01)');
  });
});

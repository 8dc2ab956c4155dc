import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EChartProps } from '../../charts/EChart';
import { renderApp, stubApi, type Routes } from '../../test/render';
import cycleTime from './testdata/cycle-time.json';
import deploymentItems from './testdata/deployments-items.json';
import deployments from './testdata/deployments.json';
import pipelineDuration from './testdata/pipeline-duration.json';
import pipelineFailures from './testdata/pipeline-failures.json';
import pipelineSuccess from './testdata/pipeline-success.json';
import reviewQuality from './testdata/review-quality.json';
import wip from './testdata/wip.json';

// Answers recorded from `momentum serve` on demo data (2026-10-26..11-22, weekly, compared).
vi.mock('../../charts/EChart');

const emptyActivity = {
  metric: 'commit-pr-activity',
  from: '2026-10-26',
  to: '2026-11-22',
  group: 'week',
  summary: { commits: 0, prs_opened: 0, prs_merged: 0, prs_closed_unmerged: 0, merge_rate: null, time_to_merge_mean_hours: null, time_to_merge_median_hours: null, time_to_merge_p75_hours: null, time_to_merge_p95_hours: null },
  series: [{ bucket: '2026-10-26', commits: 0, prs_opened: 0, prs_merged: 0 }],
  tables: { pr_size: [], time_to_merge: [] },
};

/** A recorded answer, without the previous period unless the request compares. */
function recorded(body: { previous?: unknown; previous_series?: unknown }) {
  return (url: URL): [number, unknown] => {
    if (url.searchParams.get('compare') === 'true') return [200, body];
    const { previous: _p, previous_series: _ps, ...rest } = body;
    return [200, rest];
  };
}

const routes: Routes = {
  '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '' },
  '/api/v1/metrics': {
    metrics: [
      { id: 'deployments', title: 'Deployments', view: 'organization', family: 'delivery', description: 'Production deployments.', available: true },
      { id: 'infra-costs', title: 'Infrastructure costs', view: 'organization', family: 'operational', description: 'Costs.', available: false },
    ],
  },
  '/api/v1/repos': { repos: [] },
  '/api/v1/teams': { teams: [] },
  '/api/v1/people': { people: [] },
  '/api/v1/metrics/commit-pr-activity': emptyActivity,
  '/api/v1/metrics/deployments': recorded(deployments),
  '/api/v1/metrics/cycle-time': recorded(cycleTime),
  '/api/v1/metrics/wip': recorded(wip),
  '/api/v1/metrics/pipeline-success': recorded(pipelineSuccess),
  '/api/v1/metrics/pipeline-duration': recorded(pipelineDuration),
  '/api/v1/metrics/pipeline-failures': recorded(pipelineFailures),
  '/api/v1/metrics/review-quality': recorded(reviewQuality),
  '/api/v1/metrics/deployments/items': deploymentItems,
};

// happy-dom never reports intersections: render lazy panels at once.
class SeesEverything {
  constructor(private cb: (e: { isIntersecting: boolean }[]) => void) {}
  observe() {
    this.cb([{ isIntersecting: true }]);
  }
  disconnect() {}
}

beforeEach(() => vi.stubGlobal('IntersectionObserver', SeesEverything));
afterEach(() => vi.unstubAllGlobals());

function chartOf(testId: string) {
  return within(screen.getByTestId(`${testId}-chart`)).getByTestId('echart') as HTMLElement & { __onEvents?: EChartProps['onEvents'] };
}

// Many panels render per test, on a machine that may be busy: allow them time.
describe('Organization sections', { timeout: 60_000 }, () => {
  it('Delivery: every panel with its numbers, DORA tiers beside them, deltas and ghost series', async () => {
    const calls = stubApi(routes);
    renderApp('/organization?from=2026-10-26&to=2026-11-22&group=week&compare=1');
    await waitFor(() => expect(screen.getByTestId('deployments-chart').dataset.state).toBe('ready'), { timeout: 20_000 });
    // 18 deployments against 20: −10.0%, worse.
    expect(screen.getByTestId('value-deployments').textContent).toBe('18');
    expect(screen.getByTestId('delta-deployments').textContent).toContain('−10.0%');
    expect(screen.getByTestId('delta-deployments').dataset.good).toBe('false');
    expect(screen.getByTestId('dora-deployment-frequency').dataset.tier).toBe('high');
    expect(screen.getByTestId('dora-deployment-frequency').textContent).toContain('4.5 per week');
    expect(screen.getByTestId('dora-lead-time').textContent).toContain('3.1 d (median)');
    expect(chartOf('deployments').dataset.seriesNames).toBe(
      'Successful|Failed|Lead time (median)|Deployments (rolling average)|Deployments (trend)|Successful (previous period)|Lead time (median) (previous period)',
    );
    for (const id of ['release-cycle-time', 'lead-time-stages', 'cycle-time', 'cycle-breakdown', 'cycle-heatmap', 'cycle-histogram', 'wip', 'wip-status', 'wip-age']) {
      await waitFor(() => expect(screen.getByTestId(`${id}-chart`).dataset.state).toBe('ready'), { timeout: 20_000 });
    }
    expect(screen.getByTestId('bottleneck').textContent).toContain('Deploy — 38.0% of the time');
    expect(screen.getByTestId('wip-oldest-table').dataset.rows).toBe('10');
    // No commits: the panel says what to do instead of drawing an empty chart.
    expect(screen.getByTestId('commits-chart').dataset.state).toBe('empty');
    // The Delivery section does not fetch the CI or review metrics.
    const fetched = calls.map((u) => u.pathname.split('/').pop());
    expect(fetched).not.toContain('pipeline-success');
    expect(fetched).not.toContain('review-quality');
  });

  it('Operational / CI: tab in the URL, heatmap, weekday bars, sparklines, box plot, tables, pie; unbuilt metrics named', async () => {
    stubApi(routes);
    const { router } = renderApp('/organization?from=2026-10-26&to=2026-11-22&group=week');
    fireEvent.click(await screen.findByTestId('section-ci', {}, { timeout: 20_000 }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ section: 'ci' }), { timeout: 20_000 });
    await waitFor(() => expect(screen.getByTestId('pipeline-success-chart').dataset.state).toBe('ready'), { timeout: 20_000 });
    expect(screen.getByTestId('value-success_rate').textContent).toBe('91.1%');
    expect(screen.getByTestId('sparkline-success')).toBeTruthy();
    for (const id of ['failures-heatmap', 'success-weekday', 'pipeline-duration', 'duration-stages', 'duration-boxplot', 'pipeline-failures', 'failures-by-stage', 'failure-reasons', 'mttr']) {
      await waitFor(() => expect(screen.getByTestId(`${id}-chart`).dataset.state).toBe('ready'), { timeout: 20_000 });
    }
    expect(chartOf('duration-stages').dataset.seriesNames).toBe(pipelineDuration.tables.stage_names.join('|'));
    expect(Number(screen.getByTestId('slowest-pipelines-table').dataset.rows)).toBe(pipelineDuration.tables.slowest.length);
    expect(Number(screen.getByTestId('failing-jobs-table').dataset.rows)).toBe(pipelineFailures.tables.failing_jobs.length);
    expect(screen.getByTestId('placeholder-infra-costs').textContent).toContain('Not built yet');
  });

  it('Review quality: comments per PR with trend, depth bars', async () => {
    stubApi(routes);
    renderApp('/organization?from=2026-10-26&to=2026-11-22&group=week&section=review');
    await waitFor(() => expect(screen.getByTestId('review-quality-chart').dataset.state).toBe('ready'), { timeout: 20_000 });
    expect(chartOf('review-quality').dataset.seriesNames).toBe('Comments per PR|Merged without comments|Merged without review|Comments per PR (rolling average)|Comments per PR (trend)');
    expect(screen.getByTestId('review-depth-chart').dataset.state).toBe('ready');
    expect(screen.getByTestId('value-comments_per_pr_mean').textContent).toBe('1.7');
  });

  it('a click on a deployments bar opens its items in a drawer, linked to their source', async () => {
    const calls = stubApi(routes);
    renderApp('/organization?from=2026-10-26&to=2026-11-22&group=week&team=2');
    await waitFor(() => expect(screen.getByTestId('deployments-chart').dataset.state).toBe('ready'), { timeout: 20_000 });
    act(() => chartOf('deployments').__onEvents!.click!({ componentType: 'series', seriesName: 'Failed', dataIndex: 1 }));
    const items = await screen.findByTestId('drill-items', {}, { timeout: 20_000 });
    const q = calls.find((u) => u.pathname === '/api/v1/metrics/deployments/items')!.searchParams;
    // The week of 2026-11-02, with the dashboard's team filter.
    expect(Object.fromEntries(q)).toEqual({ from: '2026-11-02', to: '2026-11-08', team: '2', kind: 'deployments', limit: '25', offset: '0' });
    expect(items.dataset.total).toBe(String(deploymentItems.total));
    const rows = within(items).getAllByTestId('drill-row');
    expect(rows).toHaveLength(deploymentItems.items.length);
    expect(within(rows[0]!).getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(deploymentItems.items[0]!.url);
    expect(rows[0]!.textContent).toContain('acme/mobile-app');
    expect(screen.getByText(/Deployments · Failed · Week of Nov 2, 2026/)).toBeTruthy();
    // The previous-period ghost opens nothing.
    const before = calls.length;
    act(() => chartOf('deployments').__onEvents!.click!({ componentType: 'series', seriesName: 'Successful (previous period)', dataIndex: 1 }));
    expect(calls.length).toBe(before);
  });

  it('no deployments: says what to configure with a link to Data sources', async () => {
    const none = {
      ...deployments,
      summary: { ...deployments.summary, deployments: 0, failed_deployments: 0 },
      series: deployments.series.map((p) => ({ ...p, deployments: 0, failed_deployments: 0, lead_time_median_hours: null })),
      tables: { ...deployments.tables, lead_time_stages: deployments.tables.lead_time_stages.map((s) => ({ ...s, count: 0 })), release_cycle_time: deployments.tables.release_cycle_time.map((b) => ({ ...b, count: 0 })) },
    };
    stubApi({ ...routes, '/api/v1/metrics/deployments': recorded(none) });
    renderApp('/organization?from=2026-10-26&to=2026-11-22&group=week');
    await waitFor(() => expect(screen.getByTestId('deployments-chart').dataset.state).toBe('empty'), { timeout: 20_000 });
    for (const id of ['deployments', 'release-cycle-time', 'lead-time-stages']) {
      const chart = screen.getByTestId(`${id}-chart`);
      expect(chart.dataset.state).toBe('empty');
      expect(chart.textContent).toContain('No production deployments in this range');
      expect(chart.textContent).toContain('production environment');
      expect(within(chart).getByRole('link', { name: 'Open Data sources' }).getAttribute('href')).toContain('/data-sources');
    }
  });
});

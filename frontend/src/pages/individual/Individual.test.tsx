import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IndividualMetricId } from '../../api/individual';
import type { MeState } from '../../api/people';
import { bucketDays } from '../../charts/organization';
import { renderApp, stubApi, type Routes } from '../../test/render';
import { CATALOG, individualAnswer } from './testdata';

vi.mock('../../charts/EChart');

const CHARTS = [
  'calendar',
  'commit-frequency',
  'commit-size',
  'code-lines',
  'languages',
  'repositories',
  'prs',
  'review-response',
  'reception',
  'heatmap',
  'focus-sessions',
  'rhythm',
];

const ada = { id: 1, name: 'Ada Lovelace', email: 'ada@acme.dev', is_bot: false, is_me: true, accounts: 2 };
const bob = { id: 2, name: 'Bob Builder', email: 'bob@acme.dev', is_bot: false, is_me: false, accounts: 1 };

const meState = (over: Partial<MeState> = {}): MeState => ({
  person: ada,
  suggestions: [],
  emails: [],
  configured: true,
  git_source: true,
  desktop: false,
  ...over,
});

function metricRoutes(emptyCommits = false): Routes {
  const out: Routes = {};
  for (const m of CATALOG) {
    out[`/api/v1/metrics/${m.id}`] = (url: URL) => [200, individualAnswer(m.id as IndividualMetricId, url, emptyCommits)];
  }
  return out;
}

function base(over: Routes = {}): Routes {
  return {
    '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '' },
    '/api/v1/metrics': { metrics: CATALOG },
    '/api/v1/repos': { repos: [] },
    '/api/v1/teams': { teams: [] },
    '/api/v1/people': { people: [ada, bob] },
    '/api/v1/people/me': meState(),
    '/api/v1/accounts': {
      accounts: [
        { id: 11, person_id: 1, source: 'git', external_id: 'ada@acme.dev', login: '', email: 'ada@acme.dev', name: 'Ada', is_bot: false },
        { id: 12, person_id: 1, source: 'github', external_id: '42', login: 'ada', email: '', name: 'Ada', is_bot: false },
        { id: 13, person_id: 2, source: 'git', external_id: 'bob@acme.dev', login: '', email: 'bob@acme.dev', name: 'Bob', is_bot: false },
      ],
    },
    ...metricRoutes(),
    ...over,
  };
}

/** The requests fetch saw: method, path, query and JSON body. */
function requests() {
  return vi.mocked(globalThis.fetch).mock.calls.map(([input, init]) => {
    const url = new URL(String(input), 'http://momentum.test');
    const i = (init ?? {}) as RequestInit;
    return { method: i.method ?? 'GET', path: url.pathname, query: url.searchParams, body: i.body ? JSON.parse(String(i.body)) : undefined };
  });
}

async function allReady() {
  for (const id of CHARTS) {
    await waitFor(() => expect(screen.getByTestId(`${id}-chart`).dataset.state).toBe('ready'), { timeout: 15_000 });
  }
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

// Whole-page renders with a dozen charts: happy-dom needs more than the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

describe('Individual page', () => {
  it('opens on me and draws all six metrics', async () => {
    stubApi(base());
    renderApp('/individual?range=30d');
    await allReady();
    // Every metric was asked about the person marked as me.
    const metricCalls = requests().filter((r) => r.path.startsWith('/api/v1/metrics/person-'));
    expect(new Set(metricCalls.map((r) => r.path.slice('/api/v1/metrics/'.length)))).toEqual(new Set(CATALOG.map((m) => m.id)));
    expect(metricCalls.every((r) => r.query.get('person') === '1' && r.query.get('range') === '30d')).toBe(true);

    expect(screen.getByTestId('is-me').textContent).toBe('This is you');
    expect(screen.getByTestId('streak-current').textContent).toBe('3 days');
    expect(screen.getByTestId('streak-longest').textContent).toBe('3 days');
    expect(screen.getByTestId('value-commits').textContent).toBe('12');
    expect(screen.getByTestId('calendar-chart').dataset.points).toBe('365');
    expect(screen.getByTestId('heatmap-chart').dataset.points).toBe('168');
    // Documented scores: the value and the catalog's formula behind the info icon.
    expect(screen.getByTestId('score-thoroughness-value').textContent).toBe('63');
    expect(screen.getByTestId('score-thoroughness-formula').dataset.formula).toMatch(/^Thoroughness \(0–100\) = 100 × \(engagement \+ depth\) ÷ 2/);
    expect(screen.getByTestId('score-collaboration-value').textContent).toBe('86');
    expect(screen.getByTestId('score-collaboration-formula').dataset.formula).toMatch(/^Collaboration score \(0–100\)/);
    // No comparison asked: no deltas, no ghosts.
    expect(screen.queryByTestId('delta-commits')).toBeNull();
    expect(screen.getByTestId('prs-chart').dataset.series).toBe('Opened|Merged|Closed unmerged|Success rate');
  });

  it('draws the previous period as ghosts and shows deltas when comparing', async () => {
    stubApi(base());
    renderApp('/individual?range=30d&compare=1&group=day');
    await allReady();
    expect(requests().filter((r) => r.path.startsWith('/api/v1/metrics/person-')).every((r) => r.query.get('compare') === 'true')).toBe(true);
    expect(screen.getByTestId('commit-frequency-chart').dataset.series).toBe('Commits|Commits (previous period)');
    expect(screen.getByTestId('prs-chart').dataset.series).toContain('Opened (previous period)|Merged (previous period)');
    expect(screen.getByTestId('code-lines-chart').dataset.series).toContain('Lines added (previous period)');
    // 12 commits against 6: +100%.
    expect(screen.getByTestId('delta-commits').textContent).toContain('+100.0%');
    // Success rate 75% against 50%.
    expect(screen.getByTestId('delta-success_rate').textContent).toContain('+25.0 pp');
  });

  it("a click on a point, a cell or a bar lists the person's items behind it, linked to their source", async () => {
    const page = (metric: string) => ({
      metric,
      kind: 'commits',
      label: 'Commits',
      from: '2026-11-02',
      to: '2026-11-08',
      columns: [
        { key: 'sha', label: 'Commit', type: 'text' },
        { key: 'repo', label: 'Repository', type: 'text' },
        { key: 'url', label: 'Link', type: 'url' },
      ],
      items: [{ sha: 'abc1234def', repo: 'acme/api', url: 'https://example.test/acme/api/commit/abc1234def' }],
      total: 1,
      limit: 25,
      offset: 0,
    });
    const calls = stubApi(base({ '/api/v1/metrics/person-commits/items': page('person-commits'), '/api/v1/metrics/person-patterns/items': page('person-patterns'), '/api/v1/metrics/person-code/items': page('person-code') }));
    renderApp('/individual?range=30d&group=week&repo=acme/api,acme/web');
    await allReady();
    type Clickable = HTMLElement & { __onEvents?: Record<string, (p: unknown) => void> };
    const chartOf = (id: string) => within(screen.getByTestId(`${id}-chart`)).getByTestId('echart') as Clickable;
    const itemsCall = (metric: string) => Object.fromEntries(calls.filter((u) => u.pathname === `/api/v1/metrics/${metric}/items`).at(-1)!.searchParams);

    // A point of the commit frequency: that week's commits of the person on the page ("me").
    const answer = individualAnswer('person-commits', new URL('http://momentum.test/api/v1/metrics/person-commits?range=30d&group=week'));
    const [from, to] = bucketDays(answer.series[1]!.bucket, answer.group, answer.from, answer.to);
    act(() => chartOf('commit-frequency').__onEvents!.click!({ componentType: 'series', seriesName: 'Commits', dataIndex: 1 }));
    const items = await screen.findByTestId('drill-items', {}, { timeout: 20_000 });
    expect(itemsCall('person-commits')).toEqual({ from, to, repo: 'acme/api,acme/web', person: '1', kind: 'commits', limit: '25', offset: '0' });
    const row = within(items).getByTestId('drill-row');
    expect(within(row).getByRole('link', { name: 'Open' }).getAttribute('href')).toBe('https://example.test/acme/api/commit/abc1234def');
    fireEvent.keyDown(items, { key: 'Escape' });

    // A heatmap cell: the commits of Wednesday 07:00 in the author's local time, over the range.
    act(() => chartOf('heatmap').__onEvents!.click!({ componentType: 'series', seriesName: 'Commits', dataIndex: 55, value: [7, 2, 3] }));
    await waitFor(() => expect(itemsCall('person-patterns')).toMatchObject({ from: answer.from, to: answer.to, person: '1', kind: 'commits', weekday: '2', hour: '7' }));
    // A repository bar: that repository's commits replace the repository filter.
    act(() => chartOf('repositories').__onEvents!.click!({ componentType: 'series', seriesName: 'Commits', dataIndex: 1, name: 'acme/web' }));
    await waitFor(() => expect(itemsCall('person-code')).toMatchObject({ repo: 'acme/web', person: '1', kind: 'commits' }));
    // The previous period's ghost opens nothing.
    const before = calls.length;
    act(() => chartOf('commit-frequency').__onEvents!.click!({ componentType: 'series', seriesName: 'Commits (previous period)', dataIndex: 1 }));
    expect(calls.length).toBe(before);
  });

  it('switches to another person', async () => {
    stubApi(base());
    const { router } = renderApp('/individual?range=30d');
    await allReady();
    const picker = screen.getByTestId('person-picker');
    fireEvent.click(picker);
    fireEvent.click(await screen.findByRole('option', { name: /Bob Builder/ }));
    await waitFor(() => expect((router.state.location.search as Record<string, string>).person).toBe('2'));
    await waitFor(() =>
      expect(requests().some((r) => r.path === '/api/v1/metrics/person-patterns' && r.query.get('person') === '2')).toBe(true),
    );
    await allReady();
    expect(screen.queryByTestId('is-me')).toBeNull();
    fireEvent.click(screen.getByTestId('back-to-me'));
    await waitFor(() => expect((router.state.location.search as Record<string, string>).person).toBe('1'));
  });

  it('says what to do when there are no commits', async () => {
    stubApi(base(metricRoutes(true)));
    renderApp('/individual?range=30d');
    const chart = await screen.findByTestId('calendar-chart', {}, { timeout: 5000 });
    await waitFor(() => expect(chart.dataset.state).toBe('empty'));
    expect(within(chart).getByRole('link', { name: 'configure a data source' }).getAttribute('href')).toContain('/data-sources');
    expect(within(chart).getByTestId('empty-setup').textContent).toBe('Find my repositories');
    expect(screen.getByTestId('commit-frequency-chart').dataset.state).toBe('empty');
  });

  it('asks who to show when nobody is me (outside the desktop, without a dialog)', async () => {
    stubApi(base({ '/api/v1/people/me': meState({ person: null }), '/api/v1/people': { people: [{ ...ada, is_me: false }, bob] } }));
    renderApp('/individual?range=30d');
    await screen.findByTestId('choose-person', {}, { timeout: 5000 });
    expect(screen.queryByTestId('setup-dialog')).toBeNull();
    expect(requests().some((r) => r.path.startsWith('/api/v1/metrics/person-'))).toBe(false);
  });
});

describe('first run on the desktop', () => {
  it('scans for repositories, configures git, syncs and opens on me', async () => {
    let synced = false;
    let runCalls = 0;
    stubApi(
      base({
        '/api/v1/people': () => [200, { people: synced ? [{ ...ada, id: 7, is_me: true }] : [] }],
        '/api/v1/people/me': () => [
          200,
          synced
            ? meState({ person: { ...ada, id: 7 }, desktop: true })
            : meState({ person: null, configured: false, desktop: true, emails: [{ email: 'ada@acme.dev', from: 'git' }] }),
        ],
        '/api/v1/sources/git/discover': { repositories: [{ path: '/home/ada/src/engine', name: 'engine' }], emails: ['ada@acme.dev', 'ada@home.example'] },
        '/api/v1/sources/git/config': { source: 'git', configured: true, complete: true, problems: [], values: [] },
        '/api/v1/collect': () => {
          synced = true;
          return [202, { collection: 'c1' }];
        },
        '/api/v1/runs': () => {
          runCalls++;
          // The first call reads the newest run before the collection; then both scripts are done.
          return [
            200,
            {
              runs:
                runCalls === 1
                  ? [{ id: 3, source: 'git', script: 'commit', status: 'success', started_at: 1, finished_at: 2, items: 1, error: '' }]
                  : [
                      { id: 5, source: 'git', script: 'commit', status: 'success', started_at: 10, finished_at: 12, items: 40, error: '' },
                      { id: 4, source: 'git', script: 'repository', status: 'success', started_at: 9, finished_at: 10, items: 1, error: '' },
                    ],
            },
          ];
        },
      }),
    );
    const { router } = renderApp('/individual?range=30d');
    const dialog = await screen.findByTestId('setup-dialog', {}, { timeout: 5000 });
    const folder = within(dialog).getByTestId('scan-folder');
    fireEvent.change(folder, { target: { value: '~/src' } });
    fireEvent.click(within(dialog).getByTestId('scan'));
    await waitFor(() => expect(within(dialog).getByTestId('scan-result').textContent).toBe('1 repository found.'));
    expect((within(dialog).getByTestId('setup-emails') as HTMLInputElement).value).toBe('ada@acme.dev, ada@home.example');
    fireEvent.click(within(dialog).getByTestId('read-repositories'));

    await waitFor(() => expect((router.state.location.search as Record<string, string>).person).toBe('7'), { timeout: 5000 });
    const sent = requests().filter((r) => r.method !== 'GET');
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/sources/git/discover', 'PUT /api/v1/sources/git/config', 'POST /api/v1/collect']);
    expect(sent[0]!.body).toEqual({ paths: ['~/src'], depth: 3 });
    expect(sent[1]!.body).toEqual({ values: { GIT_REPOS: '/home/ada/src/engine', GIT_AUTHOR_EMAILS: 'ada@acme.dev,ada@home.example', GIT_SCAN_DEPTH: '3' } });
    expect(sent[2]!.body).toEqual({ sources: ['git'] });
    await waitFor(() => expect(screen.getByTestId('calendar-chart').dataset.state).toBe('ready'), { timeout: 5000 });
    expect(screen.queryByTestId('setup-dialog')).toBeNull();
  });

  it('reads the folder as it is when the server cannot scan, and shows a failed run', async () => {
    let runCalls = 0;
    stubApi(
      base({
        '/api/v1/people/me': meState({ person: null, configured: false, desktop: true }),
        '/api/v1/sources/git/discover': () => [404, { error: 'no such API endpoint: POST /api/v1/sources/git/discover' }],
        '/api/v1/sources/git/config': {},
        '/api/v1/collect': () => [202, { collection: 'c1' }],
        '/api/v1/runs': () => {
          runCalls++;
          return [200, { runs: runCalls === 1 ? [] : [{ id: 1, source: 'git', script: 'repository', status: 'failed', started_at: 1, finished_at: 2, items: 0, error: 'GIT_REPOS: /nope: no such file or directory (check the path)' }] }];
        },
      }),
    );
    renderApp('/individual?range=30d');
    const dialog = await screen.findByTestId('setup-dialog', {}, { timeout: 5000 });
    fireEvent.change(within(dialog).getByTestId('scan-folder'), { target: { value: '/nope' } });
    fireEvent.click(within(dialog).getByTestId('scan'));
    await waitFor(() => expect(within(dialog).getByTestId('setup-error').textContent).toContain('cannot scan folders yet'));
    fireEvent.click(within(dialog).getByTestId('read-repositories'));
    await waitFor(() => expect(within(dialog).getByTestId('setup-error').textContent).toContain('(repository): GIT_REPOS: /nope: no such file'));
    const put = requests().find((r) => r.method === 'PUT');
    expect(put?.body.values.GIT_REPOS).toBe('/nope');
  });

  it('does not open by itself once closed', async () => {
    localStorage.setItem('momentum.firstRun.dismissed', '1');
    stubApi(base({ '/api/v1/people/me': meState({ person: null, desktop: true }) }));
    renderApp('/individual?range=30d');
    await screen.findByTestId('choose-person', {}, { timeout: 5000 });
    expect(screen.queryByTestId('setup-dialog')).toBeNull();
  });
});

describe('people manager', () => {
  it('splits an account off, merges people and marks me', async () => {
    stubApi(
      base({
        '/api/v1/accounts/12/split': () => [201, { person: { ...ada, id: 9, name: 'ada', accounts: 1, is_me: false } }],
        '/api/v1/people/1/merge': () => [200, { person: { ...ada, accounts: 3 } }],
      }),
    );
    renderApp('/individual?range=30d');
    fireEvent.click(await screen.findByTestId('manage-people', {}, { timeout: 5000 }));
    const table = await screen.findByTestId('people-table');
    const adaRow = await within(table).findByTestId('person-row-1');
    await within(adaRow).findByTestId('split-12');
    // Bob has one account: nothing to split.
    expect(within(within(table).getByTestId('person-row-2')).queryByTestId('split-13')).toBeNull();

    fireEvent.click(within(adaRow).getByTestId('split-12'));
    await waitFor(() => expect(screen.getByTestId('people-notice').textContent).toContain('is now a person of its own (ada)'));

    fireEvent.click(within(within(table).getByTestId('person-row-2')).getByTestId('set-me-2'));
    await waitFor(() => expect(requests().some((r) => r.method === 'PUT' && r.path === '/api/v1/people/me' && r.body.person_id === 2)).toBe(true));

    const mergeInput = within(adaRow).getByTestId('merge-from-1');
    fireEvent.click(mergeInput);
    fireEvent.click(await screen.findByRole('option', { name: /Bob Builder/ }));
    fireEvent.click(within(adaRow).getByTestId('merge-1'));
    await waitFor(() => expect(requests().some((r) => r.method === 'POST' && r.path === '/api/v1/people/1/merge' && r.body.from === 2)).toBe(true));
    const sent = requests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(sent).toEqual(['POST /api/v1/accounts/12/split', 'PUT /api/v1/people/me', 'POST /api/v1/people/1/merge']);
  });
});

import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MASK, type Run, type SourceInfo } from '../../api/sources';
import { renderApp, stubApi } from '../../test/render';

// The router loads each page on first visit (a dynamic import): load this one before the tests,
// as the static import did, so that its first render does not pay for transforming the module.
beforeAll(() => import('./DataSourcesPage'), 60_000);

/**
 * A stand-in for the browser's EventSource: the test sends the server's events, to every
 * stream open (the shell's live refresh has one too).
 */
class FakeEventSource {
  static open: FakeEventSource[] = [];
  url: string;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.open.push(this);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    FakeEventSource.open = FakeEventSource.open.filter((e) => e !== this);
  }
  readyState = 1;
  /** Every open stream breaks; `gaveUp` as when the server answers 503 while restarting. */
  static fail(gaveUp: boolean) {
    for (const es of [...FakeEventSource.open]) {
      es.readyState = gaveUp ? 2 : 0;
      es.onerror?.();
    }
  }
  static emit(type: string, data: object) {
    for (const es of FakeEventSource.open) {
      for (const fn of es.listeners.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
    }
  }
}

const hub = (over: Partial<SourceInfo['config']> = {}): SourceInfo => ({
  id: 'hub',
  name: 'Hub',
  category: 'vcs',
  description: 'Repositories and pull requests from Hub.',
  keys: [
    { name: 'HUB_TOKEN', label: 'Token', help: 'A personal access token.', kind: 'text', required: true, secret: true },
    { name: 'HUB_URL', label: 'API URL', help: 'For Hub Enterprise.', kind: 'url', required: false, secret: false, default: 'https://api.hub.test' },
    { name: 'HUB_ORG', label: 'Organization', help: 'Whose repositories.', kind: 'text', required: true, secret: false },
  ],
  scripts: [{ name: 'repository', provides: ['hub.repositories'], depends_on: null }],
  config: {
    source: 'hub',
    name: 'Hub',
    configured: true,
    complete: false,
    problems: ['HUB_ORG is required: Whose repositories.'],
    values: [
      { key: 'HUB_TOKEN', value: MASK, secret: true, set: true },
      { key: 'HUB_URL', value: '', secret: false, set: false, default: 'https://api.hub.test' },
      { key: 'HUB_ORG', value: '', secret: false, set: false },
    ],
    ...over,
  },
  last_runs: {},
});

const ci: SourceInfo = {
  ...hub(),
  id: 'ci',
  name: 'Pipelines',
  category: 'cicd',
  keys: [],
  scripts: [],
  config: { source: 'ci', name: 'Pipelines', configured: false, complete: false, problems: [], values: [] },
};

const run = (id: number, status: Run['status'], error = ''): Run => ({
  id,
  source: 'hub',
  script: 'repository',
  status,
  started_at: 1_790_000_000,
  finished_at: status === 'RUNNING' ? null : 1_790_000_075,
  window_start: null,
  window_end: null,
  last_fetched_at: null,
  items: 12,
  requests: 3,
  error,
  owner: 'host:1',
});

const base = {
  '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '' },
  '/api/v1/metrics': { metrics: [] },
  '/api/v1/repos': { repos: [{ id: 1, full_name: 'acme/api', source: 'hub' }] },
  '/api/v1/teams': { teams: [] },
  '/api/v1/people': { people: [] },
  '/api/v1/settings/collect': { cron: '0 * * * *', next_run: new Date(Date.now() + 20 * 60_000).toISOString(), history_days: 90, retention_days: 0, secret_store: 'keychain' },
};

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => vi.unstubAllGlobals());

// Whole-app renders in happy-dom on a shared 2-core machine: allow more than the 5 s default.
const SLOW = 20_000;

describe('Data sources page', () => {
  it('lists sources by category with their state, and keeps the Repositories section', async () => {
    stubApi({ ...base, '/api/v1/sources': { sources: [hub(), ci], secret_store: 'keychain' }, '/api/v1/runs': { runs: [] } });
    renderApp('/data-sources');
    const list = await screen.findByTestId('source-list');
    expect(within(list).getByText('Code')).toBeTruthy();
    expect(within(list).getByText('CI/CD')).toBeTruthy();
    expect(within(list).getByTestId('state-hub').textContent).toBe('Incomplete');
    expect(within(list).getByTestId('state-ci').textContent).toBe('Not configured');
    expect(within(screen.getByTestId('source-hub')).getByText('Never collected')).toBeTruthy();
    expect(screen.getByTestId('next-collection').textContent).toMatch(/Next scheduled collection in 20 minutes/);
    // The configured source is picked; its problems say why it is not collected.
    expect(screen.getByTestId('source-panel').getAttribute('data-source')).toBe('hub');
    expect(screen.getByTestId('source-problems').textContent).toMatch(/HUB_ORG is required/);
    expect(await screen.findByText('acme/api')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Repositories' })).toBeTruthy();
    expect(screen.getByTestId('runs-empty')).toBeTruthy();
    // Nothing configured completely: nothing to collect.
    expect((screen.getByTestId('collect-all') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('source-ci'));
    await waitFor(() => expect(screen.getByTestId('source-panel').getAttribute('data-source')).toBe('ci'));
  }, SLOW);

  it('generates the form, validates, tests, saves what changed and maps server errors to fields', async () => {
    const sent: { method: string; path: string; body: unknown }[] = [];
    let saveAnswer: [number, unknown] = [400, { error: 'HUB_ORG: no organization "acme" on this server' }];
    let testAnswer: unknown = { ok: false, error: 'GET https://api.hub.test/user: 401 Unauthorized (check the token)' };
    stubApi({
      ...base,
      '/api/v1/sources': { sources: [hub()], secret_store: 'keychain' },
      '/api/v1/runs': { runs: [] },
      '/api/v1/sources/hub/test': (url: URL, init?: RequestInit) => {
        sent.push({ method: init!.method!, path: url.pathname, body: JSON.parse(init!.body as string) });
        return [200, testAnswer];
      },
      '/api/v1/sources/hub/config': (url: URL, init?: RequestInit) => {
        sent.push({ method: init!.method!, path: url.pathname, body: JSON.parse(init!.body as string) });
        return saveAnswer;
      },
    });
    renderApp('/data-sources');
    const token = (await screen.findByLabelText(/Token/)) as HTMLInputElement;
    expect(token.type).toBe('password');
    expect(token.value).toBe(MASK);
    const url = screen.getByLabelText('API URL') as HTMLInputElement;
    expect(url.placeholder).toBe('Default: https://api.hub.test');
    const org = screen.getByLabelText(/Organization/) as HTMLInputElement;

    // Client-side checks first: nothing is sent.
    fireEvent.change(url, { target: { value: 'api.hub.test' } });
    fireEvent.click(screen.getByTestId('source-save'));
    expect(await screen.findByText('Enter an http(s) URL such as https://example.com')).toBeTruthy();
    expect(screen.getByText('Organization is required')).toBeTruthy();
    expect(sent).toHaveLength(0);
    // Fixing a field clears its message at once.
    fireEvent.change(url, { target: { value: 'https://hub.example.com/api' } });
    await waitFor(() => expect(screen.queryByText('Enter an http(s) URL such as https://example.com')).toBeNull());

    // Test connection: the source's error is shown; the saved token is referred to by its mask.
    fireEvent.change(org, { target: { value: 'acme' } });
    fireEvent.click(screen.getByTestId('source-test'));
    expect((await screen.findByTestId('source-test-error')).textContent).toMatch(/401 Unauthorized \(check the token\)/);
    expect(sent[0]).toEqual({
      method: 'POST',
      path: '/api/v1/sources/hub/test',
      body: { values: { HUB_TOKEN: MASK, HUB_URL: 'https://hub.example.com/api', HUB_ORG: 'acme' } },
    });

    // Save: the server's complaint lands on its field.
    fireEvent.click(screen.getByTestId('source-save'));
    expect(await screen.findByText('no organization "acme" on this server')).toBeTruthy();
    expect(sent[1]).toEqual({
      method: 'PUT',
      path: '/api/v1/sources/hub/config',
      body: { values: { HUB_URL: 'https://hub.example.com/api', HUB_ORG: 'acme' } }, // the kept token is not sent
    });
    saveAnswer = [200, { ...hub().config, complete: true, problems: [] }];
    fireEvent.click(screen.getByTestId('source-save'));
    expect((await screen.findByTestId('source-saved')).textContent).toMatch(/2 values saved/);

    // A working connection says what the source found.
    testAnswer = { ok: true, found: '3 repositories: api, web, cli' };
    fireEvent.click(screen.getByTestId('source-test'));
    expect((await screen.findByTestId('source-test-ok')).textContent).toMatch(/Found 3 repositories: api, web, cli\./);
  }, SLOW);

  it('syncs now, shows live progress from the events, and asks before a full re-import', async () => {
    const posts: string[] = [];
    let runs: Run[] = [run(1, 'FAILED', 'GET https://api.hub.test/orgs/acme/repos: 404 Not Found')];
    const complete = hub({ complete: true, problems: [], values: [{ key: 'HUB_TOKEN', value: MASK, secret: true, set: true }, { key: 'HUB_ORG', value: 'acme', secret: false, set: true }] });
    stubApi({
      ...base,
      '/api/v1/sources': { sources: [{ ...complete, last_runs: { repository: runs[0] } }], secret_store: 'keychain' },
      '/api/v1/runs': () => [200, { runs }],
      '/api/v1/collect': (_: URL, init?: RequestInit) => {
        posts.push(`collect ${init!.body}`);
        return [202, { collection: 'c1' }];
      },
      '/api/v1/sources/hub/reset': () => {
        posts.push('reset');
        return [200, { reset: 'hub' }];
      },
    });
    renderApp('/data-sources');
    // History: the failed run with its error and numbers.
    const row = await screen.findByTestId('run-row');
    expect(row.getAttribute('data-status')).toBe('FAILED');
    expect(within(row).getByText(/404 Not Found/)).toBeTruthy();
    expect(within(row).getByText('1 min 15 s')).toBeTruthy();
    expect(within(screen.getByTestId('source-hub')).getByText(/^Failed /)).toBeTruthy();

    const es = FakeEventSource;
    expect(es.open.map((e) => e.url)).toContain('/api/v1/collect/events');
    act(() => es.emit('ready', {}));
    await waitFor(() => expect(screen.getByTestId('runs-live-state').textContent).toBe('Live'));

    fireEvent.click(screen.getByTestId('source-sync'));
    await screen.findByTestId('source-sync-started');
    expect(posts).toEqual(['collect {"sources":["hub"]}']);

    act(() => {
      es.emit('planned', { type: 'planned', collection: 'c1', total: 1, items: 0, requests: 0 });
      es.emit('started', { type: 'started', collection: 'c1', source: 'hub', script: 'repository', status: 'RUNNING', items: 0, requests: 0 });
      es.emit('progress', { type: 'progress', collection: 'c1', source: 'hub', script: 'repository', items: 40, requests: 2 });
    });
    const live = await screen.findByTestId('live-hub-repository');
    expect(live.textContent).toMatch(/running.*40 items.*2 requests/);
    expect((screen.getByTestId('source-sync') as HTMLButtonElement).disabled).toBe(true);

    runs = [{ ...run(2, 'COMPLETED'), items: 57 }, ...runs];
    act(() => {
      es.emit('finished', { type: 'finished', collection: 'c1', source: 'hub', script: 'repository', status: 'COMPLETED', items: 57, requests: 3 });
      es.emit('done', { type: 'done', collection: 'c1', total: 1, items: 0, requests: 0 });
    });
    // The runs are refetched: the new run is on top; the live panel goes.
    await waitFor(() => expect(screen.getAllByTestId('run-row')[0]!.getAttribute('data-status')).toBe('COMPLETED'));
    expect(screen.queryByTestId('live-progress')).toBeNull();

    // Collect all: every configured source.
    fireEvent.click(screen.getByTestId('collect-all'));
    await waitFor(() => expect(posts).toEqual(['collect {"sources":["hub"]}', 'collect {}']));

    // Full re-import: nothing happens until confirmed.
    fireEvent.click(screen.getByTestId('source-reset'));
    const confirm = await screen.findByTestId('source-reset-confirm');
    expect(posts).toHaveLength(2);
    fireEvent.click(confirm);
    await waitFor(() => expect(posts).toEqual(['collect {"sources":["hub"]}', 'collect {}', 'reset', 'collect {"sources":["hub"]}']));
  }, SLOW);

  it('says when the live stream breaks, reconnects by itself and refetches the runs', async () => {
    let runsFetched = 0;
    stubApi({
      ...base,
      '/api/v1/sources': { sources: [hub()], secret_store: 'keychain' },
      '/api/v1/runs': () => {
        runsFetched++;
        return [200, { runs: [] }];
      },
    });
    renderApp('/data-sources');
    const state = await screen.findByTestId('runs-live-state');
    expect(state.textContent).toBe('Connecting…');
    act(() => FakeEventSource.emit('ready', {}));
    await waitFor(() => expect(state.textContent).toBe('Live'));
    // The shell's live refresh and the page follow one stream.
    expect(FakeEventSource.open.map((e) => e.url)).toEqual(['/api/v1/collect/events']);

    act(() => FakeEventSource.fail(false)); // the stream ended: the browser retries by itself
    await waitFor(() => expect(screen.getByTestId('runs-live-state').textContent).toBe('Reconnecting…'));
    act(() => FakeEventSource.fail(true)); // the server answered 503: the page reopens it after 1 s
    expect(screen.getByTestId('runs-live-state').textContent).toMatch(/^Reconnecting in 1 s…$/);
    const before = runsFetched;
    await waitFor(() => expect(FakeEventSource.open.map((e) => e.url)).toContain('/api/v1/collect/events'), { timeout: 3_000 });
    act(() => FakeEventSource.emit('ready', {}));
    await waitFor(() => expect(screen.getByTestId('runs-live-state').textContent).toBe('Live'));
    await waitFor(() => expect(runsFetched).toBeGreaterThan(before)); // what finished meanwhile shows
  }, SLOW);

  it('says when this host cannot store a new secret', async () => {
    stubApi({ ...base, '/api/v1/sources': { sources: [hub({ values: [] , configured: false })], secret_store: '' }, '/api/v1/runs': { runs: [] } });
    renderApp('/data-sources');
    const token = await screen.findByLabelText(/Token/);
    expect(screen.queryByTestId('no-secret-store')).toBeNull();
    fireEvent.change(token, { target: { value: 'ghp_new' } });
    expect((await screen.findByTestId('no-secret-store')).textContent).toMatch(/MOMENTUM_SECRET_KEY/);
  }, SLOW);
});

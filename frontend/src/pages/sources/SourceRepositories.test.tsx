import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SourceRepo, SourceRepos } from '../../api/sourceRepos';
import type { SourceInfo } from '../../api/sources';
import { stubApi } from '../../test/render';
import { SourceRepositories } from './SourceRepositories';

const gitlab: SourceInfo = {
  id: 'gitlab',
  name: 'GitLab',
  category: 'vcs',
  description: '',
  keys: [
    { name: 'GITLAB_INCLUDE', label: 'Include patterns', help: '', kind: 'list', required: false, secret: false },
    { name: 'GITLAB_EXCLUDE', label: 'Exclude patterns', help: '', kind: 'list', required: false, secret: false },
  ],
  scripts: [],
  config: { source: 'gitlab', name: 'GitLab', configured: true, complete: true, problems: [], values: [] },
  last_runs: {},
};

const repo = (id: number, full_name: string, over: Partial<SourceRepo> = {}): SourceRepo => ({
  id,
  full_name,
  name: full_name.split('/')[1] ?? full_name,
  url: '',
  language: '',
  private: false,
  archived: false,
  last_activity: Math.floor(Date.now() / 1000) - 3 * 86400,
  excluded: false,
  ...over,
});

/** The server's state: the exclude key and the repositories, judged like backend/api/sourcerepos.go does for these cases. */
function server() {
  const state: SourceRepos = {
    source: 'gitlab',
    include_key: 'GITLAB_INCLUDE',
    exclude_key: 'GITLAB_EXCLUDE',
    include: [],
    exclude: ['acme/legacy-*'],
    repositories: [
      repo(1, 'acme/api'),
      repo(2, 'acme/legacy-tool', { excluded: true, reason: 'pattern', last_activity: null }),
      repo(3, 'acme/web'),
    ],
  };
  const puts: { id: string; body: unknown }[] = [];
  const calls = stubApi({
    '/api/v1/sources/gitlab/repositories': () => [200, state],
    '/api/v1/sources/gitlab/repositories/3': (_url: URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { excluded: boolean };
      puts.push({ id: '3', body });
      const r = state.repositories[2]!;
      r.excluded = body.excluded;
      r.reason = body.excluded ? 'manual' : undefined;
      state.exclude = body.excluded ? ['acme/legacy-*', 'acme/web'] : ['acme/legacy-*'];
      return [200, r];
    },
    '/api/v1/sources/gitlab/repositories/2': () => [
      409,
      { error: 'acme/legacy-tool is excluded by a pattern of GITLAB_EXCLUDE (acme/legacy-*): edit the pattern to include it' },
    ],
  });
  return { state, puts, calls };
}

function renderSection(source: SourceInfo = gitlab) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider env="test">
      <QueryClientProvider client={client}>
        <SourceRepositories source={source} />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const rows = () =>
  screen.getAllByTestId('source-repository').map((tr) => ({
    name: within(tr).getByText(/^acme\//).textContent,
    included: (within(tr).getByRole('switch') as HTMLInputElement).checked,
  }));

afterEach(() => vi.unstubAllGlobals());

describe('SourceRepositories', () => {
  it('lists the discovered repositories with the rule, excludes and includes one, and filters', async () => {
    const { puts } = server();
    renderSection();
    await screen.findByTestId('source-repositories-table');
    expect(rows()).toEqual([
      { name: 'acme/api', included: true },
      { name: 'acme/legacy-tool', included: false },
      { name: 'acme/web', included: true },
    ]);
    expect(screen.getByTestId('source-repositories-count').textContent).toBe('2 of 3 collected');
    const rule = screen.getByTestId('source-repositories-rule').textContent ?? '';
    expect(rule).toMatch(/Include patterns \(empty: all\)/);
    expect(rule).toMatch(/Exclude patterns \(acme\/legacy-\*\)/);
    expect(screen.getByText('by pattern')).toBeTruthy();
    expect(screen.getAllByText('3 days ago')).toHaveLength(2);

    // Turn acme/web off: the server is told, the list and the rule follow.
    fireEvent.click(screen.getByRole('switch', { name: 'Collect acme/web' }));
    await waitFor(() => expect(screen.getByTestId('source-repositories-count').textContent).toBe('1 of 3 collected'));
    expect(puts).toEqual([{ id: '3', body: { excluded: true } }]);
    expect(screen.getByTestId('source-repositories-rule').textContent).toMatch(/acme\/legacy-\*, acme\/web/);
    expect(screen.getByText('excluded here')).toBeTruthy();

    // And on again.
    fireEvent.click(screen.getByRole('switch', { name: 'Collect acme/web' }));
    await waitFor(() => expect(screen.getByTestId('source-repositories-count').textContent).toBe('2 of 3 collected'));
    expect(puts[1]).toEqual({ id: '3', body: { excluded: false } });

    // Filter.
    fireEvent.change(screen.getByLabelText('Filter repositories'), { target: { value: 'WEB' } });
    expect(rows().map((r) => r.name)).toEqual(['acme/web']);
    fireEvent.change(screen.getByLabelText('Filter repositories'), { target: { value: 'nothing' } });
    expect(screen.getByText(/No repository matches/)).toBeTruthy();
  });

  it('says what to edit when a pattern keeps a repository out', async () => {
    server();
    renderSection();
    fireEvent.click(await screen.findByRole('switch', { name: 'Collect acme/legacy-tool' }));
    const err = await screen.findByTestId('source-repositories-error');
    expect(err.textContent).toMatch(/edit the pattern/);
    expect(rows()[1]).toEqual({ name: 'acme/legacy-tool', included: false });
  });

  it('explains the empty list', async () => {
    stubApi({
      '/api/v1/sources/gitlab/repositories': {
        source: 'gitlab',
        include_key: 'GITLAB_INCLUDE',
        exclude_key: 'GITLAB_EXCLUDE',
        include: [],
        exclude: [],
        repositories: [],
      },
    });
    renderSection();
    expect((await screen.findByTestId('source-repositories-empty')).textContent).toMatch(/No repositories discovered yet/);
    expect(screen.queryByLabelText('Filter repositories')).toBeNull();
  });
});

describe('SourceRepositories of local git', () => {
  it('has no include patterns, and says why a repository the configuration no longer reaches is out', async () => {
    const git: SourceInfo = {
      ...gitlab,
      id: 'git',
      name: 'Local git repositories',
      keys: [{ name: 'GIT_EXCLUDE', label: 'Repositories not to collect', help: '', kind: 'list', required: false, secret: false }],
      config: { ...gitlab.config, source: 'git', name: 'Local git repositories' },
    };
    stubApi({
      '/api/v1/sources/git/repositories': {
        source: 'git',
        include_key: '',
        exclude_key: 'GIT_EXCLUDE',
        include: [],
        exclude: [],
        derived_by: 'the configured paths (GIT_REPOS, GIT_SCAN_DEPTH) no longer reach it; its history is kept',
        repositories: [repo(1, 'acme/api'), repo(2, 'acme/old', { excluded: true, reason: 'source' })],
      },
    });
    renderSection(git);
    await screen.findByTestId('source-repositories-table');
    expect(screen.getByTestId('source-repositories-rule').textContent).toMatch(
      /^Collected: every repository the configuration finds, except those matching a pattern of Repositories not to collect \(empty\)/,
    );
    expect(rows()).toEqual([
      { name: 'acme/api', included: true },
      { name: 'acme/old', included: false },
    ]);
    fireEvent.mouseEnter(screen.getByText('by settings').closest('.mantine-Badge-root')!);
    expect(
      await screen.findByText(
        'Another setting of the source keeps it out: the configured paths (GIT_REPOS, GIT_SCAN_DEPTH) no longer reach it; its history is kept.',
      ),
    ).toBeTruthy();
  });
});

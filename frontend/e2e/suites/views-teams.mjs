// Saved views, teams and live refresh: a view saved in the top bar opens from its share link in
// a fresh browser (another user of `momentum serve`) with the same filters; a team created on
// the Teams page filters the Organization page and changes its figures; a collection that
// finishes refreshes an open dashboard by itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The machine running e2e may be shared and loaded: this suite waits longer than the default.
const PATIENCE = 60_000;

export default async function ({ BASE, SHOTS, check, assert, newPage: openPage, hashSearch }) {
  const newPage = async (scheme) => {
    const p = await openPage(scheme);
    p.setDefaultTimeout(PATIENCE);
    return p;
  };
  const readyChart = (p, id = 'commits') => p.locator(`[data-testid="${id}-chart"][data-state="ready"]`).first().waitFor({ timeout: PATIENCE });
  const waitForHash = async (p, pred, what) => {
    const deadline = Date.now() + PATIENCE;
    while (Date.now() < deadline) {
      if (pred(hashSearch(p))) return;
      await p.waitForTimeout(100);
    }
    throw new Error(`URL never showed ${what}: ${p.url()}`);
  };
  const page = await newPage('light');
  // Dialogs and menus float over the page: the visible window is the picture.
  const screenshot = async (p, name) => {
    await p.waitForTimeout(300);
    await p.screenshot({ path: join(SHOTS, `${name}.png`), timeout: 60_000 });
  };
  const api = async (method, path, body) => {
    const res = await page.request.fetch(`${BASE}/api/v1/${path}`, { method, data: body });
    assert(res.ok(), `${method} ${path}: HTTP ${res.status()} ${await res.text()}`);
    return res.status() === 204 ? undefined : res.json();
  };
  const stamp = Date.now().toString(36);
  const repos = (await api('GET', 'repos')).repos;
  const repo = repos[0]?.full_name ?? '';

  const viewName = `Delivery ${repo} ${stamp}`;
  let link = '';
  let viewId = '';
  await check('views: save the current filters under a name from the top bar', async () => {
    assert(repo, 'the demo has no repositories');
    await page.goto(`${BASE}/#/organization?range=60d&compare=1&group=week&repo=${repo}`);
    await readyChart(page);
    await page.getByTestId('views-button').click();
    await page.getByTestId('view-save').click();
    await page.getByTestId('view-name').fill(viewName);
    await page.getByTestId('view-submit').click();
    link = await page.getByTestId('view-link').inputValue();
    const m = /^https?:\/\/[^#]+#\/organization\?view=(\d+)&(.+)$/.exec(link);
    assert(m, `share link: ${link}`);
    viewId = m[1];
    const carried = new URLSearchParams(m[2]);
    assert(carried.get('range') === '60d' && carried.get('compare') === '1' && carried.get('group') === 'week' && carried.get('repo') === repo, `the link does not carry the filters: ${link}`);
    await screenshot(page, 'views-share-light');
    await page.keyboard.press('Escape');
    await page.getByTestId('views-button').filter({ hasText: viewName }).waitFor();
    const saved = await api('GET', `views/${viewId}`);
    assert(saved.name === viewName && saved.page === 'organization', `stored view: ${JSON.stringify(saved)}`);
  });

  await check('views: the share link restores the view in a fresh browser context', async () => {
    for (const url of [link, `${BASE}/#/organization?view=${viewId}`]) {
      // The second link has the view's ID only: the filters come from the server.
      const fresh = await newPage('light');
      await fresh.goto(url);
      await waitForHash(
        fresh,
        (q) => q.get('range') === '60d' && q.get('compare') === '1' && q.get('group') === 'week' && q.get('repo') === repo && !q.has('view'),
        'the saved filters',
      );
      await readyChart(fresh);
      assert(await fresh.getByLabel('Compare with previous period').isChecked(), 'compare is off');
      assert(await fresh.getByTestId('group').locator('input[value="week"]').isChecked(), 'week is not selected');
      await fresh.getByTestId('filter-repo').locator('..').locator('..').getByText(repo).first().waitFor();
      await fresh.getByTestId('views-button').filter({ hasText: viewName }).waitFor();
      await fresh.context().close();
    }
  });

  await check('views: rename and delete from the menu; a deleted view’s link keeps its filters', async () => {
    await page.getByTestId('views-button').click();
    await page.getByRole('button', { name: `Rename ${viewName}` }).click();
    await page.getByTestId('view-name').fill(`${viewName} (renamed)`);
    await page.getByTestId('view-submit').click();
    await page.getByTestId('views-button').filter({ hasText: `${viewName} (renamed)` }).waitFor();
    await page.getByTestId('views-button').click();
    await screenshot(page, 'views-menu-light');
    await page.getByRole('button', { name: `Delete ${viewName} (renamed)` }).click();
    await page.getByTestId('view-delete-confirm').click();
    await page.getByTestId('views-button').filter({ hasText: 'Saved views' }).waitFor();
    const fresh = await newPage('light');
    await fresh.goto(link);
    await fresh.getByTestId('view-missing').waitFor();
    await waitForHash(fresh, (q) => q.get('range') === '60d' && q.get('repo') === repo && !q.has('view'), 'the link’s own filters');
    await fresh.context().close();
  });

  const teamName = `E2E ${stamp}`;
  let teamId = '';
  await check('teams: create a team from the Teams page with a repository picker', async () => {
    await page.goto(`${BASE}/#/teams`);
    await page.getByTestId('teams').waitFor();
    await page.getByTestId('team-new').click();
    await page.getByTestId('team-name').fill(teamName);
    await page.getByTestId('team-description').fill('Created by the end-to-end test');
    await page.getByTestId('team-repos').click();
    await page.getByTestId('team-repos').fill(repo);
    await page.getByRole('option', { name: repo, exact: true }).click();
    await page.keyboard.press('Escape'); // closes the dropdown, not the dialog
    await screenshot(page, 'teams-edit-light');
    await page.getByTestId('team-submit').click();
    const row = page.getByRole('row').filter({ hasText: teamName });
    await row.waitFor();
    teamId = (await row.getAttribute('data-testid')).replace('team-row-', '');
    const t = await api('GET', `teams/${teamId}`);
    assert(t.name === teamName && t.repo_ids.length === 1 && t.person_ids.length === 0, `stored team: ${JSON.stringify(t)}`);
  });

  await check('teams: the Organization page filtered by the new team shows the team’s figures', async () => {
    await page.goto(`${BASE}/#/organization?range=90d`);
    await readyChart(page);
    const all = (await api('GET', 'metrics/commit-pr-activity?range=90d')).summary.commits;
    const team = (await api('GET', `metrics/commit-pr-activity?range=90d&team=${teamId}`)).summary.commits;
    assert(team > 0 && team < all, `the team (one repository) should have some but not all commits: ${team} of ${all}`);
    const shown = async () => (await page.getByTestId('summary-commits').innerText()).replace(/[^\d]/g, '');
    await page.waitForFunction((n) => document.querySelector('[data-testid="summary-commits"]')?.textContent?.replace(/[^\d]/g, '').startsWith(String(n)), all, { timeout: PATIENCE });
    await page.getByTestId('filter-team').click();
    await page.getByRole('option', { name: teamName, exact: true }).click();
    await waitForHash(page, (q) => q.get('team') === teamId, `team=${teamId}`);
    await page.waitForFunction((n) => document.querySelector('[data-testid="summary-commits"]')?.textContent?.replace(/[^\d]/g, '').startsWith(String(n)), team, { timeout: PATIENCE });
    await readyChart(page);
    assert((await shown()).startsWith(String(team)), `summary shows ${await shown()}, the API ${team}`);
    await page.keyboard.press('Escape');
    await screenshot(page, 'organization-team-filter-light');
  });

  await check('teams: edit and delete on the Teams page', async () => {
    await page.goto(`${BASE}/#/teams`);
    const row = page.getByTestId(`team-row-${teamId}`);
    await row.getByRole('button', { name: `Edit ${teamName}` }).click();
    await page.getByTestId('team-name').fill(`${teamName} renamed`);
    await page.getByTestId('team-submit').click();
    await row.getByText(`${teamName} renamed`).waitFor();
    await screenshot(page, 'teams-light');
    await row.getByRole('button', { name: `Delete ${teamName} renamed` }).click();
    await page.getByTestId('team-delete-confirm').click();
    await row.waitFor({ state: 'detached' });
    const audit = (await api('GET', 'audit?limit=20')).audit.map((a) => `${a.action} ${a.key}`);
    for (const want of [`team.create ${teamName}`, `team.update ${teamName} renamed`, `team.delete ${teamName} renamed`]) {
      assert(audit.includes(want), `audit log lacks "${want}": ${audit.join('; ')}`);
    }
  });

  await check('screenshots of saved views and teams (dark)', async () => {
    const dark = await newPage('dark');
    const t = await api('POST', 'teams', { name: `Dark ${stamp}`, description: 'For the dark screenshots', repo_ids: [repos[0].id] });
    const v = await api('POST', 'views', { name: `Dark view ${stamp}`, page: 'organization', query: 'range=30d&group=week' });
    try {
      await dark.goto(`${BASE}/#/teams`);
      await dark.getByTestId(`team-row-${t.id}`).waitFor();
      await screenshot(dark, 'teams-dark');
      await dark.getByRole('button', { name: `Edit Dark ${stamp}` }).click();
      await dark.getByTestId('team-name').waitFor();
      await screenshot(dark, 'teams-edit-dark');
      await dark.keyboard.press('Escape');
      await dark.goto(`${BASE}/#/organization?view=${v.id}`);
      await readyChart(dark);
      await dark.getByTestId('views-button').filter({ hasText: `Dark view ${stamp}` }).click();
      await dark.getByTestId('views-menu').waitFor();
      await screenshot(dark, 'views-menu-dark');
      await dark.getByRole('button', { name: `Share Dark view ${stamp}` }).click();
      await dark.getByTestId('view-link').waitFor();
      await screenshot(dark, 'views-share-dark');
    } finally {
      await api('DELETE', `views/${v.id}`);
      await api('DELETE', `teams/${t.id}`);
      await dark.context().close();
    }
  });

  // Last: it adds a repository's data to the server.
  await check('live: a finished collection refreshes the open dashboard and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'momentum-e2e-git-'));
    const git = (...args) =>
      execFileSync('git', args, {
        cwd: dir,
        env: { ...process.env, GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@example.com' },
      });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'README.md'), 'live refresh\n');
    git('add', 'README.md');
    git('commit', '-q', '-m', 'first');
    await api('PUT', 'sources/git/config', { values: { GIT_REPOS: dir } });

    const live = await newPage('light');
    await live.goto(`${BASE}/#/organization?range=30d`);
    await readyChart(live);
    await live.waitForTimeout(1000); // the event stream is open
    let refetched = 0;
    live.on('request', (r) => {
      if (r.url().includes('/api/v1/metrics/commit-pr-activity')) refetched++;
    });
    await api('POST', 'collect', { sources: ['git'] });
    await live.getByTestId('live-notice').waitFor({ timeout: 60_000 });
    assert(/New data collected at .+: dashboards updated/.test(await live.getByTestId('live-notice').innerText()), 'notice text');
    assert(refetched > 0, 'the dashboard did not refetch its metrics after the collection');
    await screenshot(live, 'live-notice-light');
    await live.context().close();
  });

  await page.context().close();
}

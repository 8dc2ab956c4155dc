// The Individual view on demo data (every chart, person switch, compare, export, the
// documented formulas), and the proof: the local git source configured through the
// UI on a repository made here with git, synced, and that person's calendar showing its commits.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** RFC 4180 CSV → rows of cells (quotes, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

const utcDay = (offset) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

export default async function ({ BASE, TIMEOUT, check, assert, newPage, readyChart: ready, points, waitForHash, screenshot }) {
  const page = await newPage('light');
  // A dozen charts load at once on this page: on a busy machine the first ones take longer
  // than the shared 15 s, so wait for the first chart with a longer limit, then as usual.
  const readyChart = async (p, id) => {
    await p.getByTestId(`${id}-chart`).and(p.locator('[data-state="ready"]')).waitFor({ timeout: 4 * TIMEOUT }).catch(() => {});
    return ready(p, id);
  };
  let me = null;

  async function exportCsv(p, title) {
    await p.getByRole('button', { name: `Export ${title}` }).click();
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('menuitem', { name: /CSV/ }).click()]);
    return parseCsv(readFileSync(await download.path(), 'utf8'));
  }

  await check('individual: opens on "me" with all six metrics drawn from demo data', async () => {
    const res = await page.request.get(`${BASE}/api/v1/people/me`);
    assert(res.ok(), `GET /people/me: HTTP ${res.status()}`);
    me = (await res.json()).person;
    assert(me && me.id, 'demo data has nobody marked as me');
    await page.goto(`${BASE}/#/individual?range=30d`);
    for (const id of CHARTS) {
      await readyChart(page, id);
      assert((await points(page, id)) > 0, `${id} has no points`);
    }
    assert((await page.getByTestId('is-me').textContent()).includes('This is you'), 'the page did not open on me');
    assert((await page.getByTestId('person-picker').inputValue()).startsWith(me.name), `picker shows ${await page.getByTestId('person-picker').inputValue()}`);
    const streak = await page.getByTestId('streak-longest').innerText();
    assert(/^\d[\d,]* days?$/.test(streak), `longest streak reads "${streak}"`);
    assert((await points(page, 'calendar')) >= 365, 'the calendar is not a year');
    assert((await points(page, 'heatmap')) === 168, 'the heatmap is not 24×7');
  });

  await check('individual: the documented formulas are next to their scores', async () => {
    const list = await (await page.request.get(`${BASE}/api/v1/metrics`)).json();
    const reviews = list.metrics.find((m) => m.id === 'person-reviews').description;
    const formula = await page.getByTestId('score-thoroughness-formula').getAttribute('data-formula');
    assert(formula && reviews.toLowerCase().includes(formula.slice(0, 40).toLowerCase()), `thoroughness formula "${formula}" is not the catalog's`);
    await page.getByTestId('score-thoroughness-formula').hover();
    await page.getByRole('tooltip').filter({ hasText: 'engagement' }).waitFor();
    const collab = await page.getByTestId('score-collaboration-formula').getAttribute('data-formula');
    assert(/^Collaboration score \(0–100\) = /.test(collab ?? ''), `collaboration formula: ${collab}`);
  });

  await check('individual: switching person reloads every chart for them', async () => {
    const before = await page.getByTestId('value-commits').innerText();
    await page.getByTestId('person-picker').click();
    const other = page.getByRole('option').filter({ hasNotText: '(me)' }).first();
    const name = (await other.innerText()).trim();
    await other.click();
    await waitForHash(page, (q) => q.get('person') && q.get('person') !== String(me.id), 'another person');
    await readyChart(page, 'calendar');
    await readyChart(page, 'heatmap');
    assert((await page.getByTestId('is-me').count()) === 0, 'still marked as me');
    const after = await page.getByTestId('value-commits').innerText();
    const picked = await page.getByTestId('person-picker').inputValue();
    assert(picked === name, `picker shows "${picked}", chose "${name}"`);
    console.log(`        ${me.name}: ${before} commits; ${name}: ${after}`);
    await page.getByTestId('back-to-me').click();
    await waitForHash(page, (q) => q.get('person') === String(me.id), 'back to me');
    await readyChart(page, 'calendar');
  });

  await check('individual: compare draws the previous period as ghosts, with deltas', async () => {
    await page.getByLabel('Compare with previous period').check();
    await waitForHash(page, (q) => q.get('compare') === '1', 'compare=1');
    await page.getByTestId('delta-commits').first().waitFor();
    for (const id of ['commit-frequency', 'code-lines', 'prs', 'review-response', 'reception']) {
      await page.waitForFunction(
        (sel) => /\(previous period\)/.test(document.querySelector(sel)?.getAttribute('data-series') ?? ''),
        `[data-testid="${id}-chart"]`,
        { timeout: TIMEOUT },
      );
    }
    await page.getByTestId('delta-lines_added').waitFor();
  });

  await check('individual: grouping by week redraws the time series per week', async () => {
    const daily = await points(page, 'commit-frequency');
    await page.getByTestId('group').getByText('Week', { exact: true }).click();
    await waitForHash(page, (q) => q.get('group') === 'week', 'group=week');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="commit-frequency-chart"]')?.getAttribute('data-points')) < n, daily, { timeout: TIMEOUT });
    await readyChart(page, 'commit-frequency');
    await page.getByTestId('group').getByText('Day', { exact: true }).click();
    await waitForHash(page, (q) => q.get('group') === 'day', 'group=day');
  });

  await check('individual: export CSV of a chart parses, with the previous period', async () => {
    await readyChart(page, 'commit-frequency');
    const rows = await exportCsv(page, 'Commit frequency');
    const [header, ...body] = rows;
    assert(header.join(',') === 'bucket,commits,previous_bucket,previous_commits', `CSV header: ${header}`);
    assert(body.length === (await points(page, 'commit-frequency')), `CSV rows ${body.length} ≠ chart points`);
    assert(body.every((r) => r.length === header.length && /^\d{4}-\d\d-\d\d$/.test(r[0]) && /^\d+$/.test(r[1])), 'CSV rows malformed');
    const heat = await exportCsv(page, 'When you commit');
    assert(heat[0].join(',') === 'weekday,hour,commits' && heat.length === 169, `heatmap CSV: ${heat[0]} × ${heat.length}`);
  });

  for (const scheme of ['light', 'dark']) {
    await check(`individual: screenshot (${scheme})`, async () => {
      const p = await newPage(scheme);
      await p.goto(`${BASE}/#/individual?range=90d&compare=1`);
      for (const id of CHARTS) await readyChart(p, id);
      await p.waitForLoadState('networkidle');
      await screenshot(p, `individual-page-${scheme}`);
      await p.context().close();
    });
  }

  await check('individual: configure git through the UI on a generated repository, sync, and see its calendar', async () => {
    const root = mkdtempSync(join(tmpdir(), 'momentum-e2e-git-'));
    try {
      const repo = join(root, 'e2e-app');
      const email = 'e2e-dev@example.test';
      const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
      const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
      execFileSync('git', ['init', '-q', '-b', 'main', repo], { env });
      git('config', 'user.name', 'E2E Dev');
      git('config', 'user.email', email);
      // 3 commits two days ago, 1 yesterday, 2 today (UTC, just after midnight): a 3-day streak.
      const plan = [
        [2, 3],
        [1, 1],
        [0, 2],
      ];
      let n = 0;
      for (const [ago, count] of plan) {
        for (let i = 0; i < count; i++) {
          n++;
          writeFileSync(join(repo, `file${n}.go`), `package app\n\nconst N${n} = ${n}\n`);
          git('add', '.');
          const when = `${utcDay(ago)}T00:${String(5 + i).padStart(2, '0')}:00+0000`;
          execFileSync('git', ['commit', '-q', '-m', `change ${n}`], { cwd: repo, env: { ...env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when } });
        }
      }

      // A fresh load (not a hash change) and the page settled before opening the dialog.
      await page.goto('about:blank');
      await page.goto(`${BASE}/#/individual?range=30d`);
      await readyChart(page, 'calendar');
      await page.getByTestId('open-setup').click({ timeout: 4 * TIMEOUT });
      const dialog = page.getByTestId('setup-dialog');
      await dialog.getByTestId('scan-folder').fill(root);
      await dialog.getByTestId('scan-depth').fill('2');
      await dialog.getByTestId('scan').click();
      await dialog.getByTestId('scan-result').filter({ hasText: '1 repository found.' }).waitFor();
      // This person is not "me": only the generated repository's author, no claim on demo's me.
      await dialog.getByTestId('setup-emails').fill('');
      await dialog.getByTestId('read-repositories').click();
      await dialog.waitFor({ state: 'detached', timeout: 120_000 }).catch(async () => {
        const err = await dialog.getByTestId('setup-error').innerText().catch(() => '');
        throw new Error(`setup did not finish: ${err || (await dialog.getByTestId('setup-step').innerText())}`);
      });

      const people = (await (await page.request.get(`${BASE}/api/v1/people`)).json()).people;
      const dev = people.find((p) => p.email === email);
      assert(dev, `no person with ${email} after the sync`);
      await page.getByTestId('person-picker').click();
      await page.getByRole('option', { name: /E2E Dev/ }).click();
      await waitForHash(page, (q) => q.get('person') === String(dev.id), `person=${dev.id}`);
      await readyChart(page, 'calendar');
      await page.getByTestId('streak-current').filter({ hasText: '3 days' }).waitFor();
      assert((await page.getByTestId('value-commits').innerText()) === '6', `commits: ${await page.getByTestId('value-commits').innerText()}`);
      const cal = await exportCsv(page, 'Contribution calendar');
      const byDay = Object.fromEntries(cal.slice(1).map(([d, c]) => [d, Number(c)]));
      for (const [ago, count] of plan) assert(byDay[utcDay(ago)] === count, `calendar ${utcDay(ago)}: ${byDay[utcDay(ago)]}, want ${count}`);
      const total = cal.slice(1).reduce((s, r) => s + Number(r[1]), 0);
      assert(total === 6, `calendar holds ${total} commits, want 6`);
      await readyChart(page, 'languages');
      await screenshot(page, 'individual-git-light');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  await page.context().close();
}

// The Organization view: every panel of every section renders (data, or the empty state that
// says what to configure), range / compare / filters reach the charts, a click on a bar or a
// heatmap cell opens the items behind it, and a panel's CSV export matches the API.
import { readFileSync } from 'node:fs';

const SECTIONS = {
  delivery: {
    charts: ['commits', 'pr-size', 'time-to-merge', 'deployments', 'release-cycle-time', 'lead-time-stages', 'cycle-time', 'cycle-breakdown', 'cycle-heatmap', 'cycle-histogram', 'wip', 'wip-status', 'wip-age'],
    tables: ['wip-oldest'],
  },
  ci: {
    charts: ['pipeline-success', 'failures-heatmap', 'success-weekday', 'pipeline-duration', 'duration-stages', 'duration-boxplot', 'pipeline-failures', 'failures-by-stage', 'failure-reasons', 'mttr'],
    tables: ['slowest-pipelines', 'failing-jobs'],
  },
  review: {
    charts: ['review-quality', 'review-depth', 'review-approvals', 'review-resolution'],
    tables: ['top-reviewers'],
  },
};

/** CSV (RFC 4180, as export.ts writes it) → rows of cells. */
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
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

export default async function ({ BASE, TIMEOUT, check, assert, newPage, readyChart, hashSearch, waitForHash, screenshot }) {
  const page = await newPage('light');
  const api = async (path) => {
    const res = await page.request.get(`${BASE}/api/v1/${path}`);
    assert(res.ok(), `GET ${path}: HTTP ${res.status()} ${await res.text()}`);
    return res.json();
  };

  /** Scrolls through the page until every lazily rendered panel has rendered. */
  async function revealAll(p = page) {
    // The page's code loads on the first visit of its route: wait for its first panel.
    await p.locator('[data-testid$="-chart"]').first().waitFor({ timeout: 3 * TIMEOUT });
    for (let i = 0; i < 40; i++) {
      const lazy = p.locator('.lazy-panel');
      if ((await lazy.count()) === 0) return;
      // A placeholder may render (and detach) while we scroll to it.
      await lazy.first().scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
      await p.waitForTimeout(100);
    }
    throw new Error('panels never rendered while scrolling');
  }

  /** Waits until a panel has settled, and checks an empty one says what to configure. */
  async function settled(id, kind = 'chart') {
    const el = page.getByTestId(`${id}-${kind}`);
    await el.and(page.locator('[data-state="ready"], [data-state="empty"]')).waitFor({ timeout: TIMEOUT }).catch(async () => {
      throw new Error(`${id}: state=${await el.getAttribute('data-state').catch(() => 'missing')}`);
    });
    const state = await el.getAttribute('data-state');
    if (state === 'empty') {
      const text = await el.innerText();
      assert(/No .* in this range/.test(text), `${id} is empty without saying why: "${text.slice(0, 200)}"`);
      assert((await el.getByRole('link', { name: 'Open Data sources' }).count()) === 1 || text.includes('configure a data source'), `${id}: no link to Data sources`);
    }
    return state;
  }

  /** The pixel of data point `index` of series `seriesIndex`, clicked like a user would. */
  async function clickPoint(id, seriesIndex, index, value) {
    const canvasHost = page.getByTestId(`${id}-chart`).locator('[_echarts_instance_]');
    const xy = await canvasHost.evaluate((el, a) => el.__echarts.convertToPixel({ seriesIndex: a.seriesIndex }, a.value), { seriesIndex, value: value ?? [index, 0] });
    await canvasHost.scrollIntoViewIfNeeded();
    const box = await canvasHost.boundingBox();
    await page.mouse.click(box.x + xy[0], box.y + xy[1]);
  }

  for (const [section, { charts, tables }] of Object.entries(SECTIONS)) {
    await check(`organization ${section}: every panel renders data or says what to configure`, async () => {
      await page.goto(`${BASE}/#/organization?range=30d${section === 'delivery' ? '' : `&section=${section}`}`);
      await revealAll();
      const states = {};
      for (const id of charts) states[id] = await settled(id);
      for (const id of tables) states[id] = await settled(id, 'table');
      // Demo data has something in every panel of the main charts.
      const main = { delivery: ['commits', 'deployments', 'cycle-time', 'wip'], ci: ['pipeline-success', 'pipeline-duration', 'pipeline-failures'], review: ['review-quality'] }[section];
      for (const id of main) assert(states[id] === 'ready', `${id} is ${states[id]} on demo data`);
    });
  }

  await check('organization: sections are tabs in the URL; a section loads only its own metrics', async () => {
    // A fresh page: nothing cached from the checks before.
    const p = await newPage('light');
    try {
      await p.goto(`${BASE}/#/organization?range=30d`);
      await readyChart(p, 'commits');
      const requested = [];
      p.on('request', (r) => r.url().includes('/api/v1/metrics/') && requested.push(new URL(r.url()).pathname.split('/').pop()));
      await p.getByTestId('section-ci').click();
      await waitForHash(p, (q) => q.get('section') === 'ci', 'section=ci');
      await readyChart(p, 'pipeline-success');
      assert(requested.includes('pipeline-success'), `CI section fetched ${requested.join(', ')}`);
      assert(!requested.includes('review-quality') && !requested.includes('deployments'), `CI section fetched ${requested.join(', ')}`);
      // Panels far below the fold wait until they are scrolled to.
      assert(!requested.includes('pipeline-failures'), `pipeline-failures was fetched before it was scrolled to: ${requested.join(', ')}`);
      await revealAll(p);
      await readyChart(p, 'pipeline-failures');
      assert(requested.includes('pipeline-duration') && requested.includes('pipeline-failures'), `CI section fetched ${requested.join(', ')}`);
      await p.getByTestId('section-review').click();
      await readyChart(p, 'review-quality');
      await p.goBack();
      await readyChart(p, 'pipeline-success');
    } finally {
      await p.context().close();
    }
  });

  await check('organization: range, grouping, compare and a repository filter change the charts as the API says', async () => {
    await page.goto(`${BASE}/#/organization?range=7d&group=day&section=ci`);
    const c7 = await readyChart(page, 'pipeline-success');
    assert(Number(await c7.getAttribute('data-points')) === 7, `7d: ${await c7.getAttribute('data-points')} points`);
    await page.goto(`${BASE}/#/organization?range=90d&group=week&compare=1&section=ci`);
    await page.getByTestId('pipeline-success-chart').and(page.locator('[data-series*="(previous period)"]')).waitFor();
    const ghosts = await page.getByTestId('pipeline-success-chart').getAttribute('data-series');
    assert(ghosts.includes('Failed (previous period)') && ghosts.includes('Success rate (previous period)'), `ghost series: ${ghosts}`);
    const weekly = await api('metrics/pipeline-success?range=90d&group=week&compare=true');
    assert(Number(await page.getByTestId('pipeline-success-chart').getAttribute('data-points')) === weekly.series.length, 'weekly points differ from the API');
    const delta = await page.getByTestId('delta-success_rate').innerText();
    assert(/vs previous/.test(delta), `no delta on the success rate: ${delta}`);
    // A repository filter: the numbers become that repository's.
    const repo = (await api('repos')).repos[0].full_name;
    await page.goto(`${BASE}/#/organization?range=90d&section=ci&repo=${repo}`);
    await revealAll();
    await readyChart(page, 'pipeline-failures');
    const want = await api(`metrics/pipeline-failures?range=90d&repo=${encodeURIComponent(repo)}`);
    const all = await api('metrics/pipeline-failures?range=90d');
    await page.getByTestId('value-failures').filter({ hasText: new Intl.NumberFormat('en-US').format(want.summary.failures) }).waitFor();
    assert(want.summary.runs < all.summary.runs, `filtering by ${repo} did not narrow the runs`);
    assert(hashSearch(page).get('repo') === repo, 'the filter is not in the URL');
  });

  await check('organization: clicking a deployments bar opens the deployments of that day, linked to their source', async () => {
    await page.goto(`${BASE}/#/organization?range=30d&group=day`);
    await revealAll();
    await readyChart(page, 'deployments');
    const data = await api('metrics/deployments?range=30d&group=day');
    let best = 0;
    data.series.forEach((p, i) => {
      if (p.deployments > data.series[best].deployments) best = i;
    });
    const point = data.series[best];
    assert(point.deployments > 0, 'no deployments on demo data');
    await clickPoint('deployments', 0, best, [best, point.deployments / 2]);
    const items = page.getByTestId('drill-items');
    await items.waitFor();
    const total = Number(await items.getAttribute('data-total'));
    assert(total === point.deployments + point.failed_deployments, `drawer lists ${total}, the bar counts ${point.deployments} + ${point.failed_deployments} failed`);
    assert((await items.getAttribute('data-from')) === point.bucket && (await items.getAttribute('data-to')) === point.bucket, `drawer range ${await items.getAttribute('data-from')}..${await items.getAttribute('data-to')}, bucket ${point.bucket}`);
    const rows = page.getByTestId('drill-row');
    assert((await rows.count()) === Math.min(total, 25), `${await rows.count()} rows`);
    const href = await rows.first().getByRole('link', { name: 'Open' }).getAttribute('href');
    assert(/^https:\/\//.test(href ?? ''), `item link ${href}`);
    await screenshot(page, 'organization-drilldown-light');
    await page.keyboard.press('Escape');
    await items.waitFor({ state: 'detached' });
  });

  await check('organization: clicking a heatmap cell opens the failed runs of that weekday and hour', async () => {
    await page.goto(`${BASE}/#/organization?range=90d&section=ci`);
    await readyChart(page, 'failures-heatmap');
    const data = await api('metrics/pipeline-success?range=90d');
    const cell = data.tables.failures_heatmap.reduce((a, b) => (b.failures > a.failures ? b : a));
    assert(cell.failures > 0, 'no failures on demo data');
    await clickPoint('failures-heatmap', 0, 0, [cell.hour, cell.weekday]);
    const items = page.getByTestId('drill-items');
    await items.waitFor();
    assert(Number(await items.getAttribute('data-total')) === cell.failures, `drawer lists ${await items.getAttribute('data-total')}, the cell counts ${cell.failures}`);
    const started = await page.getByTestId('drill-row').first().locator('td').first().innerText();
    assert(started.includes(`${String(cell.hour).padStart(2, '0')}:`), `first run started ${started}, cell hour ${cell.hour}`);
    await page.keyboard.press('Escape');
  });

  await check('organization: CSV export of a panel parses and matches the API', async () => {
    await page.goto(`${BASE}/#/organization?range=30d&group=week&section=review`);
    await readyChart(page, 'review-quality');
    await page.getByRole('button', { name: 'Export Review quality' }).first().click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /CSV/ }).click()]);
    const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
    const data = await api('metrics/review-quality?range=30d&group=week');
    const header = rows[0];
    assert(header.join(',') === 'bucket,comments_per_pr,no_comment_rate,no_review_rate', `CSV header ${header}`);
    assert(rows.length - 1 === data.series.length, `${rows.length - 1} CSV rows, ${data.series.length} buckets`);
    data.series.forEach((p, i) => {
      const r = rows[i + 1];
      assert(r[0] === p.bucket, `row ${i}: bucket ${r[0]} vs ${p.bucket}`);
      for (const [j, key] of header.entries()) {
        if (j === 0) continue;
        const want = p[key] === null ? '' : String(p[key]);
        assert(r[j] === want, `row ${i} ${key}: ${r[j]} vs ${want}`);
      }
    });
  });

  await check('organization: a range without data shows what to configure, never an empty chart', async () => {
    await page.goto(`${BASE}/#/organization?from=2001-01-01&to=2001-01-31&section=ci`);
    await revealAll();
    for (const id of SECTIONS.ci.charts) assert((await settled(id)) === 'empty', `${id} is not empty in 2001`);
    await screenshot(page, 'organization-ci-empty-light');
  });

  for (const scheme of ['light', 'dark']) {
    await check(`organization: screenshots of every section (${scheme})`, async () => {
      const p = scheme === 'light' ? page : await newPage('dark');
      for (const section of Object.keys(SECTIONS)) {
        await p.goto(`${BASE}/#/organization?range=30d&compare=1${section === 'delivery' ? '' : `&section=${section}`}`);
        // A cold page on a shared, busy machine: allow the first load more than the usual wait.
        await p.getByTestId(`${SECTIONS[section].charts[0]}-chart`).and(p.locator('[data-state="ready"]')).waitFor({ timeout: 3 * TIMEOUT });
        await revealAll(p);
        for (const id of SECTIONS[section].charts) {
          await p.getByTestId(`${id}-chart`).and(p.locator('[data-state="ready"], [data-state="empty"]')).waitFor({ timeout: TIMEOUT });
        }
        await p.evaluate(() => window.scrollTo(0, 0));
        await screenshot(p, `organization-${section}-${scheme}`);
      }
      if (p !== page) await p.context().close();
    });
  }
  await page.context().close();
}

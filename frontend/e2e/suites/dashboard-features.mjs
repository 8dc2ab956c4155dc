// Drill-down on both views, where it was missing: a click on a point of a time series (the
// deployments' lead-time line, a person's commit frequency), a box of the duration box plot, a
// heatmap cell (the person's local weekday × hour) or a table row (slowest pipelines,
// problematic jobs) opens the items behind it, as many as the chart counts, each linked to its
// source. Screenshots of the drawer on both views.

export default async function ({ BASE, TIMEOUT, check, assert, newPage, readyChart, screenshot }) {
  const page = await newPage('light');
  const api = async (path) => {
    const res = await page.request.get(`${BASE}/api/v1/${path}`);
    assert(res.ok(), `GET ${path}: HTTP ${res.status()} ${await res.text()}`);
    return res.json();
  };
  // A busy machine renders a dozen charts slowly: the first one gets a longer wait.
  const ready = async (id) => {
    await page.getByTestId(`${id}-chart`).and(page.locator('[data-state="ready"]')).waitFor({ timeout: 4 * TIMEOUT }).catch(() => {});
    return readyChart(page, id);
  };

  /** Scrolls a panel into view (rendering a lazy one) and waits until its chart is drawn. */
  async function reveal(id) {
    // The page's code loads on the first visit of its route: wait for its first panel.
    await page.locator('[data-testid$="-chart"]').first().waitFor({ timeout: 3 * TIMEOUT });
    for (let i = 0; i < 40 && (await page.getByTestId(`${id}-chart`).count()) === 0; i++) {
      await page.locator('.lazy-panel').first().scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
      await page.waitForTimeout(100);
    }
    return ready(id);
  }

  /** Clicks the pixel of `value` in the series named `series` of chart `id`, like a user would. */
  async function clickValue(id, series, value) {
    const host = page.getByTestId(`${id}-chart`).locator('[_echarts_instance_]');
    await host.scrollIntoViewIfNeeded();
    // Scrolling renders lazy panels, which can move this one: click once it stays put.
    let last = null;
    for (let i = 0; i < 30; i++) {
      const b = await host.boundingBox();
      if (last && b && b.x === last.x && b.y === last.y && b.width === last.width && b.height === last.height) break;
      last = b;
      await page.waitForTimeout(200);
    }
    const xy = await host.evaluate(
      (el, a) => {
        const chart = el.__echarts;
        const seriesIndex = chart.getOption().series.findIndex((s) => s.name === a.series);
        if (seriesIndex < 0) throw new Error(`no series ${a.series}`);
        return chart.convertToPixel({ seriesIndex }, a.value);
      },
      { series, value },
    );
    const box = await host.boundingBox();
    await page.mouse.click(box.x + xy[0], box.y + xy[1]);
  }

  /** The open drawer's items: their total, range and rows, each with a link to its source. */
  async function drawer(want, what) {
    const items = page.getByTestId('drill-items');
    await items.waitFor();
    const total = Number(await items.getAttribute('data-total'));
    assert(total === want, `${what}: the drawer lists ${total}, the chart counts ${want}`);
    const rows = page.getByTestId('drill-row');
    assert((await rows.count()) === Math.min(total, 25), `${what}: ${await rows.count()} rows for ${total} items`);
    const href = await rows.first().getByRole('link', { name: 'Open' }).getAttribute('href');
    assert(/^https:\/\//.test(href ?? ''), `${what}: the first item links to ${href}`);
    return items;
  }

  async function closeDrawer() {
    await page.keyboard.press('Escape');
    await page.getByTestId('drill-items').waitFor({ state: 'detached' });
  }

  await check('dashboard features: a point of the deployments lead-time line opens that day’s deployments', async () => {
    await page.goto(`${BASE}/#/organization?range=30d&group=day`);
    await reveal('deployments');
    const data = await api('metrics/deployments?range=30d&group=day');
    const i = data.series.findIndex((p) => p.lead_time_median_hours !== null && p.deployments > 0);
    assert(i >= 0, 'no lead time on demo data');
    const p = data.series[i];
    await clickValue('deployments', 'Lead time (median)', [i, p.lead_time_median_hours]);
    const items = await drawer(p.deployments + p.failed_deployments, `lead time on ${p.bucket}`);
    assert((await items.getAttribute('data-from')) === p.bucket && (await items.getAttribute('data-to')) === p.bucket, `drawer range is not ${p.bucket}`);
    await closeDrawer();
  });

  await check('dashboard features: a bar of the cycle-time distribution opens the merged PRs with that cycle time', async () => {
    await page.goto(`${BASE}/#/organization?range=30d`);
    await reveal('cycle-histogram');
    const data = await api('metrics/cycle-time?range=30d');
    const bars = data.tables.cycle_time;
    const i = bars.reduce((best, b, j) => (b.count > bars[best].count ? j : best), 0);
    assert(bars[i].count > 0, 'no merged PRs on demo data');
    await clickValue('cycle-histogram', 'PRs', [i, bars[i].count / 2]);
    await drawer(bars[i].count, `cycle time ${bars[i].bucket}`);
    await closeDrawer();
  });

  await check('dashboard features: a box of the duration box plot and a slowest-pipelines row open that pipeline’s runs', async () => {
    await page.goto(`${BASE}/#/organization?range=30d&section=ci`);
    await reveal('duration-boxplot');
    const data = await api('metrics/pipeline-duration?range=30d');
    const boxes = data.tables.box_plot;
    const b = boxes.findIndex((x) => x.name.includes(' · '));
    assert(b >= 0, `no pipeline box on demo data: ${boxes.map((x) => x.name).join(', ')}`);
    // The box plot is horizontal: its box is at (its quartiles, its row); click between q1 and the median.
    await clickValue('duration-boxplot', 'Duration', [(boxes[b].q1 + boxes[b].median) / 2, b]);
    const items = await drawer(boxes[b].runs, `box ${boxes[b].name}`);
    const [repo, pipeline] = boxes[b].name.split(' · ');
    assert((await items.locator('tbody tr').first().innerText()).includes(pipeline), `the runs listed are not of ${pipeline}`);
    assert((await page.getByTestId('drill-row').first().innerText()).includes(repo), `the runs listed are not of ${repo}`);
    await closeDrawer();

    const slowest = data.tables.slowest[0];
    assert(slowest, 'no slowest pipeline on demo data');
    const row = page.getByTestId('slowest-pipelines-row').first();
    await row.scrollIntoViewIfNeeded();
    // Not on the pipeline's own link (that opens the source): on the runs count.
    await row.locator('td').nth(2).click();
    await drawer(slowest.runs, `slowest row ${slowest.repo} · ${slowest.pipeline}`);
    await screenshot(page, 'drilldown-slowest-pipelines-light');
    await closeDrawer();
  });

  await check('dashboard features: a problematic-jobs row opens the failed runs where that job failed', async () => {
    await page.goto(`${BASE}/#/organization?range=30d&section=ci`);
    await page.locator('[data-testid$="-chart"]').first().waitFor({ timeout: 3 * TIMEOUT });
    for (let i = 0; i < 40 && (await page.getByTestId('failing-jobs-row').count()) === 0; i++) {
      await page.locator('.lazy-panel').first().scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
      await page.waitForTimeout(100);
    }
    const data = await api('metrics/pipeline-failures?range=30d');
    const job = data.tables.failing_jobs[0];
    assert(job && job.failures > 0, 'no failing job on demo data');
    const row = page.getByTestId('failing-jobs-row').first();
    await row.scrollIntoViewIfNeeded();
    await row.locator('td').nth(2).click();
    const items = await drawer(job.failures, `job ${job.pipeline} / ${job.job}`);
    assert((await items.getAttribute('data-kind')) === 'failures', 'the drawer does not list failed runs');
    await closeDrawer();
  });

  let me = null;
  await check('dashboard features: a point of a person’s commit frequency opens their commits of that bucket', async () => {
    me = (await api('people/me')).person;
    assert(me, 'demo data has nobody marked as me');
    await page.goto(`${BASE}/#/individual?range=30d&group=week`);
    await ready('commit-frequency');
    const data = await api(`metrics/person-commits?range=30d&group=week&person=${me.id}`);
    const i = data.series.reduce((best, p, j) => (p.commits > data.series[best].commits ? j : best), 0);
    const p = data.series[i];
    assert(p.commits > 0, 'me has no commits on demo data');
    await clickValue('commit-frequency', 'Commits', [i, p.commits]);
    const items = await drawer(p.commits, `commits of the week of ${p.bucket}`);
    assert((await items.getAttribute('data-from')) >= data.from && (await items.getAttribute('data-from')) >= p.bucket, 'the drawer is not on the clicked week');
    // The items are this person's: each lists its author's own time.
    assert((await page.getByTestId('drill-row').first().innerText()).match(/[+-]\d\d:\d\d/), 'no author’s time on the commit');
    await screenshot(page, 'drilldown-individual-light');
    await closeDrawer();
  });

  await check('dashboard features: a cell of a person’s heatmap opens their commits of that local weekday and hour', async () => {
    await ready('heatmap');
    const data = await api(`metrics/person-patterns?range=30d&person=${me.id}`);
    const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    const cell = data.tables.heatmap.reduce((a, b) => (b.commits > a.commits ? b : a));
    assert(cell.commits > 0, 'no commits in the heatmap');
    await clickValue('heatmap', 'Commits', [cell.hour, WEEKDAYS.indexOf(cell.weekday)]);
    await drawer(cell.commits, `heatmap ${cell.weekday} ${cell.hour}:00`);
    const local = await page.getByTestId('drill-row').first().locator('td').nth(1).innerText();
    assert(local.startsWith(cell.weekday) && local.includes(` ${String(cell.hour).padStart(2, '0')}:`), `first commit at ${local}, the cell is ${cell.weekday} ${cell.hour}:00`);
    await closeDrawer();
  });

  await page.context().close();
}

// End-to-end check of the built UI against a running Momentum server (`momentum serve`,
// with data loaded, e.g. by `momentum demo`). Uses the system Chromium; never downloads one.
//
//   MOMENTUM_URL=http://127.0.0.1:7420 npm run e2e
//
// Screenshots of every page, light and dark, go to e2e/screenshots/.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.MOMENTUM_URL ?? 'http://127.0.0.1:7420').replace(/\/+$/, '');
const SHOTS = resolve(import.meta.dirname, 'screenshots');
const TIMEOUT = 15_000;
mkdirSync(SHOTS, { recursive: true });

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok    ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`  FAIL  ${name}\n        ${String(err?.message ?? err).split('\n').slice(0, 6).join('\n        ')}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const chart = (page, id = 'commits') => page.getByTestId(`${id}-chart`);

// A cold browser context fetches the page's code before its data: on a busy
// machine give it COLD (a wait, not a speed check).
const COLD = 3 * TIMEOUT;

async function readyChart(page, id = 'commits', timeout = TIMEOUT) {
  const c = chart(page, id);
  await c.and(page.locator('[data-state="ready"]')).waitFor({ timeout }).catch(async () => {
    const state = await c.getAttribute('data-state').catch(() => 'missing');
    const text = (await c.innerText().catch(() => '')).trim().slice(0, 300);
    throw new Error(`chart ${id} is not ready (state=${state}): ${text}`);
  });
  return c;
}

async function points(page, id = 'commits') {
  return Number(await chart(page, id).getAttribute('data-points'));
}

function hashSearch(page) {
  const url = new URL(page.url());
  const q = url.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

async function waitForHash(page, pred, what) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (pred(hashSearch(page), new URL(page.url()).hash)) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`URL never showed ${what}: ${page.url()}`);
}

async function screenshot(page, name) {
  await page.waitForTimeout(400); // let chart animations settle
  // Grow the viewport to the page instead of fullPage, which would paint the fixed status
  // bar in the middle of the image.
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.waitForTimeout(200);
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), timeout: 60_000 }); // a tall page on a busy machine
  await page.setViewportSize(viewport);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

console.log(`e2e against ${BASE}`);
const pageErrors = [];

async function newPage(colorScheme) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => pageErrors.push(`[${colorScheme}] ${(e.stack ?? e.message).split('\n').slice(0, 4).join(' / ')}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`[${colorScheme}] console: ${m.text()}`);
  });
  return page;
}

try {
  const page = await newPage('light');

  let repo = '';
  await check('server answers /api/v1/health', async () => {
    const res = await page.request.get(`${BASE}/api/v1/health`);
    assert(res.ok(), `health: HTTP ${res.status()}`);
    const h = await res.json();
    assert(['embedded-postgres', 'sqlite', 'postgres'].includes(h.engine), `unexpected engine ${h.engine}`);
    // A repository that exists on this server, for the shared-URL check.
    repo = (await (await page.request.get(`${BASE}/api/v1/repos`)).json()).repos?.[0]?.full_name ?? '';
  });

  let points30 = 0;
  await check('organization: commits chart has data, status bar shows the engine', async () => {
    await page.goto(`${BASE}/#/organization?range=30d`);
    await readyChart(page);
    points30 = await points(page);
    assert(points30 > 0, `data-points=${points30}`);
    const engine = (await page.getByTestId('status-engine').innerText()).trim();
    assert(/PostgreSQL|SQLite/.test(engine), `status bar engine reads "${engine}"`);
    await page.getByTestId('summary-commits').waitFor();
    await readyChart(page, 'pr-size');
    await readyChart(page, 'time-to-merge');
  });

  await check('navigation: Individual, Data sources, Settings, back to Organization', async () => {
    await page.getByTestId('nav-individual').click();
    await page.getByTestId('page-individual').waitFor();
    await page.getByTestId('person-picker').waitFor();
    await page.getByTestId('nav-data-sources').click();
    await page.getByTestId('page-data-sources').waitFor();
    await page.getByRole('heading', { name: 'Repositories', exact: true }).waitFor();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('page-settings').waitFor();
    await page.getByTestId('settings-health').getByText('Database engine').waitFor();
    await page.getByTestId('nav-organization').click();
    await readyChart(page);
    // The range travelled with the navigation.
    assert(hashSearch(page).get('range') === '30d', `range lost on navigation: ${page.url()}`);
  });

  await check('range 90d: URL updates and the chart re-renders', async () => {
    const before = await page.getByTestId('commits-range').innerText();
    await page.getByTestId('range').getByText('90d', { exact: true }).click();
    await waitForHash(page, (q) => q.get('range') === '90d', 'range=90d');
    await page.waitForFunction(
      (prev) => document.querySelector('[data-testid="commits-range"]')?.textContent !== prev,
      before,
      { timeout: TIMEOUT },
    );
    await readyChart(page);
    const p = await points(page);
    assert(p > points30, `expected more points for 90d than 30d: ${p} vs ${points30}`);
  });

  await check('compare: ghost series and deltas appear', async () => {
    await page.getByLabel('Compare with previous period').check();
    await waitForHash(page, (q) => q.get('compare') === '1', 'compare=1');
    await page.getByTestId('delta-commits').waitFor();
    await page.waitForFunction(() => /previous period/.test(document.querySelector('[data-testid="commits-chart"]')?.getAttribute('data-series') ?? ''), null, { timeout: TIMEOUT });
    await screenshot(page, 'organization-compare-light');
  });

  await check('export: CSV of the shown series downloads', async () => {
    await page.getByRole('button', { name: 'Export Commit & PR activity' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /CSV/ }).click()]);
    const text = readFileSync(await download.path(), 'utf8');
    const header = text.split('\r\n')[0];
    assert(header.startsWith('bucket,commits,prs_opened,prs_merged,previous_bucket'), `CSV header: ${header}`);
    assert(text.split('\r\n').filter(Boolean).length === (await points(page)) + 1, 'CSV rows ≠ chart points');
  });

  await check('shared URL: a fresh tab restores range, compare, grouping and filters', async () => {
    const shared = await newPage('light');
    await shared.goto(`${BASE}/#/organization?range=60d&compare=1&group=week${repo ? `&repo=${repo}` : ''}`);
    await readyChart(shared, 'commits', COLD);
    const q = hashSearch(shared);
    assert(q.get('range') === '60d' && q.get('compare') === '1' && q.get('group') === 'week' && (q.get('repo') ?? '') === repo, `URL lost state: ${shared.url()}`);
    assert(await shared.getByLabel('Compare with previous period').isChecked(), 'compare switch is off');
    assert(await shared.getByTestId('range').locator('input[value="60d"]').isChecked(), '60d is not selected');
    assert(await shared.getByTestId('group').locator('input[value="week"]').isChecked(), 'week is not selected');
    await shared.getByTestId('delta-commits').waitFor();
    await shared.reload();
    await readyChart(shared, 'commits', COLD);
    assert(hashSearch(shared).get('range') === '60d', `reload lost state: ${shared.url()}`);
    await shared.getByTestId('delta-commits').waitFor();
    await shared.context().close();
  });

  await check('bad URL params fall back to defaults without crashing', async () => {
    const bad = await newPage('light');
    await bad.goto(`${BASE}/#/organization?range=banana&group=year&team=x,-1&from=2026-02-30&compare=maybe`);
    await waitForHash(bad, (q) => q.get('range') === '30d' && q.get('group') === 'day' && !q.has('team') && !q.has('compare'), 'normalised params');
    await readyChart(bad);
    await bad.context().close();
  });

  for (const scheme of ['light', 'dark']) {
    await check(`screenshots (${scheme})`, async () => {
      const p = await newPage(scheme);
      await p.goto(`${BASE}/#/organization?range=30d&compare=1`);
      await readyChart(p);
      await readyChart(p, 'pr-size');
      const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const dark = bg.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) < 3 * 100;
      assert(dark === (scheme === 'dark'), `body background ${bg} does not follow ${scheme}`);
      await screenshot(p, `organization-${scheme}`);
      for (const [nav, name] of [['nav-individual', 'individual'], ['nav-data-sources', 'data-sources'], ['nav-settings', 'settings']]) {
        await p.getByTestId(nav).click();
        await p.getByTestId(`page-${name}`).waitFor();
        await p.waitForLoadState('networkidle');
        await screenshot(p, `${name}-${scheme}`);
      }
      await p.context().close();
    });
  }

  // Each area's checks live in e2e/suites/<area>.mjs: a default export that
  // receives these helpers. They run in file-name order after the checks above.
  const suites = resolve(import.meta.dirname, 'suites');
  const helpers = { BASE, TIMEOUT, SHOTS, check, assert, newPage, readyChart, points, hashSearch, waitForHash, screenshot };
  // E2E_SUITES=a.mjs,b.mjs runs only those suites (after the checks above).
  const only = process.env.E2E_SUITES?.split(',').filter(Boolean);
  for (const file of readdirSync(suites).filter((f) => f.endsWith('.mjs') && (!only || only.includes(f))).sort()) {
    console.log(`suite ${file}`);
    const suite = await import(pathToFileURL(resolve(suites, file)).href);
    await suite.default(helpers);
  }

  await check('no page errors or console errors', async () => {
    assert(pageErrors.length === 0, pageErrors.slice(0, 5).join('\n'));
  });
} finally {
  await browser.close();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`screenshots: ${SHOTS}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

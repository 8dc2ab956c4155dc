// Time until every panel of the Organization page (one section) is ready, in Chromium, against a
// running `momentum serve`: a fresh browser context per run (nothing cached), a viewport tall
// enough that every lazily rendered panel renders at once, clocked from navigation to the moment
// no chart or table panel is loading any more; then, in the same page, the time a range switch
// takes (JavaScript loaded: the figures and drawing only). Prints each run and the medians.
//
//   MOMENTUM_URL=http://127.0.0.1:7420 node e2e/page-ready.mjs [runs=5] [section=delivery] [range=30d] [compare=false]
import { chromium } from 'playwright-core';

const BASE = (process.env.MOMENTUM_URL ?? 'http://127.0.0.1:7420').replace(/\/+$/, '');
const runs = Number(process.argv[2] ?? 5);
const section = process.argv[3] ?? 'delivery';
const range = process.argv[4] ?? '30d';
const compare = process.argv[5] === 'true';
const url = `${BASE}/#/organization?range=${range}${compare ? '&compare=true' : ''}${section === 'delivery' ? '' : `&section=${section}`}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** True once the page shows panels and none of them is loading or still a lazy placeholder. */
function allReady() {
  const panels = [...document.querySelectorAll('[data-testid$="-chart"][data-state], [data-testid$="-table"][data-state]')];
  if (panels.length === 0 || document.querySelector('.lazy-panel')) return false;
  return panels.every((el) => el.getAttribute('data-state') !== 'loading');
}

const times = [];
const switches = [];
let panels = 0;
let scripts = 0;
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 9000 } });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(allReady, null, { timeout: 60_000, polling: 20 });
    times.push(Date.now() - started);
    panels = await page.evaluate(() => document.querySelectorAll('[data-testid$="-chart"][data-state], [data-testid$="-table"][data-state]').length);
    // Bytes of JavaScript the page fetched (decoded; served uncompressed from the binary).
    const bytes = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.initiatorType === 'script' || /\.js$/.test(new URL(e.name).pathname))
        .reduce((n, e) => n + e.decodedBodySize, 0),
    );
    scripts = bytes;
    // In the open app (JavaScript loaded, page drawn): switch to a range of the same length
    // ending a day earlier (from/to: figures not fetched yet) and time until every panel shows
    // them: each of the page's metric requests for the new range has answered (resource
    // timing) and no panel is loading.
    const requestsFor = (q) =>
      page.evaluate(
        (q) => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/metrics/') && e.name.includes(q)).length,
        q,
      );
    const perPage = await requestsFor(`range=${range}`);
    const days = Number(range.replace(/d$/, ''));
    const iso = (d) => d.toISOString().slice(0, 10);
    const to = new Date(Date.now() - 86_400_000);
    const from = new Date(to.getTime() - (days - 1) * 86_400_000);
    const hash = url.slice(url.indexOf('#')).replace(`range=${range}`, `from=${iso(from)}&to=${iso(to)}`);
    const t0 = Date.now();
    await page.evaluate((h) => (location.hash = h), hash);
    await page.waitForFunction(
      ([q, n]) => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/metrics/') && e.name.includes(q)).length >= n,
      [`from=${iso(from)}`, perPage],
      { timeout: 60_000, polling: 20 },
    );
    await page.waitForFunction(allReady, null, { timeout: 60_000, polling: 20 });
    switches.push(Date.now() - t0);
    console.log(
      `run ${i + 1}: ${times.at(-1)} ms from navigation, ${switches.at(-1)} ms for a range switch in the open app (${panels} panels, ${perPage} metric requests, ${(bytes / 1024).toFixed(0)} kB of JavaScript)`,
    );
    await context.close();
  }
} finally {
  await browser.close();
}
const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median of ${runs}: ${sorted[Math.floor(sorted.length / 2)]} ms (min ${sorted[0]}, max ${sorted.at(-1)})`;
};
console.log(
  `organization ${section} (${range}${compare ? ', compare' : ''}): all ${panels} panels ready: from navigation ${stats(times)}; range switch in the open app ${stats(switches)}; ${(scripts / 1024).toFixed(0)} kB of JavaScript loaded`,
);

// Time until every panel of the Organization page (one section) is ready, in Chromium, against a
// running `momentum serve`: a fresh browser context per run (nothing cached), a viewport tall
// enough that every lazily rendered panel renders at once, clocked from navigation to the moment
// no chart or table panel is loading any more. Prints each run and the median.
//
//   MOMENTUM_URL=http://127.0.0.1:7420 node e2e/page-ready.mjs [runs=5] [section=delivery]
import { chromium } from 'playwright-core';

const BASE = (process.env.MOMENTUM_URL ?? 'http://127.0.0.1:7420').replace(/\/+$/, '');
const runs = Number(process.argv[2] ?? 5);
const section = process.argv[3] ?? 'delivery';
const url = `${BASE}/#/organization?range=30d${section === 'delivery' ? '' : `&section=${section}`}`;

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
    console.log(`run ${i + 1}: ${times.at(-1)} ms (${panels} panels, ${(bytes / 1024).toFixed(0)} kB of JavaScript)`);
    await context.close();
  }
} finally {
  await browser.close();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`organization ${section}: all ${panels} panels ready, median of ${runs}: ${median} ms (min ${sorted[0]}, max ${sorted.at(-1)}); ${(scripts / 1024).toFixed(0)} kB of JavaScript loaded`);

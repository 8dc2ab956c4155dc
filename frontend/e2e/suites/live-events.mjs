// Live events across a dropped stream, without restarting the server: the page's requests
// to /api/v1/collect/events are routed through the test, which can end a stream at once (as a
// server closing it), answer 503 (as a restarting server), or let it through to the real one.
// Chromium logs the refused streams as console errors, so these pages are not watched for them.

const EVENTS = '**/api/v1/collect/events';

/** Routes the events stream by phase: 'end' | 'down' | 'pass'. */
async function routeEvents(page) {
  const ctl = { phase: 'pass', seen: { end: 0, down: 0, pass: 0 } };
  await page.route(EVENTS, async (route) => {
    const phase = ctl.phase;
    ctl.seen[phase]++;
    if (phase === 'end') {
      // A stream that says ready and ends: the browser retries after the retry: delay.
      return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' }, body: 'retry: 1000\nevent: ready\ndata: {}\n\n' });
    }
    if (phase === 'down') {
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"the server is restarting"}' });
    }
    return route.continue();
  });
  return ctl;
}

/** Records every text the element with testid shows, from now on. */
async function recordTexts(page, testid) {
  await page.evaluate((id) => {
    window.__texts = window.__texts ?? {};
    const seen = (window.__texts[id] = []);
    const note = () => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const t = el?.textContent ?? null;
      if (t !== null && seen.at(-1) !== t) seen.push(t);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, testid);
  return () => page.evaluate((id) => window.__texts[id], testid);
}

export default async function ({ BASE, check, assert, newPage, screenshot }) {
  const watched = await newPage('light');
  const context = watched.context();
  await watched.close();

  await check('live events: the Data sources page follows streams that end, then 503s, back to the live stream', async () => {
    const page = await context.newPage();
    try {
      const ctl = await routeEvents(page);
      ctl.phase = 'end'; // every stream says ready and ends at once, as a server closing it
      await page.goto(`${BASE}/#/data-sources`);
      const state = page.getByTestId('runs-live-state');
      await state.waitFor();
      const texts = await recordTexts(page, 'runs-live-state');
      // The browser reconnects by itself (retry: 1000), stream after stream; between two, the
      // page says it reconnects (a stream's ready and its end may land in one render).
      for (const deadline = Date.now() + 45_000; ctl.seen.end < 3; ) {
        assert(Date.now() < deadline, `the browser did not reconnect after each ended stream: ${JSON.stringify(ctl.seen)}`);
        await page.waitForTimeout(200);
      }
      await state.filter({ hasText: /^(Reconnecting…|Live)$/ }).waitFor();

      ctl.phase = 'down'; // the browser gives up on a 503: the page reopens with backoff
      await state.filter({ hasText: /^Reconnecting in \d+ s…$/ }).waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => window.__texts['runs-live-state'].some((t) => /^Reconnecting in [2-9] s…$/.test(t)), null, { timeout: 45_000 })
        .catch(async (e) => { throw new Error(`${e.message}; states seen: ${(await texts()).join(' | ')}; streams ${JSON.stringify(ctl.seen)}`); });
      await page.getByTestId('runs').scrollIntoViewIfNeeded();
      await screenshot(page, 'live-events-reconnecting');
      ctl.phase = 'pass';
      await state.filter({ hasText: /^Live$/ }).waitFor({ timeout: 30_000 });
      const seen = await texts();
      assert(ctl.seen.down >= 2 && ctl.seen.pass >= 1, `streams by phase: ${JSON.stringify(ctl.seen)}`);
      assert(seen.at(-1) === 'Live', `last state: ${seen.join(' | ')}`);
      assert(seen.includes('Reconnecting…'), `the page never said it reconnects while the browser retried: ${seen.join(' | ')}`);
    } finally {
      await page.close();
    }
  });

  await check('live events: a dashboard says discreetly it reconnects after 5 s down, and refreshes once back', async () => {
    const page = await context.newPage();
    try {
      const ctl = await routeEvents(page);
      let metricRequests = 0;
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/metrics/')) metricRequests++;
      });
      ctl.phase = 'end';
      await page.goto(`${BASE}/#/organization`);
      await page.getByTestId('page-organization').waitFor();
      await page.waitForLoadState('networkidle');
      const note = page.getByTestId('live-offline');
      assert((await note.count()) === 0, 'a stream that ends and comes back at once is worth no note');
      ctl.phase = 'down';
      await note.waitFor({ timeout: 30_000 });
      const text = (await note.innerText()).trim();
      assert(/^Reconnecting( in \d+ s)?…$/.test(text), `the note says: ${text}`);
      await screenshot(page, 'live-events-dashboard-offline');
      const before = metricRequests;
      ctl.phase = 'pass';
      await note.waitFor({ state: 'detached', timeout: 40_000 });
      await page.waitForLoadState('networkidle');
      assert(metricRequests > before, 'the dashboard did not refetch its metrics once the stream was back');
    } finally {
      await page.close();
      await context.close();
    }
  });
}

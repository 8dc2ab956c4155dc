// A stand-in for `momentum serve` while the Go API is being written: serves frontend/dist and
// canned JSON that follows the /api/v1 contract (frontend/src/api/types.ts). For iterating on
// the UI only; the real e2e run targets the Go server.
//
//   node e2e/mock-server.mjs [--port 7421] [--notice "text"] [--empty]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '7421' },
    host: { type: 'string', default: '127.0.0.1' },
    notice: { type: 'string', default: 'embedded PostgreSQL could not start: PostgreSQL refuses to run as root — using SQLite' },
    empty: { type: 'boolean', default: false },
  },
});

const DIST = resolve(import.meta.dirname, '..', 'dist');
const TODAY = process.env.MOCK_TODAY ?? new Date().toISOString().slice(0, 10);

const REPOS = [
  { id: 1, full_name: 'acme/api', source: 'github' },
  { id: 2, full_name: 'acme/web', source: 'github' },
  { id: 3, full_name: 'acme/infra', source: 'gitlab' },
  { id: 4, full_name: 'acme/mobile', source: 'git' },
];
const TEAMS = [
  { id: 1, name: 'Platform' },
  { id: 2, name: 'Web' },
  { id: 3, name: 'Mobile' },
];
const PEOPLE = [
  { id: 1, name: 'Ada Lovelace', email: 'ada@acme.dev', is_bot: false },
  { id: 2, name: 'Grace Hopper', email: 'grace@acme.dev', is_bot: false },
  { id: 3, name: 'Linus Torvalds', email: 'linus@acme.dev', is_bot: false },
  { id: 4, name: 'Margaret Hamilton', email: 'margaret@acme.dev', is_bot: false },
  { id: 5, name: 'Ken Thompson', email: 'ken@acme.dev', is_bot: false },
  { id: 6, name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com', is_bot: true },
];

const METRICS = [
  ['commit-pr-activity', 'Commit & PR activity', 'organization', 'delivery', true, 'Commits per bucket; PRs opened and merged; merge rate = merged ÷ (merged + closed unmerged); time to merge (mean, median, distribution); PR size distribution.'],
  ['deployments', 'Deployments', 'organization', 'delivery', false, 'Successful production deployments per bucket, DORA tier, lead time for changes.'],
  ['cycle-time', 'Cycle time', 'organization', 'delivery', false, 'Coding, pickup, review and deploy time per merged PR.'],
  ['wip', 'Work in progress', 'organization', 'delivery', false, 'Open PRs and their age, waiting for review, in review.'],
  ['pipeline-success', 'Pipeline success', 'organization', 'operational', false, 'Pipeline success rate and failures by hour and weekday.'],
  ['review-quality', 'Review quality', 'organization', 'quality', false, 'Comments per PR, review depth, PRs merged without review.'],
  ['person-commits', 'Commits', 'individual', 'contribution', false, 'Total and trend, streaks, contribution calendar.'],
  ['person-code', 'Code changes', 'individual', 'contribution', false, 'Lines added, removed and net; languages; repository spread.'],
  ['person-patterns', 'Work patterns', 'individual', 'patterns', false, 'Weekday × hour heatmap, focus time, context switching.'],
].map(([id, title, view, family, available, description]) => ({ id, title, view, family, description, available }));

// Deterministic noise so screenshots are stable.
function noise(seed) {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

const DAY = 86_400_000;
const toDate = (s) => new Date(`${s}T00:00:00Z`);
const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => iso(new Date(toDate(s).getTime() + n * DAY));

function bucketStart(day, group) {
  const d = toDate(day);
  if (group === 'week') return addDays(day, -((d.getUTCDay() + 6) % 7)); // Monday
  if (group === 'month') return `${day.slice(0, 7)}-01`;
  return day;
}

function daily(day, scale) {
  const t = toDate(day).getTime() / DAY;
  const weekday = toDate(day).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.25 : 1;
  const trend = 1 + 0.15 * Math.sin(t / 9);
  const commits = args.empty ? 0 : Math.round((22 + 14 * noise(t)) * weekend * trend * scale);
  const prs_opened = args.empty ? 0 : Math.round((3 + 4 * noise(t + 0.5)) * weekend * scale);
  const prs_merged = args.empty ? 0 : Math.max(0, Math.round(prs_opened * (0.7 + 0.3 * noise(t + 0.7))));
  return { commits, prs_opened, prs_merged };
}

function seriesFor(from, to, group, scale) {
  const byBucket = new Map();
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const b = bucketStart(d, group);
    const cur = byBucket.get(b) ?? { bucket: b, commits: 0, prs_opened: 0, prs_merged: 0 };
    const v = daily(d, scale);
    cur.commits += v.commits;
    cur.prs_opened += v.prs_opened;
    cur.prs_merged += v.prs_merged;
    byBucket.set(b, cur);
  }
  return [...byBucket.values()];
}

function summaryOf(series, seed) {
  const sum = (k) => series.reduce((a, p) => a + p[k], 0);
  const merged = sum('prs_merged');
  const closed = Math.round(merged * 0.08 + 2 * noise(seed));
  const median = merged ? 14 + 10 * noise(seed + 1) : null;
  return {
    commits: sum('commits'),
    prs_opened: sum('prs_opened'),
    prs_merged: merged,
    prs_closed_unmerged: merged ? closed : 0,
    merge_rate: merged + closed ? merged / (merged + closed) : null,
    time_to_merge_mean_hours: median && median * 1.6,
    time_to_merge_median_hours: median,
    time_to_merge_p75_hours: median && median * 2.2,
    time_to_merge_p95_hours: median && median * 6,
  };
}

function tablesOf(summary) {
  const n = summary.prs_merged;
  const split = (weights) => weights.map((w) => Math.round(n * w));
  const sizes = split([0.18, 0.34, 0.3, 0.14, 0.04]);
  const ttm = split([0.08, 0.2, 0.34, 0.24, 0.1, 0.04]);
  return {
    pr_size: ['XS', 'S', 'M', 'L', 'XL'].map((bucket, i) => ({ bucket, count: sizes[i] })),
    time_to_merge: ['<1h', '1-4h', '4-24h', '1-3d', '3-7d', '>7d'].map((bucket, i) => ({ bucket, count: ttm[i] })),
  };
}

function commitPrActivity(q) {
  let from;
  let to;
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (q.has('from') || q.has('to')) {
    from = q.get('from');
    to = q.get('to');
    if (!date.test(from ?? '') || !date.test(to ?? '')) return [400, { error: 'from and to must both be dates (YYYY-MM-DD)' }];
    if (from > to) return [400, { error: `from (${from}) is after to (${to})` }];
  } else {
    const m = /^(\d+)d$/.exec(q.get('range') ?? '30d');
    if (!m) return [400, { error: `unknown range "${q.get('range')}": use 7d, 30d, 60d or 90d, or from and to` }];
    to = TODAY;
    from = addDays(TODAY, 1 - Number(m[1]));
  }
  const group = q.get('group') ?? 'day';
  if (!['day', 'week', 'month'].includes(group)) return [400, { error: `unknown group "${group}"` }];
  // Filters narrow the mock data proportionally, so the UI visibly reacts.
  const narrowed = ['repo', 'team', 'person'].reduce((s, k) => (q.get(k) ? s * 0.45 : s), 1);
  const series = seriesFor(from, to, group, narrowed);
  const summary = summaryOf(series, toDate(from).getTime() / DAY);
  const out = { metric: 'commit-pr-activity', from, to, group, summary, series, tables: tablesOf(summary) };
  if (q.get('compare') === 'true') {
    const len = (toDate(to) - toDate(from)) / DAY + 1;
    const pFrom = addDays(from, -len);
    const pTo = addDays(from, -1);
    let prev = seriesFor(pFrom, pTo, group, narrowed * 0.9);
    // Aligned by index with the current series.
    prev = series.map((_, i) => prev[i] ?? { bucket: addDays(pFrom, i), commits: 0, prs_opened: 0, prs_merged: 0 });
    out.previous = summaryOf(prev, toDate(pFrom).getTime() / DAY);
    out.previous_series = prev;
  }
  return [200, out];
}

function api(path, q) {
  if (path === '/api/v1/health')
    return [200, { status: 'ok', version: '0.1.0', engine: args.notice ? 'sqlite' : 'embedded-postgres', data_dir: '/home/u/.config/Momentum', database: 'sqlite:/home/u/.config/Momentum/momentum.db', notice: args.notice }];
  if (path === '/api/v1/metrics') return [200, { metrics: METRICS }];
  if (path === '/api/v1/repos') return [200, { repos: REPOS }];
  if (path === '/api/v1/teams') return [200, { teams: TEAMS }];
  if (path === '/api/v1/people') return [200, { people: PEOPLE }];
  if (path === '/api/v1/metrics/commit-pr-activity') return commitPrActivity(q);
  const m = /^\/api\/v1\/metrics\/([^/]+)$/.exec(path);
  if (m && METRICS.some((x) => x.id === m[1])) return [500, { error: `metric ${m[1]} is not built yet` }];
  if (m) return [404, { error: `unknown metric "${decodeURIComponent(m[1])}"` }];
  return [404, { error: `no such endpoint: ${path}` }];
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname.startsWith('/api/')) {
    const [status, body] = api(url.pathname, url.searchParams);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
    return;
  }
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  let file = join(DIST, rel || 'index.html');
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end('frontend/dist is empty: run `npm run build` first\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});

server.listen(Number(args.port), args.host, () => {
  console.log(`mock momentum API on http://${args.host}:${args.port} (today=${TODAY}${args.empty ? ', empty' : ''})`);
});

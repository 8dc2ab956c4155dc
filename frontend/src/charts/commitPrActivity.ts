// Chart options and export rows for `commit-pr-activity`. Pure functions of the API answer,
// so they are tested without a canvas.
import type { CommitPrActivity, CommitPrPoint, CountBucket } from '../api/types';
import { formatBucketLong, formatBucketShort, formatCount } from '../format';
import type { ChartOption, ChartPalette } from './echarts';
import { slug, tableOf, type ChartExport, type ExportColumn } from './export';

export const SERIES = {
  commits: 'Commits',
  prsOpened: 'PRs opened',
  prsMerged: 'PRs merged',
} as const;

export const PREVIOUS_SUFFIX = ' (previous period)';

const KEYS: { name: string; key: keyof Omit<CommitPrPoint, 'bucket'>; color: keyof ChartPalette; axis: 0 | 1 }[] = [
  { name: SERIES.commits, key: 'commits', color: 'commits', axis: 0 },
  { name: SERIES.prsOpened, key: 'prs_opened', color: 'prsOpened', axis: 1 },
  { name: SERIES.prsMerged, key: 'prs_merged', color: 'prsMerged', axis: 1 },
];

/** Whether the range holds no activity at all (then the chart is replaced by a message). */
export function isEmptyActivity(data: CommitPrActivity): boolean {
  return data.series.every((p) => p.commits === 0 && p.prs_opened === 0 && p.prs_merged === 0);
}

/** The ghost series are drawn only when the server sent an aligned previous period. */
export function hasPrevious(data: CommitPrActivity): boolean {
  return !!data.previous_series && data.previous_series.length === data.series.length && data.series.length > 0;
}

export function seriesNames(data: CommitPrActivity): string[] {
  const names = KEYS.map((k) => k.name);
  return hasPrevious(data) ? [...names, ...names.map((n) => n + PREVIOUS_SUFFIX)] : names;
}

/**
 * Legend state: the user's toggles win; otherwise the previous-period PR lines start hidden
 * (three dashed lines over three solid ones is noise), the previous commits line shows.
 */
export function legendSelection(data: CommitPrActivity, userSelected: Record<string, boolean>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of seriesNames(data)) {
    const byDefault = !name.endsWith(PREVIOUS_SUFFIX) || name === SERIES.commits + PREVIOUS_SUFFIX;
    out[name] = userSelected[name] ?? byDefault;
  }
  return out;
}

interface TooltipParam {
  seriesName: string;
  dataIndex: number;
  value: number;
  marker: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

export function commitPrOption(data: CommitPrActivity, p: ChartPalette, selected: Record<string, boolean>): ChartOption {
  const buckets = data.series.map((x) => x.bucket);
  const prev = hasPrevious(data) ? data.previous_series! : undefined;

  // Commits are bars on the left axis; PR counts (an order of magnitude smaller) are lines
  // on the right axis, so both stay readable.
  const current = KEYS.map((k) =>
    k.axis === 0
      ? {
          name: k.name,
          type: 'bar' as const,
          yAxisIndex: 0,
          data: data.series.map((x) => x[k.key]),
          color: p[k.color],
          sampling: 'lttb' as const,
          barMaxWidth: 28,
          itemStyle: { opacity: 0.8, borderRadius: [3, 3, 0, 0] },
          emphasis: { focus: 'series' as const },
          z: 2,
        }
      : {
          name: k.name,
          type: 'line' as const,
          yAxisIndex: 1,
          data: data.series.map((x) => x[k.key]),
          color: p[k.color],
          showSymbol: data.series.length <= 31,
          symbolSize: 5,
          sampling: 'lttb' as const,
          lineStyle: { width: 2 },
          emphasis: { focus: 'series' as const },
          z: 4,
        },
  );

  const ghosts = prev
    ? KEYS.map((k) => ({
        name: k.name + PREVIOUS_SUFFIX,
        type: 'line' as const,
        yAxisIndex: k.axis,
        data: prev.map((x) => x[k.key]),
        // Over the commit bars a line in the bars' own colour would vanish.
        color: k.axis === 0 ? p.ghost : p[k.color],
        showSymbol: false,
        sampling: 'lttb' as const,
        lineStyle: { width: 1.5, type: 'dashed' as const, opacity: 0.75 },
        itemStyle: { opacity: 0.75 },
        z: 3,
      }))
    : [];

  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 44, bottom: 56, containLabel: true },
    legend: { top: 0, left: 0, type: 'plain', icon: 'roundRect', itemWidth: 14, itemHeight: 8, selected },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
        const i = params[0]?.dataIndex ?? 0;
        const head = `<div style="font-weight:600;margin-bottom:4px">${esc(formatBucketLong(buckets[i] ?? '', data.group))}</div>`;
        const rows = params.map((x) => {
          const isGhost = x.seriesName.endsWith(PREVIOUS_SUFFIX);
          const label = isGhost
            ? `${esc(x.seriesName.slice(0, -PREVIOUS_SUFFIX.length))} · ${esc(formatBucketShort(prev?.[i]?.bucket ?? '', data.group))}`
            : esc(x.seriesName);
          return `<div style="display:flex;justify-content:space-between;gap:16px${isGhost ? ';opacity:.75' : ''}"><span>${x.marker}${label}</span><b style="font-variant-numeric:tabular-nums">${formatCount(x.value)}</b></div>`;
        });
        return head + rows.join('');
      },
    },
    xAxis: {
      type: 'category',
      data: buckets,
      axisLabel: { formatter: (v: string) => formatBucketShort(v, data.group), hideOverlap: true },
    },
    yAxis: [
      { type: 'value', name: 'Commits', minInterval: 1, nameTextStyle: { align: 'left' } },
      { type: 'value', name: 'PRs', minInterval: 1, splitLine: { show: false }, nameTextStyle: { align: 'right' } },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 22, bottom: 6, labelFormatter: (_: number, v: string) => formatBucketShort(v, data.group) },
    ],
    series: [...current, ...ghosts],
  };
}

/**
 * Rows of the activity chart: one per bucket, a column per series shown (legend toggles
 * respected; all series when `selected` is omitted), previous-period columns when compared.
 */
export function commitPrExport(data: CommitPrActivity, selected?: Record<string, boolean>): ChartExport {
  const prev = hasPrevious(data) ? data.previous_series! : undefined;
  const shown = (name: string) => !selected || selected[name] !== false;
  type Row = { cur: CommitPrPoint; prev?: CommitPrPoint };
  const rows: Row[] = data.series.map((x, i) => ({ cur: x, prev: prev?.[i] }));
  const current: ExportColumn<Row>[] = KEYS.filter((k) => shown(k.name)).map((k) => ({ key: k.key, value: (r) => r.cur[k.key] }));
  const ghosts = prev ? KEYS.filter((k) => shown(k.name + PREVIOUS_SUFFIX)) : [];
  const previous: ExportColumn<Row>[] = ghosts.length
    ? [
        { key: 'previous_bucket', value: (r) => r.prev?.bucket },
        ...ghosts.map((k): ExportColumn<Row> => ({ key: `previous_${k.key}`, value: (r) => r.prev?.[k.key] })),
      ]
    : [];
  return {
    filename: slug(`${data.metric}_${data.from}_${data.to}_${data.group}`),
    ...tableOf(rows, [{ key: 'bucket', value: (r) => r.cur.bucket }, ...current, ...previous]),
    meta: { metric: data.metric, from: data.from, to: data.to, group: data.group },
  };
}

/** A bar chart of one of the distribution tables (PR size, time to merge). */
export function distributionOption(table: CountBucket[], color: string, labelColor: string, valueName: string): ChartOption {
  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 16, bottom: 4, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${formatCount(Number(v))} ${valueName}` },
    xAxis: { type: 'category', data: table.map((b) => b.bucket), axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: valueName,
        type: 'bar',
        data: table.map((b) => b.count),
        color,
        barMaxWidth: 44,
        itemStyle: { borderRadius: [4, 4, 0, 0] },
        label: {
          show: true,
          position: 'top',
          color: labelColor,
          textBorderWidth: 0,
          formatter: (x: { value: unknown }) => formatCount(Number(x.value)),
        },
      },
    ],
  };
}

export function distributionExport(data: CommitPrActivity, table: 'pr_size' | 'time_to_merge'): ChartExport {
  const rows = data.tables?.[table] ?? [];
  return {
    filename: slug(`${data.metric}_${table}_${data.from}_${data.to}`),
    ...tableOf(rows, [
      { key: 'bucket', value: (r) => r.bucket },
      { key: 'count', value: (r) => r.count },
    ]),
    meta: { metric: data.metric, table, from: data.from, to: data.to },
  };
}

// Chart options and export rows shared by the Organization panels. Pure functions of the
// API answers, so they are tested without a canvas.
import type { Grouping } from '../api/types';
import { formatBucketLong, formatBucketShort, formatCount } from '../format';
import type { ChartOption, ColorScheme } from './echarts';
import { slug, tableOf, type Cell, type ChartExport, type ExportColumn } from './export';
import { PREVIOUS_SUFFIX } from './commitPrActivity';

export { PREVIOUS_SUFFIX };

/** Series colours of the Organization charts, per colour scheme. */
export interface OrgColors {
  blue: string;
  orange: string;
  green: string;
  red: string;
  violet: string;
  cyan: string;
  yellow: string;
  gray: string;
  ghost: string;
  text: string;
  subtleText: string;
  /** Heatmap scale, from nothing to most. */
  heat: [string, string, string];
}

export const ORG_COLORS: Record<ColorScheme, OrgColors> = {
  light: {
    blue: '#4263eb',
    orange: '#e8590c',
    green: '#0ca678',
    red: '#e03131',
    violet: '#7048e8',
    cyan: '#1098ad',
    yellow: '#f08c00',
    gray: '#868e96',
    ghost: '#495057',
    text: '#212529',
    subtleText: '#5c636a',
    heat: ['#f8f9fa', '#ffa8a8', '#c92a2a'],
  },
  dark: {
    blue: '#748ffc',
    orange: '#ff922b',
    green: '#38d9a9',
    red: '#ff6b6b',
    violet: '#9775fa',
    cyan: '#3bc9db',
    yellow: '#ffd43b',
    gray: '#909296',
    ghost: '#ced4da',
    text: '#e9ecef',
    subtleText: '#a6a7ab',
    heat: ['#2c2e33', '#a61e4d', '#ff8787'],
  },
};

export type ValueFormat = (n: number | null | undefined) => string;

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function row(marker: string, label: string, value: string, dim = false): string {
  return `<div style="display:flex;justify-content:space-between;gap:16px${dim ? ';opacity:.75' : ''}"><span>${marker}${label}</span><b style="font-variant-numeric:tabular-nums">${value}</b></div>`;
}

// Time series ---------------------------------------------------------------------------------

type PointOf = { bucket: string };

export interface SeriesSpec<P> {
  key: Exclude<keyof P, 'bucket'> & string;
  name: string;
  kind: 'bar' | 'line';
  /** Index into TimeChartSpec.axes. */
  axis: 0 | 1;
  color: keyof Omit<OrgColors, 'heat' | 'text' | 'subtleText' | 'ghost'>;
  /** Bars of the same stack pile up. */
  stack?: string;
  /** With compare, the previous period of this series is drawn as a dashed ghost line. */
  ghost?: boolean;
  /** Hidden until the user turns it on in the legend. */
  hidden?: boolean;
}

export interface AxisSpec {
  name: string;
  /** Values in tooltips (and axis labels unless `label` is set). */
  format: ValueFormat;
  label?: ValueFormat;
  /** A fixed maximum, e.g. 1 for rates. */
  max?: number;
  minInterval?: number;
}

export interface TimeChartSpec<P> {
  series: SeriesSpec<P>[];
  axes: AxisSpec[];
  /** A rolling average (over `window` buckets) and a least-squares trend line of one series. */
  smooth?: { key: SeriesSpec<P>['key']; name: string; axis: 0 | 1; /** false: the trend only (the server sends its own rolling rate). */ rolling?: boolean };
}

export interface TimeData<P> {
  metric: string;
  from: string;
  to: string;
  group: Grouping;
  series: P[];
  previous_series?: P[];
}

export function hasPreviousSeries<P>(data: TimeData<P>): boolean {
  return !!data.previous_series && data.previous_series.length === data.series.length && data.series.length > 0;
}

/** Buckets a rolling average spans: a week of days, a month of weeks, a quarter of months. */
export function rollingWindow(group: Grouping): number {
  return group === 'day' ? 7 : group === 'week' ? 4 : 3;
}

/** Mean of the last `window` defined values at each position (null until one is defined). */
export function rollingAverage(values: (number | null | undefined)[], window: number): (number | null)[] {
  return values.map((_, i) => {
    const xs = values.slice(Math.max(0, i - window + 1), i + 1).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  });
}

/** The least-squares line through the defined values, at every position (null with fewer than 2). */
export function trendLine(values: (number | null | undefined)[]): (number | null)[] {
  const pts = values.flatMap((v, i) => (typeof v === 'number' && Number.isFinite(v) ? [[i, v] as const] : []));
  if (pts.length < 2) return values.map(() => null);
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return values.map((_, i) => my + slope * (i - mx));
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function smoothNames(spec: TimeChartSpec<unknown>): string[] {
  if (!spec.smooth) return [];
  const trend = `${spec.smooth.name} (trend)`;
  return spec.smooth.rolling === false ? [trend] : [`${spec.smooth.name} (rolling average)`, trend];
}

/** The legend names of a time chart, in drawing order. */
export function timeSeriesNames<P extends PointOf>(data: TimeData<P>, spec: TimeChartSpec<P>): string[] {
  const names = spec.series.map((s) => s.name);
  const ghosts = hasPreviousSeries(data) ? spec.series.filter((s) => s.ghost).map((s) => s.name + PREVIOUS_SUFFIX) : [];
  return [...names, ...smoothNames(spec as TimeChartSpec<unknown>), ...ghosts];
}

/** Legend state: the user's toggles win; series marked hidden start off. */
export function timeLegend<P extends PointOf>(data: TimeData<P>, spec: TimeChartSpec<P>, user: Record<string, boolean>): Record<string, boolean> {
  const hidden = new Set(spec.series.filter((s) => s.hidden).map((s) => s.name));
  const out: Record<string, boolean> = {};
  for (const name of timeSeriesNames(data, spec)) out[name] = user[name] ?? !hidden.has(name);
  return out;
}

/** Whether no bucket has a value (above zero) in any of the spec's series. */
export function isEmptySeries<P extends PointOf>(data: TimeData<P>, spec: TimeChartSpec<P>): boolean {
  return data.series.every((p) => spec.series.every((s) => !num(p[s.key])));
}

function axisFormat<P>(spec: TimeChartSpec<P>, axis: number): ValueFormat {
  return spec.axes[axis]?.format ?? formatCount;
}

export function timeSeriesOption<P extends PointOf>(
  data: TimeData<P>,
  spec: TimeChartSpec<P>,
  colors: OrgColors,
  selected: Record<string, boolean>,
): ChartOption {
  const buckets = data.series.map((x) => x.bucket);
  const prev = hasPreviousSeries(data) ? data.previous_series! : undefined;
  const formatOf = new Map<string, ValueFormat>();
  const many = data.series.length > 31;
  const current = spec.series.map((s) => {
    formatOf.set(s.name, axisFormat(spec, s.axis));
    const values = data.series.map((x) => num(x[s.key]));
    return s.kind === 'bar'
      ? {
          name: s.name,
          type: 'bar' as const,
          yAxisIndex: s.axis,
          data: values,
          color: colors[s.color],
          stack: s.stack,
          barMaxWidth: 28,
          itemStyle: { opacity: 0.85, borderRadius: s.stack ? 0 : [3, 3, 0, 0] },
          emphasis: { focus: 'series' as const },
          z: 2,
        }
      : {
          name: s.name,
          type: 'line' as const,
          yAxisIndex: s.axis,
          data: values,
          color: colors[s.color],
          connectNulls: false,
          showSymbol: !many,
          symbolSize: 5,
          lineStyle: { width: 2 },
          emphasis: { focus: 'series' as const },
          z: 4,
        };
  });
  const extra = [];
  if (spec.smooth) {
    const src = spec.series.find((s) => s.key === spec.smooth!.key)!;
    const values = data.series.map((x) => num(x[src.key]));
    const names = smoothNames(spec as TimeChartSpec<unknown>);
    const trendName = names[names.length - 1]!;
    const fmt = axisFormat(spec, spec.smooth.axis);
    for (const n of names) formatOf.set(n, fmt);
    if (names.length === 2) {
      extra.push({
        name: names[0]!,
        type: 'line' as const,
        yAxisIndex: spec.smooth.axis,
        data: rollingAverage(values, rollingWindow(data.group)),
        color: colors.violet,
        showSymbol: false,
        smooth: true,
        lineStyle: { width: 2, opacity: 0.9 },
        z: 5,
      });
    }
    extra.push({
      name: trendName,
      type: 'line' as const,
      yAxisIndex: spec.smooth.axis,
      data: trendLine(values),
      color: colors.gray,
      showSymbol: false,
      lineStyle: { width: 1.5, type: 'dotted' as const },
      z: 5,
    });
  }
  const ghosts = prev
    ? spec.series
        .filter((s) => s.ghost)
        .map((s) => {
          formatOf.set(s.name + PREVIOUS_SUFFIX, axisFormat(spec, s.axis));
          return {
            name: s.name + PREVIOUS_SUFFIX,
            type: 'line' as const,
            yAxisIndex: s.axis,
            data: prev.map((x) => num(x[s.key])),
            color: s.kind === 'bar' ? colors.ghost : colors[s.color],
            showSymbol: false,
            lineStyle: { width: 1.5, type: 'dashed' as const, opacity: 0.75 },
            itemStyle: { opacity: 0.75 },
            z: 3,
          };
        })
    : [];

  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 44, bottom: 56, containLabel: true },
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 14, itemHeight: 8, selected },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as { seriesName: string; dataIndex: number; value: number | null; marker: string }[];
        const i = params[0]?.dataIndex ?? 0;
        const head = `<div style="font-weight:600;margin-bottom:4px">${esc(formatBucketLong(buckets[i] ?? '', data.group))}</div>`;
        const rows = params.map((x) => {
          const fmt = formatOf.get(x.seriesName) ?? formatCount;
          if (x.seriesName.endsWith(PREVIOUS_SUFFIX)) {
            const label = `${esc(x.seriesName.slice(0, -PREVIOUS_SUFFIX.length))} · ${esc(formatBucketShort(prev?.[i]?.bucket ?? '', data.group))}`;
            return row(x.marker, label, fmt(x.value), true);
          }
          return row(x.marker, esc(x.seriesName), fmt(x.value));
        });
        return head + rows.join('');
      },
    },
    xAxis: {
      type: 'category',
      data: buckets,
      axisLabel: { formatter: (v: string) => formatBucketShort(v, data.group), hideOverlap: true },
    },
    yAxis: spec.axes.map((a, i) => ({
      type: 'value' as const,
      name: a.name,
      max: a.max,
      min: 0,
      minInterval: a.minInterval,
      splitLine: { show: i === 0 },
      axisLabel: { formatter: (v: number) => (a.label ?? a.format)(v) },
      nameTextStyle: { align: i === 0 ? ('left' as const) : ('right' as const) },
    })),
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 22, bottom: 6, labelFormatter: (_: number, v: string) => formatBucketShort(v, data.group) },
    ],
    series: [...current, ...extra, ...ghosts],
  } as ChartOption;
}

/**
 * Rows of a time chart: one per bucket, a column per series shown (legend toggles respected),
 * the previous period's columns when compared.
 */
export function timeSeriesExport<P extends PointOf>(data: TimeData<P>, spec: TimeChartSpec<P>, selected?: Record<string, boolean>): ChartExport {
  const prev = hasPreviousSeries(data) ? data.previous_series! : undefined;
  const shown = (name: string) => !selected || selected[name] !== false;
  type Row = { cur: P; prev?: P };
  const rows: Row[] = data.series.map((x, i) => ({ cur: x, prev: prev?.[i] }));
  const current: ExportColumn<Row>[] = spec.series.filter((s) => shown(s.name)).map((s) => ({ key: s.key, value: (r) => r.cur[s.key] as Cell }));
  const ghosts = prev ? spec.series.filter((s) => s.ghost && shown(s.name + PREVIOUS_SUFFIX)) : [];
  const previous: ExportColumn<Row>[] = ghosts.length
    ? [{ key: 'previous_bucket', value: (r) => r.prev?.bucket }, ...ghosts.map((s): ExportColumn<Row> => ({ key: `previous_${s.key}`, value: (r) => r.prev?.[s.key] as Cell }))]
    : [];
  return {
    filename: slug(`${data.metric}_${data.from}_${data.to}_${data.group}`),
    ...tableOf(rows, [{ key: 'bucket', value: (r) => r.cur.bucket }, ...current, ...previous]),
    meta: { metric: data.metric, from: data.from, to: data.to, group: data.group },
  };
}

// Category charts -------------------------------------------------------------------------------

export interface BarSeries {
  name: string;
  values: (number | null)[];
  color: string;
  stack?: string;
}

export interface BarOptions {
  format?: ValueFormat;
  horizontal?: boolean;
  /** Show each bar's value on it. */
  labels?: boolean;
  max?: number;
  labelColor?: string;
  /** Value-axis labels, when they should differ from the tooltip (e.g. whole hours). */
  axisFormat?: ValueFormat;
}

/** Bars over categories: one or more series, side by side or stacked, vertical or horizontal. */
export function barsOption(categories: string[], series: BarSeries[], o: BarOptions = {}): ChartOption {
  const fmt = o.format ?? formatCount;
  const axisFmt = o.axisFormat ?? fmt;
  // Every category gets its label: truncated beside horizontal bars, wrapped under vertical ones.
  const cat = {
    type: 'category' as const,
    data: categories,
    axisTick: { alignWithLabel: true },
    inverse: !!o.horizontal,
    axisLabel: o.horizontal ? { width: 200, overflow: 'truncate' as const } : { interval: 0, width: 84, overflow: 'break' as const },
  };
  const val = { type: 'value' as const, max: o.max, axisLabel: { formatter: (v: number) => axisFmt(v) } };
  return {
    animationDuration: 300,
    grid: { left: 8, right: o.horizontal ? 48 : 8, top: series.length > 1 ? 32 : 16, bottom: 4, containLabel: true },
    legend: series.length > 1 ? { top: 0, left: 0, icon: 'roundRect', itemWidth: 14, itemHeight: 8 } : undefined,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt(typeof v === 'number' ? v : null) },
    xAxis: o.horizontal ? val : cat,
    yAxis: o.horizontal ? cat : val,
    series: series.map((s) => ({
      name: s.name,
      type: 'bar' as const,
      data: s.values,
      color: s.color,
      stack: s.stack,
      barMaxWidth: 44,
      itemStyle: { borderRadius: s.stack ? 0 : o.horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] },
      label: o.labels
        ? {
            show: true,
            position: o.horizontal ? ('right' as const) : ('top' as const),
            color: o.labelColor,
            textBorderWidth: 0,
            formatter: (x: { value: unknown }) => fmt(typeof x.value === 'number' ? x.value : null),
          }
        : undefined,
    })),
  } as ChartOption;
}

/** A heatmap of `cells` ([x, y, value]) over two category axes. */
export function heatmapOption(
  xs: string[],
  ys: string[],
  cells: [number, number, number | null][],
  colors: OrgColors,
  o: { format?: ValueFormat; valueName: string; tooltip?: (x: number, y: number, v: number | null) => string },
): ChartOption {
  const fmt = o.format ?? formatCount;
  const max = Math.max(1, ...cells.map((c) => c[2] ?? 0));
  return {
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (raw: unknown) => {
        const [x, y, v] = (raw as { value: [number, number, number | null] }).value;
        return o.tooltip ? o.tooltip(x, y, v) : `${esc(ys[y] ?? '')} · ${esc(xs[x] ?? '')}<br/><b>${fmt(v)}</b> ${esc(o.valueName)}`;
      },
    },
    xAxis: { type: 'category', data: xs, splitArea: { show: true } },
    yAxis: { type: 'category', data: ys, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      inRange: { color: colors.heat },
      textStyle: { color: colors.subtleText },
      formatter: (v: unknown) => fmt(Number(v)),
    },
    series: [{ name: o.valueName, type: 'heatmap', data: cells, emphasis: { itemStyle: { borderColor: colors.text, borderWidth: 1 } } }],
  } as ChartOption;
}

const PIE_ORDER: (keyof OrgColors)[] = ['red', 'orange', 'yellow', 'violet', 'blue', 'cyan', 'green', 'gray'];

/** A donut of named values. */
export function pieOption(items: { name: string; value: number }[], colors: OrgColors, valueName: string): ChartOption {
  const total = items.reduce((a, b) => a + b.value, 0);
  return {
    animationDuration: 300,
    tooltip: {
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { name: string; value: number; marker: string };
        return row(p.marker, esc(p.name), `${formatCount(p.value)} ${esc(valueName)} · ${total ? ((p.value / total) * 100).toFixed(1) : '0.0'}%`);
      },
    },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', icon: 'circle', itemWidth: 8, itemHeight: 8 },
    series: [
      {
        name: valueName,
        type: 'pie',
        radius: ['45%', '75%'],
        center: ['35%', '50%'],
        avoidLabelOverlap: true,
        itemStyle: { borderColor: 'transparent', borderWidth: 2 },
        label: { show: true, formatter: '{d}%', color: colors.subtleText, textBorderWidth: 0 },
        data: items.map((it, i) => ({ ...it, itemStyle: { color: colors[PIE_ORDER[i % PIE_ORDER.length] ?? 'gray'] as string } })),
      },
    ],
  } as ChartOption;
}

/** Box plots, one per row: whiskers, quartiles and median already computed by the server. */
export function boxplotOption(
  boxes: { name: string; min: number; q1: number; median: number; q3: number; max: number; runs: number; outliers: number }[],
  colors: OrgColors,
  format: ValueFormat,
): ChartOption {
  return {
    animationDuration: 300,
    grid: { left: 8, right: 24, top: 8, bottom: 4, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (raw: unknown) => {
        const b = boxes[(raw as { dataIndex: number }).dataIndex];
        if (!b) return '';
        return (
          `<div style="font-weight:600;margin-bottom:4px">${esc(b.name)}</div>` +
          row('', 'Upper whisker', format(b.max)) +
          row('', 'Q3', format(b.q3)) +
          row('', 'Median', format(b.median)) +
          row('', 'Q1', format(b.q1)) +
          row('', 'Lower whisker', format(b.min)) +
          row('', 'Runs', `${formatCount(b.runs)} (${formatCount(b.outliers)} outliers)`)
        );
      },
    },
    xAxis: { type: 'value', min: 0, axisLabel: { formatter: (v: number) => format(v) } },
    yAxis: { type: 'category', data: boxes.map((b) => b.name), inverse: true, axisLabel: { width: 220, overflow: 'truncate' } },
    series: [
      {
        name: 'Duration',
        type: 'boxplot',
        data: boxes.map((b) => [b.min, b.q1, b.median, b.q3, b.max]),
        itemStyle: { color: `${colors.blue}33`, borderColor: colors.blue, borderWidth: 1.5 },
        boxWidth: [8, 22],
      },
    ],
  } as ChartOption;
}

// Exports of tables ---------------------------------------------------------------------------------

/** The rows of a table answer, as a CSV/JSON export. */
export function tableExport<R>(
  data: { metric: string; from: string; to: string },
  table: string,
  rows: readonly R[],
  columns: ExportColumn<R>[],
): ChartExport {
  return {
    filename: slug(`${data.metric}_${table}_${data.from}_${data.to}`),
    ...tableOf(rows, columns),
    meta: { metric: data.metric, table, from: data.from, to: data.to },
  };
}

/** Export columns straight from fields of the rows. */
export function fields<R>(...keys: (keyof R & string)[]): ExportColumn<R>[] {
  return keys.map((k) => ({ key: k, value: (r: R) => r[k] as Cell }));
}

// Formats ----------------------------------------------------------------------------------------------

const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const upToOne = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function isNum(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** Minutes, e.g. 9.97 → "10.0 min", 75 → "1 h 15 min". */
export function formatMinutes(m: number | null | undefined): string {
  if (!isNum(m)) return '—';
  if (m >= 60) return `${Math.floor(m / 60)} h ${Math.round(m % 60)} min`;
  return `${oneDecimal.format(m)} min`;
}

/** Hours, switching to days from 48 h: 18.5 → "18.5 h", 73.3 → "3.1 d". */
export function formatDuration(h: number | null | undefined): string {
  if (!isNum(h)) return '—';
  return h >= 48 ? `${oneDecimal.format(h / 24)} d` : `${oneDecimal.format(h)} h`;
}

/** An axis label in whole hours: ticks in one unit read better than "40.0 h, 2.5 d". */
export function formatHoursAxis(h: number | null | undefined): string {
  return isNum(h) ? `${Math.round(h)} h` : '—';
}

/** A plain number with at most one decimal. */
export function formatNumber(n: number | null | undefined): string {
  return isNum(n) ? upToOne.format(n) : '—';
}

/** An axis label for a 0–1 rate: 0.25 → "25%". */
export function formatPercentAxis(n: number | null | undefined): string {
  return isNum(n) ? `${Math.round(n * 100)}%` : '—';
}

// Drill-down and small charts ---------------------------------------------------------------------

function addDaysIso(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The inclusive days a bucket covers inside the range: a week starts on its Monday and a month
 * on its first, which may lie before the range; the last bucket may end after it.
 */
export function bucketDays(bucket: string, group: Grouping, from: string, to: string): [string, string] {
  let end = bucket;
  if (group === 'week') end = addDaysIso(bucket, 6);
  if (group === 'month') {
    const d = new Date(`${bucket}T00:00:00Z`);
    end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
  }
  return [bucket < from ? from : bucket, end > to ? to : end];
}

/** A tiny line without axes: the recent trend beside a number. */
export function sparklineOption(values: (number | null)[], color: string, format: ValueFormat): ChartOption {
  return {
    animation: false,
    grid: { left: 2, right: 2, top: 4, bottom: 4 },
    xAxis: { type: 'category', show: false, data: values.map((_, i) => i), boundaryGap: false },
    yAxis: { type: 'value', show: false, min: (v: { min: number }) => v.min, max: (v: { max: number }) => v.max },
    tooltip: { trigger: 'axis', valueFormatter: (v) => format(typeof v === 'number' ? v : null), axisPointer: { type: 'none' } },
    series: [
      {
        name: 'Trend',
        type: 'line',
        data: values,
        color,
        showSymbol: false,
        connectNulls: true,
        lineStyle: { width: 1.5 },
        areaStyle: { opacity: 0.12 },
      },
    ],
  } as ChartOption;
}

// Chart options and export rows for the Individual view: pure functions of the API answers,
// so they are tested without a canvas. Times of day and weekdays are the author's local time:
// the server has already applied each commit's own UTC offset.
import { CalendarComponent, VisualMapContinuousComponent, VisualMapPiecewiseComponent, type CalendarComponentOption, type VisualMapComponentOption } from 'echarts/components';
import { HeatmapChart, PieChart, type HeatmapSeriesOption, type PieSeriesOption } from 'echarts/charts';
import type { CalendarDay, PersonCode, PersonCommits, PersonPatterns } from '../api/individual';
import type { Grouping, MetricResult } from '../api/types';
import { formatBucketLong, formatBucketShort, formatCount, formatDay, formatHours, formatRate } from '../format';
import { PREVIOUS_SUFFIX } from './commitPrActivity';
import { echarts, type ChartOption, type ChartPalette, type ColorScheme } from './echarts';
import { slug, tableOf, type Cell, type ChartExport, type ExportColumn } from './export';

// The Individual charts need the calendar, the piecewise scale and two more series types.
// echarts.use is idempotent, so registering here does not disturb the shared module.
echarts.use([CalendarComponent, VisualMapPiecewiseComponent, VisualMapContinuousComponent, HeatmapChart, PieChart]);

/** ChartOption plus the calendar and visual maps, which the shared type does not list. */
type IndividualOption = ChartOption | echarts.ComposeOption<CalendarComponentOption | VisualMapComponentOption | HeatmapSeriesOption | PieSeriesOption>;
const option = (o: IndividualOption): ChartOption => o as ChartOption;

export { PREVIOUS_SUFFIX };

/** Colours of the Individual charts beyond the shared palette. */
export const EXTRA_COLORS: Record<ColorScheme, { added: string; removed: string; rate: string; calendar: string[]; heat: string[] }> = {
  light: {
    added: '#2f9e44',
    removed: '#e03131',
    rate: '#7048e8',
    // GitHub's contribution scale: none, then four levels.
    calendar: ['#ebedf0', '#9be9a8', '#40c463', '#30a14e', '#216e39'],
    heat: ['#f1f3f5', '#a5d8ff', '#4dabf7', '#1c7ed6', '#1864ab'],
  },
  dark: {
    added: '#69db7c',
    removed: '#ff8787',
    rate: '#b197fc',
    calendar: ['#2c2e33', '#0e4429', '#006d32', '#26a641', '#39d353'],
    heat: ['#2c2e33', '#1864ab', '#1c7ed6', '#4dabf7', '#a5d8ff'],
  },
};

export type ValueFormat = 'count' | 'hours' | 'rate' | 'lines';

export function formatValue(v: number | null | undefined, f: ValueFormat): string {
  switch (f) {
    case 'hours':
      return formatHours(v);
    case 'rate':
      return formatRate(v);
    default:
      return formatCount(typeof v === 'number' ? Math.round(v) : v);
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

interface TooltipParam {
  seriesName: string;
  dataIndex: number;
  value: unknown;
  marker: string;
  data?: unknown;
  name?: string;
  percent?: number;
}

// time series ---------------------------------------------------------------------------

type Point = { bucket: string };
type NumericKey<P> = { [K in keyof P]: P[K] extends number | null ? K : never }[keyof P] & string;

export interface SeriesSpec<P> {
  name: string;
  key: NumericKey<P>;
  color: string;
  kind: 'line' | 'bar' | 'area';
  /** Areas with the same stack are stacked. */
  stack?: string;
  /** 0 left, 1 right. */
  axis?: 0 | 1;
  format: ValueFormat;
  /** Draw the previous period as a dashed ghost line (default true when comparing). */
  ghost?: boolean;
}

export interface TimeSeriesSpec<P extends Point> {
  data: MetricResult<unknown, P, unknown>;
  series: SeriesSpec<P>[];
  /** Axis titles; a second entry adds the right axis. */
  axes: { name: string; format: ValueFormat }[];
  palette: ChartPalette;
  selected?: Record<string, boolean>;
}

export function hasPreviousSeries(data: MetricResult<unknown, Point, unknown>): boolean {
  return !!data.previous_series && data.previous_series.length === data.series.length && data.series.length > 0;
}

/** Every series name the chart draws, ghosts last (what the legend lists). */
export function timeSeriesNames<P extends Point>(spec: Pick<TimeSeriesSpec<P>, 'data' | 'series'>): string[] {
  const names = spec.series.map((s) => s.name);
  if (!hasPreviousSeries(spec.data)) return names;
  return [...names, ...spec.series.filter((s) => s.ghost !== false).map((s) => s.name + PREVIOUS_SUFFIX)];
}

/** Legend state: the user's toggles win, everything else shows. */
export function selection(names: string[], user: Record<string, boolean>): Record<string, boolean> {
  return Object.fromEntries(names.map((n) => [n, user[n] ?? true]));
}

/** Whether every value of the given keys is zero or missing. */
export function isEmptySeries<P extends Point>(data: MetricResult<unknown, P, unknown>, keys: NumericKey<P>[]): boolean {
  return data.series.every((p) => keys.every((k) => !p[k]));
}

export function timeSeriesOption<P extends Point>(spec: TimeSeriesSpec<P>): ChartOption {
  const { data, palette: p } = spec;
  const buckets = data.series.map((x) => x.bucket);
  const prev = hasPreviousSeries(data) ? (data.previous_series as P[]) : undefined;
  const fmtOf = new Map<string, ValueFormat>();
  const dense = data.series.length > 31;

  const current = spec.series.map((s) => {
    fmtOf.set(s.name, s.format);
    const values = data.series.map((x) => x[s.key] as number | null);
    const common = { name: s.name, yAxisIndex: s.axis ?? 0, data: values, color: s.color, emphasis: { focus: 'series' as const }, z: 3 };
    if (s.kind === 'bar') {
      return { ...common, type: 'bar' as const, stack: s.stack, barMaxWidth: 24, itemStyle: { opacity: 0.85, borderRadius: [3, 3, 0, 0] }, z: 2 };
    }
    return {
      ...common,
      type: 'line' as const,
      stack: s.stack,
      // Medians and rates exist only on some days: a lone point needs its symbol to be seen.
      showSymbol: !dense || s.format === 'hours' || s.format === 'rate',
      symbolSize: 5,
      connectNulls: s.format === 'hours' || s.format === 'rate',
      lineStyle: { width: 2 },
      areaStyle: s.kind === 'area' ? { opacity: 0.28 } : undefined,
    };
  });
  const ghosts = prev
    ? spec.series
        .filter((s) => s.ghost !== false)
        .map((s) => {
          fmtOf.set(s.name + PREVIOUS_SUFFIX, s.format);
          return {
            name: s.name + PREVIOUS_SUFFIX,
            type: 'line' as const,
            yAxisIndex: s.axis ?? 0,
            data: prev.map((x) => x[s.key] as number | null),
            color: s.kind === 'bar' ? p.ghost : s.color,
            showSymbol: false,
            connectNulls: true,
            lineStyle: { width: 1.5, type: 'dashed' as const, opacity: 0.7 },
            itemStyle: { opacity: 0.7 },
            z: 4,
          };
        })
    : [];

  const axis = (a: { name: string; format: ValueFormat }, i: number) => ({
    type: 'value' as const,
    name: a.name,
    minInterval: a.format === 'count' || a.format === 'lines' ? 1 : undefined,
    max: a.format === 'rate' ? 1 : undefined,
    splitLine: i === 0 ? undefined : { show: false },
    nameTextStyle: { align: i === 0 ? ('left' as const) : ('right' as const) },
    axisLabel: { formatter: (v: number) => (a.format === 'rate' ? `${Math.round(v * 100)}%` : a.format === 'hours' ? `${v} h` : formatCount(v)) },
  });

  return option({
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 44, bottom: 56, containLabel: true },
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 14, itemHeight: 8, selected: spec.selected },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
        const i = params[0]?.dataIndex ?? 0;
        const head = `<div style="font-weight:600;margin-bottom:4px">${esc(formatBucketLong(buckets[i] ?? '', data.group))}</div>`;
        const rows = params.map((x) => {
          const ghost = x.seriesName.endsWith(PREVIOUS_SUFFIX);
          const label = ghost
            ? `${esc(x.seriesName.slice(0, -PREVIOUS_SUFFIX.length))} · ${esc(formatBucketShort(prev?.[i]?.bucket ?? '', data.group))}`
            : esc(x.seriesName);
          const v = typeof x.value === 'number' ? x.value : null;
          return `<div style="display:flex;justify-content:space-between;gap:16px${ghost ? ';opacity:.75' : ''}"><span>${x.marker}${label}</span><b style="font-variant-numeric:tabular-nums">${esc(formatValue(v, fmtOf.get(x.seriesName) ?? 'count'))}</b></div>`;
        });
        return head + rows.join('');
      },
    },
    xAxis: { type: 'category', data: buckets, axisLabel: { formatter: (v: string) => formatBucketShort(v, data.group), hideOverlap: true } },
    yAxis: spec.axes.map(axis),
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 22, bottom: 6, labelFormatter: (_: number, v: string) => formatBucketShort(v, data.group) },
    ],
    series: [...current, ...ghosts],
  });
}

/** Rows of a time series: a column per shown series, previous-period columns when compared. */
export function timeSeriesExport<P extends Point>(spec: Pick<TimeSeriesSpec<P>, 'data' | 'series' | 'selected'>, name: string): ChartExport {
  const { data, selected } = spec;
  const prev = hasPreviousSeries(data) ? (data.previous_series as P[]) : undefined;
  const shown = (n: string) => !selected || selected[n] !== false;
  type Row = { cur: P; prev?: P };
  const rows: Row[] = data.series.map((x, i) => ({ cur: x, prev: prev?.[i] }));
  const current: ExportColumn<Row>[] = spec.series.filter((s) => shown(s.name)).map((s) => ({ key: s.key, value: (r) => r.cur[s.key] as Cell }));
  const ghosts = prev ? spec.series.filter((s) => s.ghost !== false && shown(s.name + PREVIOUS_SUFFIX)) : [];
  const previous: ExportColumn<Row>[] = ghosts.length
    ? [
        { key: 'previous_bucket', value: (r) => r.prev?.bucket },
        ...ghosts.map((s): ExportColumn<Row> => ({ key: `previous_${s.key}`, value: (r) => r.prev?.[s.key] as Cell })),
      ]
    : [];
  return {
    filename: slug(`${data.metric}_${name}_${data.from}_${data.to}_${data.group}`),
    ...tableOf(rows, [{ key: 'bucket', value: (r) => r.cur.bucket }, ...current, ...previous]),
    meta: { metric: data.metric, chart: name, from: data.from, to: data.to, group: data.group },
  };
}

/** Export of one of a metric's tables, with the given columns. */
export function tableExport<R>(data: MetricResult<unknown, unknown, unknown>, name: string, rows: readonly R[], columns: ExportColumn<R>[]): ChartExport {
  return {
    filename: slug(`${data.metric}_${name}_${data.from}_${data.to}`),
    ...tableOf(rows, columns),
    meta: { metric: data.metric, chart: name, from: data.from, to: data.to },
  };
}

// contribution calendar -------------------------------------------------------------------

/**
 * The calendar's colour steps: 0, then four levels up to the busiest day, like GitHub's.
 * Each step is [min, max] commits, inclusive; levels never overlap and never repeat.
 */
export function calendarLevels(days: readonly CalendarDay[]): [number, number][] {
  const max = Math.max(0, ...days.map((d) => d.commits));
  if (max === 0) return [[0, 0]];
  const cuts: number[] = [];
  for (const q of [0.25, 0.5, 0.75, 1]) {
    const c = Math.max(1, Math.ceil(max * q));
    if (!cuts.length || c > cuts[cuts.length - 1]!) cuts.push(c);
  }
  const out: [number, number][] = [[0, 0]];
  let lo = 1;
  for (const c of cuts) {
    out.push([lo, c]);
    lo = c + 1;
  }
  return out;
}

export function streakText(s: { current_streak_days: number; longest_streak_days: number }): { current: string; longest: string } {
  const days = (n: number) => `${formatCount(n)} ${n === 1 ? 'day' : 'days'}`;
  return { current: days(s.current_streak_days), longest: days(s.longest_streak_days) };
}

export function calendarOption(data: PersonCommits, scheme: ColorScheme, p: ChartPalette): ChartOption {
  const days = data.tables?.calendar ?? [];
  const first = days[0]?.day ?? data.from;
  const last = days[days.length - 1]?.day ?? data.to;
  const colors = EXTRA_COLORS[scheme].calendar;
  const levels = calendarLevels(days);
  return option({
    animation: false,
    tooltip: {
      formatter: (raw: unknown) => {
        const x = raw as TooltipParam;
        const [day, n] = (x.value as [string, number]) ?? ['', 0];
        return `<b>${n === 0 ? 'No' : formatCount(n)} ${n === 1 ? 'commit' : 'commits'}</b> on ${esc(formatDay(day))}`;
      },
    },
    visualMap: {
      type: 'piecewise',
      show: true,
      orient: 'horizontal',
      right: 8,
      bottom: 0,
      itemWidth: 11,
      itemHeight: 11,
      itemGap: 3,
      itemSymbol: 'rect',
      text: ['More', 'Less'],
      showLabel: false,
      textStyle: { color: p.subtleText, fontSize: 11 },
      pieces: levels.map(([min, max], i) => ({ min, max, color: colors[Math.min(i, colors.length - 1)] })),
      seriesIndex: 0,
    },
    calendar: {
      range: [first, last],
      top: 22,
      left: 36,
      right: 8,
      bottom: 26,
      // Square-ish cells: the width follows the panel, seven rows fill the height.
      cellSize: ['auto', 'auto'],
      orient: 'horizontal',
      splitLine: { show: false },
      itemStyle: { color: 'transparent', borderColor: p.background, borderWidth: 3 },
      // Weeks start on Monday, as the heatmap's rows do.
      dayLabel: { firstDay: 1, nameMap: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'], color: p.subtleText, fontSize: 10, margin: 6 },
      monthLabel: { color: p.subtleText, fontSize: 11, margin: 6 },
      yearLabel: { show: false },
    },
    series: [
      {
        name: 'Commits',
        type: 'heatmap',
        coordinateSystem: 'calendar',
        data: days.map((d) => [d.day, d.commits]),
        itemStyle: { borderRadius: 2, borderColor: p.background, borderWidth: 2 },
      },
    ],
  });
}

export function calendarExport(data: PersonCommits): ChartExport {
  const days = data.tables?.calendar ?? [];
  return tableExport(data, 'calendar', days, [
    { key: 'day', value: (d) => d.day },
    { key: 'commits', value: (d) => d.commits },
  ]);
}

// languages and repositories ----------------------------------------------------------------

const PIE_SLICES = 8;

/** Languages by changed lines: the top slices, the rest as "Other". */
export function languageSlices(data: PersonCode): { name: string; value: number; share: number }[] {
  const langs = [...(data.tables?.languages ?? [])].filter((l) => l.lines > 0).sort((a, b) => b.lines - a.lines);
  const top = langs.slice(0, PIE_SLICES - 1);
  const rest = langs.slice(PIE_SLICES - 1);
  const out = top.map((l) => ({ name: l.language || 'Unknown', value: l.lines, share: l.share }));
  if (rest.length === 1) out.push({ name: rest[0]!.language || 'Unknown', value: rest[0]!.lines, share: rest[0]!.share });
  else if (rest.length > 1)
    out.push({ name: 'Other', value: rest.reduce((n, l) => n + l.lines, 0), share: rest.reduce((n, l) => n + l.share, 0) });
  return out;
}

export function languageOption(data: PersonCode, p: ChartPalette): ChartOption {
  const slices = languageSlices(data);
  return option({
    animationDuration: 300,
    tooltip: {
      trigger: 'item',
      formatter: (raw: unknown) => {
        const x = raw as TooltipParam;
        return `${x.marker}<b>${esc(x.name ?? '')}</b>: ${formatCount(Number(x.value))} lines · ${formatRate((x.percent ?? 0) / 100)}`;
      },
    },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', icon: 'circle', itemWidth: 10, itemHeight: 10 },
    series: [
      {
        name: 'Languages',
        type: 'pie',
        radius: ['42%', '72%'],
        center: ['36%', '50%'],
        avoidLabelOverlap: true,
        itemStyle: { borderColor: p.background, borderWidth: 2, borderRadius: 4 },
        label: { show: false },
        emphasis: { label: { show: true, fontWeight: 'bold', formatter: '{b}\n{d}%', color: p.text } },
        data: slices.map((s) => ({ name: s.name, value: s.value })),
      },
    ],
  });
}

export function languageExport(data: PersonCode): ChartExport {
  return tableExport(data, 'languages', data.tables?.languages ?? [], [
    { key: 'language', value: (l) => l.language },
    { key: 'lines_added', value: (l) => l.added },
    { key: 'lines_removed', value: (l) => l.removed },
    { key: 'lines', value: (l) => l.lines },
    { key: 'share', value: (l) => l.share },
  ]);
}

const REPO_BARS = 12;

export function repositoryOption(data: PersonCode, p: ChartPalette): ChartOption {
  const repos = [...(data.tables?.repositories ?? [])].sort((a, b) => b.commits - a.commits).slice(0, REPO_BARS).reverse();
  return option({
    animationDuration: 300,
    grid: { left: 8, right: 48, top: 8, bottom: 4, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (raw: unknown) => {
        const x = (raw as TooltipParam[])[0]!;
        const r = repos[x.dataIndex]!;
        return `<b>${esc(r.repository)}</b><br/>${formatCount(r.commits)} commits (${formatRate(r.share)})<br/>+${formatCount(r.lines_added)} / −${formatCount(r.lines_removed)} lines`;
      },
    },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: repos.map((r) => r.repository), axisLabel: { width: 160, overflow: 'truncate' } },
    series: [
      {
        name: 'Commits',
        type: 'bar',
        data: repos.map((r) => r.commits),
        color: p.commits,
        barMaxWidth: 18,
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', color: p.subtleText, formatter: (x: { value: unknown }) => formatCount(Number(x.value)) },
      },
    ],
  });
}

export function repositoryExport(data: PersonCode): ChartExport {
  return tableExport(data, 'repositories', data.tables?.repositories ?? [], [
    { key: 'repository', value: (r) => r.repository },
    { key: 'commits', value: (r) => r.commits },
    { key: 'lines_added', value: (r) => r.lines_added },
    { key: 'lines_removed', value: (r) => r.lines_removed },
    { key: 'share', value: (r) => r.share },
  ]);
}

// work patterns ---------------------------------------------------------------------------

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

/** Heatmap cells as [hour, weekday index, commits]: x is the hour, y the weekday (Monday first). */
export function heatmapCells(data: PersonPatterns): [number, number, number][] {
  return (data.tables?.heatmap ?? []).map((c) => [c.hour, WEEKDAYS.indexOf(c.weekday), c.commits]);
}

export function heatmapOption(data: PersonPatterns, scheme: ColorScheme, p: ChartPalette): ChartOption {
  const cells = heatmapCells(data);
  const max = Math.max(1, ...cells.map((c) => c[2]));
  return option({
    animation: false,
    grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
    tooltip: {
      formatter: (raw: unknown) => {
        const [h, d, n] = (raw as TooltipParam).value as [number, number, number];
        return `<b>${formatCount(n)} ${n === 1 ? 'commit' : 'commits'}</b><br/>${WEEKDAYS[d]} ${HOURS[h]}:00–${HOURS[(h + 1) % 24]}:00 (local time)`;
      },
    },
    xAxis: { type: 'category', data: HOURS, name: 'Hour (local time)', nameLocation: 'middle', nameGap: 26, splitArea: { show: false }, axisTick: { show: false } },
    // Monday on top, like a calendar week.
    yAxis: { type: 'category', data: [...WEEKDAYS], inverse: true, axisTick: { show: false } },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      calculable: false,
      show: false,
      inRange: { color: EXTRA_COLORS[scheme].heat },
    },
    series: [
      {
        name: 'Commits',
        type: 'heatmap',
        data: cells,
        itemStyle: { borderColor: p.background, borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: p.text, borderWidth: 1 } },
      },
    ],
  });
}

export function heatmapExport(data: PersonPatterns): ChartExport {
  return tableExport(data, 'heatmap', data.tables?.heatmap ?? [], [
    { key: 'weekday', value: (c) => c.weekday },
    { key: 'hour', value: (c) => c.hour },
    { key: 'commits', value: (c) => c.commits },
  ]);
}

export function rhythmOption(data: PersonPatterns, p: ChartPalette): ChartOption {
  const rows = data.tables?.rhythm ?? [];
  return option({
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 36, bottom: 30, containLabel: true },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 14, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const params = raw as TooltipParam[];
        const h = params[0]?.dataIndex ?? 0;
        const head = `<div style="font-weight:600;margin-bottom:4px">${HOURS[h]}:00–${HOURS[(h + 1) % 24]}:00 local time</div>`;
        return (
          head +
          params
            .map((x) => {
              const v = Number(x.value);
              const text = x.seriesName === 'Commits' ? formatCount(v) : v.toFixed(2);
              return `<div style="display:flex;justify-content:space-between;gap:16px"><span>${x.marker}${esc(x.seriesName)}</span><b>${text}</b></div>`;
            })
            .join('')
        );
      },
    },
    xAxis: { type: 'category', data: HOURS, boundaryGap: false, name: 'Hour (local time)', nameLocation: 'middle', nameGap: 24 },
    yAxis: [
      { type: 'value', name: 'Commits', minInterval: 1, nameTextStyle: { align: 'left' } },
      { type: 'value', name: 'Per active day', splitLine: { show: false }, nameTextStyle: { align: 'right' } },
    ],
    series: [
      { name: 'Commits', type: 'line', smooth: true, data: rows.map((r) => r.commits), color: p.commits, areaStyle: { opacity: 0.15 }, showSymbol: false, lineStyle: { width: 2 } },
      { name: 'Per active day', type: 'line', smooth: true, yAxisIndex: 1, data: rows.map((r) => r.per_active_day), color: p.prsOpened, showSymbol: false, lineStyle: { width: 1.5, type: 'dotted' } },
    ],
  });
}

export function rhythmExport(data: PersonPatterns): ChartExport {
  return tableExport(data, 'rhythm', data.tables?.rhythm ?? [], [
    { key: 'hour', value: (r) => r.hour },
    { key: 'commits', value: (r) => r.commits },
    { key: 'share', value: (r) => r.share },
    { key: 'per_active_day', value: (r) => r.per_active_day },
  ]);
}

// documented formulas -----------------------------------------------------------------------

/**
 * The part of a metric's catalog description that defines one figure, from its name to the
 * end of its sentence, e.g. "thoroughness (0–100) = 100 × … ÷ 3)". Undefined when absent.
 */
export function formulaFrom(description: string | undefined, term: string): string | undefined {
  if (!description) return undefined;
  const start = description.toLowerCase().indexOf(term.toLowerCase());
  if (start < 0) return undefined;
  const rest = description.slice(start);
  // A sentence ends at ". " followed by a capital, or at the end.
  const end = rest.search(/\.\s+[A-Z]/);
  const text = (end < 0 ? rest : rest.slice(0, end)).replace(/\.$/, '').trim();
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** Short axis-free label for a bucket. */
export function bucketLabel(iso: string, group: Grouping): string {
  return formatBucketShort(iso, group);
}

import { describe, expect, it } from 'vitest';
import { itemsQuery } from '../api/organization';
import { DEFAULT_STATE } from '../state/dashboard';
import {
  barsOption,
  bucketDays,
  formatDuration,
  formatHoursAxis,
  formatMinutes,
  heatmapOption,
  isEmptySeries,
  ORG_COLORS,
  pieOption,
  rollingAverage,
  rollingWindow,
  timeLegend,
  timeSeriesExport,
  timeSeriesNames,
  timeSeriesOption,
  trendLine,
  type TimeChartSpec,
  type TimeData,
} from './organization';

type Point = { bucket: string; deployments: number; failed: number; lead: number | null };

const spec: TimeChartSpec<Point> = {
  series: [
    { key: 'deployments', name: 'Deployments', kind: 'bar', axis: 0, color: 'green', stack: 'd', ghost: true },
    { key: 'failed', name: 'Failed', kind: 'bar', axis: 0, color: 'red', stack: 'd' },
    { key: 'lead', name: 'Lead time', kind: 'line', axis: 1, color: 'blue', ghost: true, hidden: true },
  ],
  axes: [
    { name: 'Deployments', format: (n) => String(n) },
    { name: 'Hours', format: (n) => `${n} h` },
  ],
  smooth: { key: 'deployments', name: 'Deployments', axis: 0 },
};

const data: TimeData<Point> = {
  metric: 'deployments',
  from: '2026-03-01',
  to: '2026-03-04',
  group: 'day',
  series: [
    { bucket: '2026-03-01', deployments: 2, failed: 0, lead: 10 },
    { bucket: '2026-03-02', deployments: 4, failed: 1, lead: null },
    { bucket: '2026-03-03', deployments: 0, failed: 0, lead: null },
    { bucket: '2026-03-04', deployments: 6, failed: 0, lead: 30 },
  ],
};
const compared: TimeData<Point> = {
  ...data,
  previous_series: data.series.map((p, i) => ({ ...p, bucket: `2026-02-2${6 + i}`, deployments: p.deployments + 1 })),
};

type Series = { name: string; type: string; data: (number | null)[]; stack?: string; yAxisIndex: number; lineStyle?: { type?: string } };

describe('rolling average and trend', () => {
  it('averages the defined values of the last window buckets', () => {
    expect(rollingAverage([2, 4, null, 6], 2)).toEqual([2, 3, 4, 6]);
    expect(rollingAverage([null, null], 3)).toEqual([null, null]);
  });

  it('fits a least-squares line through the defined values', () => {
    // y = 2x + 1 with a gap: the line is exact everywhere, the gap included.
    expect(trendLine([1, 3, null, 7])).toEqual([1, 3, 5, 7]);
    expect(trendLine([5, null])).toEqual([null, null]);
  });

  it('spans a week of days, a month of weeks, a quarter of months', () => {
    expect([rollingWindow('day'), rollingWindow('week'), rollingWindow('month')]).toEqual([7, 4, 3]);
  });
});

describe('time series option', () => {
  it('draws stacked bars, lines on their axis, rolling average and trend, zoom', () => {
    const o = timeSeriesOption(data, spec, ORG_COLORS.light, timeLegend(data, spec, {}));
    const series = o.series as Series[];
    expect(series.map((s) => s.name)).toEqual(['Deployments', 'Failed', 'Lead time', 'Deployments (rolling average)', 'Deployments (trend)']);
    expect(series[0]).toMatchObject({ type: 'bar', stack: 'd', data: [2, 4, 0, 6] });
    expect(series[2]).toMatchObject({ type: 'line', yAxisIndex: 1, data: [10, null, null, 30] });
    expect(series[3]!.data).toEqual(rollingAverage([2, 4, 0, 6], 7));
    expect(series[4]!.data).toEqual(trendLine([2, 4, 0, 6]));
    expect((o.dataZoom as { type: string }[]).map((z) => z.type)).toEqual(['inside', 'slider']);
    // A series marked hidden starts switched off in the legend.
    expect((o.legend as { selected: Record<string, boolean> }).selected).toMatchObject({ Deployments: true, 'Lead time': false });
  });

  it('adds the previous period as dashed ghost lines when compared, and keeps user toggles', () => {
    const names = timeSeriesNames(compared, spec);
    expect(names.slice(-2)).toEqual(['Deployments (previous period)', 'Lead time (previous period)']);
    const o = timeSeriesOption(compared, spec, ORG_COLORS.dark, timeLegend(compared, spec, { 'Lead time': true, Failed: false }));
    const ghost = (o.series as Series[]).find((s) => s.name === 'Deployments (previous period)')!;
    expect(ghost).toMatchObject({ type: 'line', data: [3, 5, 1, 7], lineStyle: { type: 'dashed' } });
    expect((o.legend as { selected: Record<string, boolean> }).selected).toMatchObject({ 'Lead time': true, Failed: false });
  });

  it('draws no ghosts when the previous series does not line up', () => {
    const odd = { ...data, previous_series: data.series.slice(1) };
    expect(timeSeriesNames(odd, spec).some((n) => n.includes('previous'))).toBe(false);
  });

  it('formats tooltips with the axis format of each series', () => {
    const o = timeSeriesOption(compared, spec, ORG_COLORS.light, {});
    const formatter = (o.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter([
      { seriesName: 'Lead time', dataIndex: 0, value: 10, marker: '' },
      { seriesName: 'Deployments (previous period)', dataIndex: 0, value: 3, marker: '' },
    ]);
    expect(html).toContain('Sun, Mar 1, 2026');
    expect(html).toContain('10 h');
    expect(html).toContain('Deployments · Feb 26');
  });

  it('knows an empty range', () => {
    expect(isEmptySeries(data, spec)).toBe(false);
    expect(isEmptySeries({ ...data, series: data.series.map((p) => ({ ...p, deployments: 0, failed: 0, lead: null })) }, spec)).toBe(true);
  });
});

describe('time series export', () => {
  it('writes the shown series per bucket, with the previous period when compared', () => {
    const e = timeSeriesExport(compared, spec, { Failed: false });
    expect(e.columns).toEqual(['bucket', 'deployments', 'lead', 'previous_bucket', 'previous_deployments', 'previous_lead']);
    expect(e.rows[1]).toEqual(['2026-03-02', 4, null, '2026-02-27', 5, null]);
    expect(e.filename).toBe('deployments_2026-03-01_2026-03-04_day');
  });
});

describe('category charts', () => {
  it('bars: horizontal puts categories on y, labels every category under vertical bars', () => {
    const h = barsOption(['a', 'b'], [{ name: 'n', values: [1, 2], color: '#000' }], { horizontal: true, axisFormat: formatHoursAxis });
    expect((h.yAxis as { type: string; data: string[] }).data).toEqual(['a', 'b']);
    expect((h.xAxis as { axisLabel: { formatter: (v: number) => string } }).axisLabel.formatter(26.4)).toBe('26 h');
    const v = barsOption(['XS', 'S'], [{ name: 'n', values: [1, 2], color: '#000' }]);
    expect((v.xAxis as { axisLabel: { interval: number } }).axisLabel.interval).toBe(0);
  });

  it('heatmap: scales colours to the largest cell and reads cells in tooltips', () => {
    const o = heatmapOption(['00', '01'], ['Mon', 'Tue'], [[0, 0, 1], [1, 1, 4]], ORG_COLORS.light, { valueName: 'failures' });
    expect((o.visualMap as { max: number }).max).toBe(4);
    const tip = (o.tooltip as { formatter: (p: unknown) => string }).formatter({ value: [1, 1, 4] });
    expect(tip).toContain('Tue · 01');
    expect(tip).toContain('<b>4</b> failures');
  });

  it('pie: shares in the tooltip', () => {
    const o = pieOption([{ name: 'test', value: 3 }, { name: 'build', value: 1 }], ORG_COLORS.light, 'failed jobs');
    const tip = (o.tooltip as { formatter: (p: unknown) => string }).formatter({ name: 'test', value: 3, marker: '' });
    expect(tip).toContain('3 failed jobs · 75.0%');
  });
});

describe('drill-down', () => {
  it('clips a bucket to the range: weeks start on Monday, months on the 1st', () => {
    expect(bucketDays('2026-03-04', 'day', '2026-03-01', '2026-03-31')).toEqual(['2026-03-04', '2026-03-04']);
    // The first week starts before the range (Monday 2026-02-23); the last ends after it.
    expect(bucketDays('2026-02-23', 'week', '2026-02-25', '2026-03-31')).toEqual(['2026-02-25', '2026-03-01']);
    expect(bucketDays('2026-03-30', 'week', '2026-02-25', '2026-03-31')).toEqual(['2026-03-30', '2026-03-31']);
    expect(bucketDays('2026-02-01', 'month', '2026-01-15', '2026-04-10')).toEqual(['2026-02-01', '2026-02-28']);
    expect(bucketDays('2028-02-01', 'month', '2028-01-15', '2028-04-10')).toEqual(['2028-02-01', '2028-02-29']);
  });

  it('asks for the bucket with the dashboard filters, not its range or grouping', () => {
    const q = itemsQuery(
      { ...DEFAULT_STATE, repos: ['acme/api'], teams: [2], compare: true, group: 'week' },
      { metric: 'pipeline-success', kind: 'failures', from: '2026-03-02', to: '2026-03-08', weekday: 6, hour: 23, title: '' },
      2,
    );
    expect(Object.fromEntries(q)).toEqual({
      from: '2026-03-02',
      to: '2026-03-08',
      repo: 'acme/api',
      team: '2',
      kind: 'failures',
      weekday: '6',
      hour: '23',
      limit: '25',
      offset: '50',
    });
  });

  it('narrows to a row, a person, a pipeline, a job, a stage, a reason, a size, a language or a bar', () => {
    const state = { ...DEFAULT_STATE, repos: ['acme/api', 'acme/web'], people: ['7'] };
    const row = itemsQuery(state, { metric: 'pipeline-failures', kind: 'failures', from: '2026-03-01', to: '2026-03-30', repo: 'acme/web', pipeline: 'ci', job: 'lint', title: '' }, 0);
    // The row's repository replaces the repository filter; other filters stay.
    expect(Object.fromEntries(row)).toMatchObject({ repo: 'acme/web', person: '7', pipeline: 'ci', job: 'lint' });
    const person = itemsQuery(state, { metric: 'person-patterns', kind: 'commits', from: '2026-03-01', to: '2026-03-30', person: '2', weekday: 0, hour: 0, title: '' }, 0);
    // Monday (0) at 00:00 (0) are real narrowings, not "unset".
    expect(Object.fromEntries(person)).toMatchObject({ repo: 'acme/api,acme/web', person: '2', weekday: '0', hour: '0' });
    const rest = itemsQuery(DEFAULT_STATE, { metric: 'commit-pr-activity', from: 'a', to: 'b', stage: 'test', reason: 'lint', size: 'XL', language: 'Go', bar: '1-4h', title: '' }, 0);
    expect(Object.fromEntries(rest)).toEqual({ from: 'a', to: 'b', stage: 'test', reason: 'lint', size: 'XL', language: 'Go', bar: '1-4h', limit: '25', offset: '0' });
  });
});

describe('formats', () => {
  it('minutes and durations', () => {
    expect(formatMinutes(9.97)).toBe('10.0 min');
    expect(formatMinutes(75)).toBe('1 h 15 min');
    expect(formatDuration(18.5)).toBe('18.5 h');
    expect(formatDuration(73.3)).toBe('3.1 d');
    expect(formatDuration(null)).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { individualAnswer, personCommits, personPatterns, RECEPTION_DESCRIPTION, REVIEWS_DESCRIPTION } from '../pages/individual/testdata';
import type { PersonCode, PersonMRs, PersonReviews } from '../api/individual';
import { PALETTES } from './echarts';
import { toCsv, toJson } from './export';
import {
  calendarExport,
  calendarLevels,
  calendarOption,
  EXTRA_COLORS,
  formulaFrom,
  heatmapCells,
  heatmapExport,
  heatmapOption,
  languageSlices,
  PREVIOUS_SUFFIX,
  repositoryExport,
  rhythmOption,
  selection,
  streakText,
  timeSeriesExport,
  timeSeriesNames,
  timeSeriesOption,
  type SeriesSpec,
} from './individual';

const light = PALETTES.light;
type Fmt = (p: unknown) => string;

describe('contribution calendar', () => {
  it('splits the busiest day into four GitHub-like levels after zero', () => {
    expect(calendarLevels([{ day: '2026-01-01', commits: 0 }])).toEqual([[0, 0]]);
    expect(calendarLevels([{ day: '2026-01-01', commits: 1 }])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    // max 8: quarter steps at 2, 4, 6, 8.
    expect(calendarLevels(personCommits(false).tables!.calendar)).toEqual([
      [0, 0],
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    // max 2: no empty or repeated level.
    expect(calendarLevels([{ day: 'a', commits: 2 }])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('covers the year of the answer, Monday first, one cell per day', () => {
    const data = personCommits(false);
    const opt = calendarOption(data, 'light', light) as Record<string, any>;
    expect(opt.calendar.range).toEqual(['2025-11-23', '2026-11-22']);
    expect(opt.calendar.dayLabel.firstDay).toBe(1);
    const series = opt.series[0];
    expect(series.coordinateSystem).toBe('calendar');
    expect(series.data).toHaveLength(365);
    expect(series.data.at(-1)).toEqual(['2026-11-22', 8]);
    // The colours are the scheme's, one per level.
    expect(opt.visualMap.pieces.map((p: { color: string }) => p.color)).toEqual(EXTRA_COLORS.light.calendar);
    const dark = calendarOption(data, 'dark', PALETTES.dark) as Record<string, any>;
    expect(dark.visualMap.pieces[0].color).toBe(EXTRA_COLORS.dark.calendar[0]);
  });

  it('says the count and the day in the tooltip', () => {
    const opt = calendarOption(personCommits(false), 'light', light) as Record<string, any>;
    const fmt = opt.tooltip.formatter as Fmt;
    expect(fmt({ value: ['2026-11-22', 8] })).toBe('<b>8 commits</b> on Nov 22, 2026');
    expect(fmt({ value: ['2026-11-20', 1] })).toBe('<b>1 commit</b> on Nov 20, 2026');
    expect(fmt({ value: ['2026-11-19', 0] })).toBe('<b>No commits</b> on Nov 19, 2026');
  });

  it('words streaks with their unit', () => {
    expect(streakText({ current_streak_days: 1, longest_streak_days: 12 })).toEqual({ current: '1 day', longest: '12 days' });
    expect(streakText({ current_streak_days: 0, longest_streak_days: 1000 })).toEqual({ current: '0 days', longest: '1,000 days' });
  });

  it('exports every day of the year', () => {
    const e = calendarExport(personCommits(false));
    expect(e.columns).toEqual(['day', 'commits']);
    expect(e.rows).toHaveLength(365);
    const csv = toCsv(e.columns, e.rows).split('\r\n');
    expect(csv[0]).toBe('day,commits');
    expect(csv.at(-2)).toBe('2026-11-22,8');
    expect(e.filename).toBe('person-commits_calendar_2026-11-20_2026-11-22');
  });
});

describe('24×7 heatmap', () => {
  it('puts hours on x and weekdays on y, Monday on top, in the local time the server computed', () => {
    const data = personPatterns(false);
    const cells = heatmapCells(data);
    expect(cells).toHaveLength(168);
    expect(cells).toContainEqual([9, 1, 5]); // Tuesday 09:00
    expect(cells).toContainEqual([23, 6, 1]); // Sunday 23:00
    const opt = heatmapOption(data, 'light', light) as Record<string, any>;
    expect(opt.xAxis.data).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(opt.xAxis.name).toBe('Hour (local time)');
    expect(opt.yAxis.data).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(opt.yAxis.inverse).toBe(true);
    expect(opt.visualMap.max).toBe(5);
    const fmt = opt.tooltip.formatter as Fmt;
    expect(fmt({ value: [9, 1, 5] })).toBe('<b>5 commits</b><br/>Tue 09:00–10:00 (local time)');
    expect(fmt({ value: [23, 6, 1] })).toBe('<b>1 commit</b><br/>Sun 23:00–00:00 (local time)');
  });

  it('exports weekday, hour and commits', () => {
    const e = heatmapExport(personPatterns(false));
    expect(e.columns).toEqual(['weekday', 'hour', 'commits']);
    expect(e.rows).toContainEqual(['Tue', 9, 5]);
    expect(JSON.parse(toJson(e)).rows).toHaveLength(168);
  });

  it('draws the daily rhythm over 24 hours', () => {
    const opt = rhythmOption(personPatterns(false), light) as Record<string, any>;
    expect(opt.series[0].data[9]).toBe(5);
    expect(opt.series[1].data[9]).toBe(2.5);
    expect(opt.xAxis.data).toHaveLength(24);
  });
});

describe('time series', () => {
  const mrsUrl = (compare: boolean) => new URL(`http://x/api/v1/metrics/person-mrs?range=30d${compare ? '&compare=true' : ''}`);
  const series: SeriesSpec<PersonMRs['series'][number]>[] = [
    { name: 'Opened', key: 'prs_opened', color: '#111', kind: 'line', format: 'count' },
    { name: 'Success rate', key: 'success_rate', color: '#222', kind: 'line', axis: 1, format: 'rate', ghost: false },
  ];
  const axes = [
    { name: 'PRs', format: 'count' as const },
    { name: 'Success', format: 'rate' as const },
  ];

  it('adds dashed ghosts of the previous period only when comparing', () => {
    const plain = individualAnswer('person-mrs', mrsUrl(false)) as PersonMRs;
    expect(timeSeriesNames({ data: plain, series })).toEqual(['Opened', 'Success rate']);
    const compared = individualAnswer('person-mrs', mrsUrl(true)) as PersonMRs;
    expect(timeSeriesNames({ data: compared, series })).toEqual(['Opened', 'Success rate', `Opened${PREVIOUS_SUFFIX}`]);
    const opt = timeSeriesOption({ data: compared, series, axes, palette: light }) as Record<string, any>;
    const ghost = opt.series.find((s: { name: string }) => s.name === `Opened${PREVIOUS_SUFFIX}`);
    expect(ghost.lineStyle.type).toBe('dashed');
    expect(ghost.data).toEqual([2, 0, 2]);
    // Zoom on the time axis, a rate axis capped at 100%.
    expect(opt.dataZoom.map((z: { type: string }) => z.type)).toEqual(['inside', 'slider']);
    expect(opt.yAxis[1].max).toBe(1);
  });

  it('formats each series in the tooltip, ghosts with their own date', () => {
    const data = individualAnswer('person-mrs', mrsUrl(true)) as PersonMRs;
    const opt = timeSeriesOption({ data, series, axes, palette: light }) as Record<string, any>;
    const html = (opt.tooltip.formatter as Fmt)([
      { seriesName: 'Opened', dataIndex: 2, value: 2, marker: '' },
      { seriesName: 'Success rate', dataIndex: 2, value: 2 / 3, marker: '' },
      { seriesName: `Opened${PREVIOUS_SUFFIX}`, dataIndex: 2, value: 2, marker: '' },
      { seriesName: 'Success rate', dataIndex: 1, value: null, marker: '' },
    ]);
    expect(html).toContain('Sun, Nov 22, 2026');
    expect(html).toContain('66.7%');
    expect(html).toContain('Opened · Nov 19');
    expect(html).toContain('—');
  });

  it('keeps the user’s legend toggles', () => {
    const data = individualAnswer('person-mrs', mrsUrl(true)) as PersonMRs;
    const names = timeSeriesNames({ data, series });
    const sel = selection(names, { 'Success rate': false });
    expect(sel).toEqual({ Opened: true, 'Success rate': false, [`Opened${PREVIOUS_SUFFIX}`]: true });
    const opt = timeSeriesOption({ data, series, axes, palette: light, selected: sel }) as Record<string, any>;
    expect(opt.legend.selected['Success rate']).toBe(false);
  });

  it('exports the shown series and the previous period, and the CSV parses back', () => {
    const data = individualAnswer('person-mrs', mrsUrl(true)) as PersonMRs;
    const all = timeSeriesExport({ data, series }, 'prs');
    expect(all.columns).toEqual(['bucket', 'prs_opened', 'success_rate', 'previous_bucket', 'previous_prs_opened']);
    expect(all.rows[1]).toEqual(['2026-11-21', 0, null, '2026-11-18', 0]);
    const lines = toCsv(all.columns, all.rows).trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]!.split(',')).toEqual(['2026-11-20', '2', '1', '2026-11-17', '2']);
    expect(lines[2]).toBe('2026-11-21,0,,2026-11-18,0');

    const hidden = timeSeriesExport({ data, series, selected: { Opened: true, 'Success rate': false, [`Opened${PREVIOUS_SUFFIX}`]: false } }, 'prs');
    expect(hidden.columns).toEqual(['bucket', 'prs_opened']);
    expect(hidden.filename).toBe('person-mrs_prs_2026-11-20_2026-11-22_day');
  });

  it('renders hours on a review response chart', () => {
    const data = individualAnswer('person-reviews', new URL('http://x/?range=30d')) as PersonReviews;
    const opt = timeSeriesOption({
      data,
      series: [{ name: 'Response time', key: 'response_time_median_hours', color: '#333', kind: 'line', format: 'hours' }],
      axes: [{ name: 'Median hours', format: 'hours' }],
      palette: light,
    }) as Record<string, any>;
    expect(opt.series[0].data).toEqual([4, null, 3]);
    expect(opt.series[0].connectNulls).toBe(true);
    expect(opt.series[0].showSymbol).toBe(true);
    // Counts over a long range draw a plain line; medians keep their points.
    const long = { ...data, series: Array.from({ length: 90 }, (_, i) => ({ ...data.series[i % 3]!, bucket: `b${i}` })) };
    const dense = timeSeriesOption({
      data: long,
      series: [
        { name: 'Reviews', key: 'reviews', color: '#444', kind: 'line', format: 'count' },
        { name: 'Response time', key: 'response_time_median_hours', color: '#333', kind: 'line', format: 'hours' },
      ],
      axes: [{ name: 'Reviews', format: 'count' }],
      palette: light,
    }) as Record<string, any>;
    expect(dense.series.map((x: { showSymbol: boolean }) => x.showSymbol)).toEqual([false, true]);
    expect((opt.tooltip.formatter as Fmt)([{ seriesName: 'Response time', dataIndex: 0, value: 4, marker: '' }])).toContain('4.0 h');
  });
});

describe('languages and repositories', () => {
  const code = individualAnswer('person-code', new URL('http://x/')) as PersonCode;

  it('keeps the top languages and groups the rest as Other', () => {
    expect(languageSlices(code).map((s) => s.name)).toEqual(['Go', 'TypeScript']);
    const many: PersonCode = {
      ...code,
      tables: {
        ...code.tables!,
        languages: Array.from({ length: 10 }, (_, i) => ({ language: `L${i}`, added: 10 - i, removed: 0, lines: 10 - i, share: (10 - i) / 55 })),
      },
    };
    const slices = languageSlices(many);
    expect(slices).toHaveLength(8);
    expect(slices.at(-1)).toMatchObject({ name: 'Other', value: 3 + 2 + 1 });
    expect(slices.at(-1)!.share).toBeCloseTo(6 / 55, 12);
  });

  it('exports repositories with their shares', () => {
    const e = repositoryExport(code);
    expect(e.columns).toEqual(['repository', 'commits', 'lines_added', 'lines_removed', 'share']);
    expect(e.rows[0]).toEqual(['acme/api', 9, 250, 60, 0.75]);
  });
});

describe('documented formulas', () => {
  it('takes the score’s definition from the catalog description', () => {
    expect(formulaFrom(REVIEWS_DESCRIPTION, 'thoroughness')).toBe(
      'Thoroughness (0–100) = 100 × (engagement + depth) ÷ 2 over the PRs reviewed in the range, engagement = share with at least one review comment of theirs, depth = min(1, their review comments per PR ÷ 3).',
    );
    expect(formulaFrom(RECEPTION_DESCRIPTION, 'collaboration score')).toMatch(/^Collaboration score \(0–100\) = 100 × mean of the defined parts: .*reciprocity = min\(1, reviews given ÷ reviews received\)\.$/);
    expect(formulaFrom('A. B.', 'thoroughness')).toBeUndefined();
    expect(formulaFrom(undefined, 'x')).toBeUndefined();
  });

  it('stops at the end of the sentence', () => {
    expect(formulaFrom('Intro. Score = a ÷ b. Next sentence.', 'score')).toBe('Score = a ÷ b.');
  });
});

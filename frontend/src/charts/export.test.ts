import { describe, expect, it } from 'vitest';
import type { CommitPrActivity } from '../api/types';
import { commitPrExport, distributionExport } from './commitPrActivity';
import { slug, toCsv, toJson } from './export';

describe('CSV export', () => {
  it('writes a header and CRLF-separated rows', () => {
    expect(toCsv(['bucket', 'commits'], [['2026-10-25', 31], ['2026-10-26', 0]])).toBe('bucket,commits\r\n2026-10-25,31\r\n2026-10-26,0\r\n');
  });

  it('quotes commas, quotes and newlines', () => {
    expect(toCsv(['name'], [['a,b'], ['say "hi"'], ['two\nlines']])).toBe('name\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n');
  });

  it('leaves empty cells for missing values and non-finite numbers', () => {
    expect(toCsv(['a', 'b', 'c'], [[null, undefined, Number.NaN]])).toBe('a,b,c\r\n,,\r\n');
  });

  it('defuses spreadsheet formulas in text but not negative numbers', () => {
    expect(toCsv(['x', 'n'], [['=HYPERLINK("http://evil")', -3]])).toBe('x,n\r\n"\'=HYPERLINK(""http://evil"")",-3\r\n');
    expect(toCsv(['x'], [['@acme'], ['+1']])).toBe("x\r\n'@acme\r\n'+1\r\n");
  });
});

const data: CommitPrActivity = {
  metric: 'commit-pr-activity',
  from: '2026-10-25',
  to: '2026-10-26',
  group: 'day',
  summary: {
    commits: 5,
    prs_opened: 2,
    prs_merged: 1,
    prs_closed_unmerged: 0,
    merge_rate: 1,
    time_to_merge_mean_hours: 3,
    time_to_merge_median_hours: 3,
    time_to_merge_p75_hours: 3,
    time_to_merge_p95_hours: 3,
  },
  series: [
    { bucket: '2026-10-25', commits: 2, prs_opened: 1, prs_merged: 0 },
    { bucket: '2026-10-26', commits: 3, prs_opened: 1, prs_merged: 1 },
  ],
  tables: { pr_size: [{ bucket: 'XS', count: 1 }], time_to_merge: [{ bucket: '<1h', count: 1 }] },
};

describe('commit-pr-activity export', () => {
  it('exports the drawn series', () => {
    const e = commitPrExport(data);
    expect(e.filename).toBe('commit-pr-activity_2026-10-25_2026-10-26_day');
    expect(toCsv(e.columns, e.rows)).toBe('bucket,commits,prs_opened,prs_merged\r\n2026-10-25,2,1,0\r\n2026-10-26,3,1,1\r\n');
  });

  it('adds the previous period, aligned by index, when compared', () => {
    const e = commitPrExport({
      ...data,
      previous_series: [
        { bucket: '2026-10-23', commits: 4, prs_opened: 0, prs_merged: 0 },
        { bucket: '2026-10-24', commits: 1, prs_opened: 2, prs_merged: 2 },
      ],
    });
    expect(e.columns).toEqual(['bucket', 'commits', 'prs_opened', 'prs_merged', 'previous_bucket', 'previous_commits', 'previous_prs_opened', 'previous_prs_merged']);
    expect(e.rows[1]).toEqual(['2026-10-26', 3, 1, 1, '2026-10-24', 1, 2, 2]);
    // Series switched off in the legend are left out.
    const shown = commitPrExport(
      { ...data, previous_series: data.series },
      { Commits: true, 'PRs opened': false, 'PRs merged': true, 'Commits (previous period)': true, 'PRs opened (previous period)': false, 'PRs merged (previous period)': false },
    );
    expect(shown.columns).toEqual(['bucket', 'commits', 'prs_merged', 'previous_bucket', 'previous_commits']);
    expect(JSON.parse(toJson(e))).toMatchObject({ metric: 'commit-pr-activity', from: '2026-10-25', rows: [{ bucket: '2026-10-25', previous_commits: 4 }, {}] });
  });

  it('exports the distribution tables', () => {
    const e = distributionExport(data, 'pr_size');
    expect(toCsv(e.columns, e.rows)).toBe('bucket,count\r\nXS,1\r\n');
  });

  it('makes safe file names', () => {
    expect(slug('a/b c:d')).toBe('a-b-c-d');
    expect(slug('///')).toBe('chart');
  });
});

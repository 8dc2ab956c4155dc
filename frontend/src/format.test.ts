import { describe, expect, it } from 'vitest';
import { computeDelta, formatBucketLong, formatBucketShort, formatCount, formatHours, formatRate } from './format';

describe('format', () => {
  it('formats numbers and handles missing values', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatRate(0.918)).toBe('91.8%');
    expect(formatHours(18.46)).toBe('18.5 h');
    expect(formatRate(null)).toBe('—');
    expect(formatHours(Number.NaN)).toBe('—');
  });

  it('labels buckets by grouping', () => {
    expect(formatBucketShort('2026-10-25', 'day')).toBe('Oct 25');
    expect(formatBucketShort('2026-10-01', 'month')).toBe('Oct 2026');
    expect(formatBucketLong('2026-10-26', 'week')).toBe('Week of Oct 26, 2026');
  });

  it('computes deltas against the previous period', () => {
    expect(computeDelta(120, 100, 'count')).toEqual({ text: '+20.0%', direction: 'up', good: true });
    expect(computeDelta(80, 100, 'count')).toEqual({ text: '−20.0%', direction: 'down', good: false });
    expect(computeDelta(5, 0, 'count')).toEqual({ text: '+5 from 0', direction: 'up', good: true });
    expect(computeDelta(0.9, 0.92, 'rate')).toMatchObject({ text: '−2.0 pp', good: false });
    // Time to merge going down is good news.
    expect(computeDelta(18.5, 21, 'hours', true)).toEqual({ text: '−2.5 h', direction: 'down', good: true });
    expect(computeDelta(10, 10, 'count')).toEqual({ text: 'no change', direction: 'flat', good: null });
    expect(computeDelta(10, undefined, 'count')).toEqual({ text: 'no comparison', direction: 'none', good: null });
    expect(computeDelta(null, 3, 'hours')).toMatchObject({ direction: 'none' });
  });
});

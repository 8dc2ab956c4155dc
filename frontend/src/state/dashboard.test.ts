import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE,
  metricQuery,
  parseDashboard,
  parseSearchString,
  presetDates,
  previousPeriod,
  serialiseDashboard,
  stringifySearchRecord,
  withDashboard,
  type DashboardState,
} from './dashboard';

const full: DashboardState = {
  period: { kind: 'preset', range: '90d' },
  compare: true,
  teams: [2, 7],
  repos: ['acme/api', 'acme/web', 'group/sub/project'],
  people: ['5', 'ada@acme.dev'],
  group: 'week',
};

describe('dashboard URL state', () => {
  it('round-trips through the URL', () => {
    for (const s of [DEFAULT_STATE, full, { ...full, period: { kind: 'custom', from: '2026-01-01', to: '2026-01-31' } } as DashboardState]) {
      const url = stringifySearchRecord(serialiseDashboard(s));
      expect(parseDashboard(parseSearchString(url))).toEqual(s);
    }
  });

  it('writes a readable URL', () => {
    expect(stringifySearchRecord(serialiseDashboard(full))).toBe(
      '?range=90d&compare=1&repo=acme/api,acme/web,group/sub/project&team=2,7&person=5,ada@acme.dev&group=week',
    );
    expect(stringifySearchRecord(serialiseDashboard({ ...DEFAULT_STATE, period: { kind: 'custom', from: '2026-01-01', to: '2026-01-31' } }))).toBe(
      '?from=2026-01-01&to=2026-01-31&group=day',
    );
  });

  it('reads the example URL from the brief', () => {
    const s = parseDashboard(parseSearchString('?range=30d&compare=1&repo=acme/api,acme/web&team=2&person=5&group=week'));
    expect(s).toEqual({
      period: { kind: 'preset', range: '30d' },
      compare: true,
      teams: [2],
      repos: ['acme/api', 'acme/web'],
      people: ['5'],
      group: 'week',
    });
  });

  it('falls back to defaults for missing or bad params', () => {
    expect(parseDashboard({})).toEqual(DEFAULT_STATE);
    expect(
      parseDashboard({ range: 'banana', group: 'year', compare: 'maybe', team: 'x,-1,0,3.5', repo: 'noslash,<script>/x', person: 'not an email, ,' }),
    ).toEqual(DEFAULT_STATE);
    // Impossible dates are ignored, the preset stands.
    expect(parseDashboard({ from: '2026-02-30', to: '2026-03-01', range: '7d' }).period).toEqual({ kind: 'preset', range: '7d' });
    // Only one end of a custom range: not a range.
    expect(parseDashboard({ from: '2026-01-01' }).period).toEqual(DEFAULT_STATE.period);
    // Absurdly long custom ranges are refused.
    expect(parseDashboard({ from: '1970-01-01', to: '2026-01-01' }).period).toEqual(DEFAULT_STATE.period);
  });

  it('normalises what it can keep', () => {
    const s = parseDashboard({ range: ' 60D ', group: 'Month', compare: 'true', team: '3,3, 4 ,x', repo: 'acme/api,acme/api,bad', person: 'Ada@acme.dev,12' });
    expect(s).toEqual({
      period: { kind: 'preset', range: '60d' },
      compare: true,
      teams: [3, 4],
      repos: ['acme/api'],
      people: ['Ada@acme.dev', '12'],
      group: 'month',
    });
    // A reversed custom range is swapped, and custom wins over a preset.
    expect(parseDashboard({ from: '2026-02-01', to: '2026-01-01', range: '7d' }).period).toEqual({ kind: 'custom', from: '2026-01-01', to: '2026-02-01' });
  });

  it('keeps search params it does not own', () => {
    expect(withDashboard({ tab: 'x', range: '7d', team: '9' }, { ...DEFAULT_STATE, compare: true })).toEqual({
      tab: 'x',
      range: '30d',
      compare: '1',
      group: 'day',
    });
  });

  it('builds the API query', () => {
    expect(metricQuery(full).toString()).toBe(
      'range=90d&compare=true&repo=acme%2Fapi%2Cacme%2Fweb%2Cgroup%2Fsub%2Fproject&team=2%2C7&person=5%2Cada%40acme.dev&group=week',
    );
    expect(metricQuery({ ...DEFAULT_STATE, period: { kind: 'custom', from: '2026-01-01', to: '2026-01-31' } }).toString()).toBe(
      'from=2026-01-01&to=2026-01-31&group=day',
    );
  });

  it('computes the previous period and preset dates', () => {
    expect(previousPeriod('2026-10-25', '2026-11-23')).toEqual(['2026-09-25', '2026-10-24']);
    expect(previousPeriod('2026-03-01', '2026-03-01')).toEqual(['2026-02-28', '2026-02-28']);
    expect(presetDates('30d', '2026-11-23')).toEqual(['2026-10-25', '2026-11-23']);
    expect(presetDates('7d', '2026-01-03')).toEqual(['2025-12-28', '2026-01-03']);
  });
});

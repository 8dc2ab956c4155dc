// `commit-pr-activity`: summary cards, the activity chart (with the previous period as ghost
// lines when comparing) and the PR size and time-to-merge distributions.
import { SimpleGrid, Text, useComputedColorScheme } from '@mantine/core';
import { useMemo, useRef, useState } from 'react';
import { useCommitPrActivity } from '../../api/queries';
import type { CommitPrActivity, MetricInfo } from '../../api/types';
import {
  commitPrExport,
  commitPrOption,
  distributionExport,
  distributionOption,
  isEmptyActivity,
  legendSelection,
  SERIES,
  seriesNames,
} from '../../charts/commitPrActivity';
import { bucketDays } from '../../charts/organization';
import { useDrill } from '../../charts/Drill';
import { onSeriesClick } from './parts';
import { PALETTES } from '../../charts/echarts';
import { MetricChart, NoDataMessage } from '../../charts/MetricPanel';
import { SummaryCards, type SummaryItem } from '../../charts/SummaryCards';
import { formatBucketLong, formatCount, formatHours, formatRange, formatRate } from '../../format';
import { previousPeriod, type DashboardState } from '../../state/dashboard';
import { isFiltered } from '../../state/useDashboard';

export const METRIC_ID = 'commit-pr-activity';

// What a click on each series lists (the previous-period ghosts open nothing).
const DRILL_KINDS: Record<string, string> = { [SERIES.commits]: 'commits', [SERIES.prsOpened]: 'prs_opened', [SERIES.prsMerged]: 'prs_merged' };

// Used when GET /api/v1/metrics has not answered (yet); the server's wording wins.
const FALLBACK_INFO: MetricInfo = {
  id: METRIC_ID,
  title: 'Commit & PR activity',
  view: 'organization',
  family: 'delivery',
  description:
    'Commits per bucket; pull requests opened and merged; merge rate = merged ÷ (merged + closed unmerged); time to merge (mean, median, distribution); PR size by lines changed (XS<10, S<50, M<250, L<1000, XL≥1000).',
  available: true,
};

export function summaryItems(data: CommitPrActivity): SummaryItem[] {
  const s = data.summary;
  const p = data.previous;
  return [
    { key: 'commits', label: 'Commits', value: s.commits, previous: p?.commits, format: formatCount, kind: 'count' },
    { key: 'prs_opened', label: 'PRs opened', value: s.prs_opened, previous: p?.prs_opened, format: formatCount, kind: 'count' },
    { key: 'prs_merged', label: 'PRs merged', value: s.prs_merged, previous: p?.prs_merged, format: formatCount, kind: 'count' },
    {
      key: 'merge_rate',
      label: 'Merge rate',
      value: s.merge_rate,
      previous: p?.merge_rate,
      format: formatRate,
      kind: 'rate',
      hint: `${formatCount(s.prs_closed_unmerged)} closed unmerged`,
    },
    {
      key: 'time_to_merge_median_hours',
      label: 'Median time to merge',
      value: s.time_to_merge_median_hours,
      previous: p?.time_to_merge_median_hours,
      format: formatHours,
      kind: 'hours',
      lowerIsBetter: true,
      hint: `mean ${formatHours(s.time_to_merge_mean_hours)} · p95 ${formatHours(s.time_to_merge_p95_hours)}`,
    },
  ];
}

export function CommitPrActivityPanel({ state, info }: { state: DashboardState; info?: MetricInfo }) {
  const meta = info ?? FALLBACK_INFO;
  const q = useCommitPrActivity(state);
  const scheme = useComputedColorScheme('light');
  const palette = PALETTES[scheme];
  const open = useDrill();
  // Legend toggles are kept for the next redraw (new range, compare on/off), but do not
  // themselves rebuild the option: that would reset the user's zoom.
  const legendRef = useRef<Record<string, boolean>>({});
  const [userLegend, setUserLegend] = useState<Record<string, boolean>>({});
  const data = q.data;

  const view = useMemo(() => {
    if (!data) return undefined;
    const empty = isEmptyActivity(data);
    return {
      empty,
      option: empty ? undefined : commitPrOption(data, palette, legendSelection(data, legendRef.current)),
    };
  }, [data, palette]);
  const shown = useMemo(() => {
    if (!data) return undefined;
    const selected = legendSelection(data, userLegend);
    return { names: seriesNames(data).filter((n) => selected[n]), exportData: commitPrExport(data, selected) };
  }, [data, userLegend]);

  const onEvents = useMemo(
    () => ({
      legendselectchanged: (e: unknown) => {
        legendRef.current = (e as { selected: Record<string, boolean> }).selected;
        setUserLegend(legendRef.current);
      },
      click: onSeriesClick((e) => {
        const kind = DRILL_KINDS[e.seriesName];
        const point = data?.series[e.dataIndex];
        if (!kind || !point || !data) return;
        const [from, to] = bucketDays(point.bucket, data.group, data.from, data.to);
        open({ metric: METRIC_ID, kind, from, to, title: `${e.seriesName} · ${formatBucketLong(point.bucket, data.group)}` });
      }),
    }),
    [data, open],
  );

  const sizeTable = data?.tables?.pr_size ?? [];
  const ttmTable = data?.tables?.time_to_merge ?? [];
  const noPrs = (t: { count: number }[]) => t.every((b) => b.count === 0);
  const filtered = isFiltered(state);
  const compared = !!data && state.compare && !!data.previous;

  return (
    <>
      <MetricChart
        testId="commits"
        title={meta.title}
        description={meta.description}
        metricId={meta.id}
        option={view?.option}
        points={view?.option ? data!.series.length : 0}
        series={shown?.names}
        loading={q.isFetching}
        error={q.error}
        empty={view?.empty && <NoDataMessage what="commits or pull requests" filtered={filtered} />}
        exportData={shown?.exportData}
        height={340}
        onEvents={onEvents}
        header={
          data && (
            <>
              <Text size="sm" c="dimmed" mb="xs" data-testid="commits-range">
                {formatRange(data.from, data.to)}
                {compared ? ` · compared with ${formatRange(...previousPeriod(data.from, data.to))}` : ''}
              </Text>
              <SummaryCards items={summaryItems(data)} compare={compared} />
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <MetricChart
          testId="pr-size"
          title="PR size"
          description="Pull requests in the range by lines changed (added + removed): XS < 10, S < 50, M < 250, L < 1000, XL ≥ 1000."
          option={data && !noPrs(sizeTable) ? distributionOption(sizeTable, palette.commits, palette.subtleText, 'PRs') : undefined}
          points={sizeTable.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && noPrs(sizeTable) && <NoDataMessage what="pull requests" filtered={filtered} />}
          exportData={data && distributionExport(data, 'pr_size')}
          height={240}
          onEvents={{
            click: onSeriesClick((e) => data && open({ metric: METRIC_ID, kind: 'prs_opened', size: e.name, from: data.from, to: data.to, title: `Pull requests opened of size ${e.name}` })),
          }}
        />
        <MetricChart
          testId="time-to-merge"
          title="Time to merge"
          description="Merged pull requests by time from opened to merged."
          option={data && !noPrs(ttmTable) ? distributionOption(ttmTable, palette.prsMerged, palette.subtleText, 'merged PRs') : undefined}
          points={ttmTable.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && noPrs(ttmTable) && <NoDataMessage what="merged pull requests" filtered={filtered} />}
          exportData={data && distributionExport(data, 'time_to_merge')}
          height={240}
          onEvents={{
            click: onSeriesClick((e) => data && open({ metric: METRIC_ID, kind: 'prs_merged', bar: e.name, from: data.from, to: data.to, title: `Pull requests merged in ${e.name}` })),
          }}
        />
      </SimpleGrid>
    </>
  );
}

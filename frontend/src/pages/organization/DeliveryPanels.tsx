// Delivery: deployments (with DORA tiers), cycle time (stages, bottleneck) and work in progress.
import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useMemo } from 'react';
import {
  useOrganizationMetric,
  type CycleTimePoint,
  type DeploymentsPoint,
  type DoraRating,
  type WipPoint,
} from '../../api/organization';
import type { CountBucket, MetricInfo } from '../../api/types';
import { MetricChart } from '../../charts/MetricPanel';
import {
  barsOption,
  fields,
  formatDuration,
  formatHoursAxis,
  formatNumber,
  heatmapOption,
  tableExport,
  type TimeChartSpec,
} from '../../charts/organization';
import { SummaryCards, type SummaryItem } from '../../charts/SummaryCards';
import { formatCount, formatRate } from '../../format';
import type { DashboardState } from '../../state/dashboard';
import { isFiltered } from '../../state/useDashboard';
import { useDrill } from '../../charts/Drill';
import { ConfigureMessage, infoOf, onSeriesClick, TablePanel, TimeSeriesPanel, useOrgColors } from './parts';

const hours = (n: number | null | undefined) => formatDuration(n);

/** A histogram of CountBuckets, exported as its rows. */
export function HistogramPanel({
  testId,
  title,
  description,
  data,
  table,
  rows,
  color,
  valueName,
  loading,
  error,
  empty,
  onBar,
}: {
  testId: string;
  title: string;
  description: string;
  data: { metric: string; from: string; to: string } | undefined;
  table: string;
  rows: CountBucket[] | undefined;
  color: string;
  valueName: string;
  loading: boolean;
  error: unknown;
  empty: React.ReactNode;
  onBar?: (bucket: string) => void;
}) {
  const colors = useOrgColors();
  const none = !!rows && rows.every((b) => b.count === 0);
  const option = rows && !none ? barsOption(rows.map((b) => b.bucket), [{ name: valueName, values: rows.map((b) => b.count), color }], { labels: true, labelColor: colors.subtleText }) : undefined;
  return (
    <MetricChart
      testId={testId}
      title={title}
      description={description}
      option={option}
      points={rows?.length ?? 0}
      loading={loading}
      error={error}
      empty={data && none && empty}
      exportData={data && rows && tableExport(data, table, rows, fields<CountBucket>('bucket', 'count'))}
      height={240}
      onEvents={onBar ? { click: onSeriesClick((p) => rows?.[p.dataIndex] && onBar(rows[p.dataIndex]!.bucket)) } : undefined}
    />
  );
}

// Deployments ---------------------------------------------------------------------------------------

const DEPLOY_SPEC: TimeChartSpec<DeploymentsPoint> = {
  series: [
    { key: 'deployments', name: 'Successful', kind: 'bar', axis: 0, color: 'green', stack: 'deploys', ghost: true },
    { key: 'failed_deployments', name: 'Failed', kind: 'bar', axis: 0, color: 'red', stack: 'deploys' },
    { key: 'lead_time_median_hours', name: 'Lead time (median)', kind: 'line', axis: 1, color: 'blue', ghost: true },
  ],
  axes: [
    { name: 'Deployments', format: formatCount, minInterval: 1 },
    { name: 'Lead time', format: hours, label: formatHoursAxis },
  ],
  smooth: { key: 'deployments', name: 'Deployments', axis: 0 },
};

const TIER_COLORS: Record<string, string> = { elite: 'teal', high: 'green', medium: 'yellow', low: 'red', none: 'gray' };

export function DoraTier({ testId, label, rating, format }: { testId: string; label: string; rating: DoraRating | undefined; format: (r: DoraRating) => string }) {
  const tier = rating?.tier ?? 'none';
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid={testId} data-tier={tier}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" c="dimmed" fw={500}>
          DORA · {label}
        </Text>
        <Tooltip label={rating?.rule ?? 'Nothing to rate in this range'} multiline w={300} withArrow>
          <Badge color={TIER_COLORS[tier]} variant="light" size="lg">
            {tier === 'none' ? 'not rated' : tier}
          </Badge>
        </Tooltip>
      </Group>
      <Text size="sm" mt={4} className="tabular">
        {rating && tier !== 'none' ? format(rating) : 'No production deployments to rate'}
      </Text>
    </Paper>
  );
}

const DEPLOY_HINT = 'Deployments come from CI/CD sources (GitHub deployments or Actions, GitLab environments, Jenkins) with a production environment.';

export function DeploymentsPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'deployments', 'Deployments');
  const q = useOrganizationMetric('deployments', state);
  const colors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const filtered = isFiltered(state);
  const compared = !!data?.previous && state.compare;
  const s = data?.summary;
  const p = data?.previous;
  const items: SummaryItem[] = s
    ? [
        { key: 'deployments', label: 'Deployments', value: s.deployments, previous: p?.deployments, format: formatCount, kind: 'count', hint: `${formatCount(s.failed_deployments)} failed · ${formatCount(s.deploy_days)} deploy days` },
        { key: 'deployments_per_week', label: 'Per week', value: s.deployments_per_week, previous: p?.deployments_per_week, format: formatNumber, kind: 'count', hint: `${formatNumber(s.deployments_per_day)} per day · ${formatNumber(s.deployments_per_month)} per month` },
        { key: 'release_cycle_time_median_hours', label: 'Release cycle time', value: s.release_cycle_time_median_hours, previous: p?.release_cycle_time_median_hours, format: hours, kind: 'hours', lowerIsBetter: true, hint: 'median, first commit → production' },
        { key: 'commit_to_merge_median_hours', label: 'Commit → merge', value: s.commit_to_merge_median_hours, previous: p?.commit_to_merge_median_hours, format: hours, kind: 'hours', lowerIsBetter: true, hint: 'median' },
        { key: 'merge_to_production_median_hours', label: 'Merge → production', value: s.merge_to_production_median_hours, previous: p?.merge_to_production_median_hours, format: hours, kind: 'hours', lowerIsBetter: true, hint: `median · ${formatCount(s.prs_deployed)} PRs shipped` },
      ]
    : [];
  const dora = data?.tables?.dora;
  const stages = data?.tables?.lead_time_stages;
  const empty = <ConfigureMessage what="production deployments" filtered={filtered} hint={DEPLOY_HINT} />;
  const stageOption = useMemo(
    () =>
      stages && stages.some((x) => x.count > 0)
        ? barsOption(
            stages.map((x) => x.label),
            [
              { name: 'Median', values: stages.map((x) => x.median), color: colors.blue },
              { name: 'p75', values: stages.map((x) => x.p75), color: colors.cyan },
              { name: 'p95', values: stages.map((x) => x.p95), color: colors.gray },
            ],
            { horizontal: true, format: hours, axisFormat: formatHoursAxis },
          )
        : undefined,
    [stages, colors],
  );

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="deployments"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={DEPLOY_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        // The lead-time line is a median over the deployments of its bucket: it opens them too.
        drill={() => ({ metric: 'deployments', kind: 'deployments' })}
        header={
          data && (
            <>
              <SummaryCards items={items} compare={compared} />
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mb="md">
                <DoraTier testId="dora-deployment-frequency" label="Deployment frequency" rating={dora?.deployment_frequency} format={(r) => `${formatNumber(r.value)} ${r.unit}`} />
                <DoraTier testId="dora-lead-time" label="Lead time for changes" rating={dora?.lead_time} format={(r) => `${formatDuration(r.value)} (median)`} />
              </SimpleGrid>
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <HistogramPanel
          testId="release-cycle-time"
          title="Release cycle time"
          description="Pull requests first shipped to production in the range, by time from their first commit to that deployment."
          data={data}
          table="release_cycle_time"
          rows={data?.tables?.release_cycle_time}
          color={colors.violet}
          valueName="PRs"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={() => data && open({ metric: 'deployments', kind: 'deployments', from: data.from, to: data.to, title: 'Production deployments in the range' })}
        />
        <MetricChart
          testId="lead-time-stages"
          title="Lead time by stage"
          description="Commit → merge and merge → production of the pull requests shipped in the range (median, p75, p95)."
          option={stageOption}
          points={stages?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={data && !stageOption && empty}
          exportData={data && stages && tableExport(data, 'lead_time_stages', stages, fields('stage', 'label', 'count', 'mean', 'median', 'p75', 'p95'))}
          height={240}
          onEvents={{ click: onSeriesClick(() => data && open({ metric: 'deployments', kind: 'deployments', from: data.from, to: data.to, title: 'Production deployments in the range' })) }}
        />
      </SimpleGrid>
    </Stack>
  );
}

// Cycle time -------------------------------------------------------------------------------------------

const CYCLE_SPEC: TimeChartSpec<CycleTimePoint> = {
  series: [
    { key: 'coding_hours', name: 'Coding', kind: 'bar', axis: 0, color: 'blue', stack: 'stages' },
    { key: 'pickup_hours', name: 'Pickup', kind: 'bar', axis: 0, color: 'yellow', stack: 'stages' },
    { key: 'review_hours', name: 'Review', kind: 'bar', axis: 0, color: 'violet', stack: 'stages' },
    { key: 'deploy_hours', name: 'Deploy', kind: 'bar', axis: 0, color: 'green', stack: 'stages' },
    { key: 'cycle_time_median_hours', name: 'Cycle time (median)', kind: 'line', axis: 0, color: 'orange', ghost: true },
  ],
  axes: [{ name: 'Hours (median)', format: hours, label: formatHoursAxis }],
  smooth: { key: 'cycle_time_median_hours', name: 'Cycle time', axis: 0 },
};

const PR_HINT = 'Cycle time needs merged pull requests from a version-control source (GitHub, GitLab, Bitbucket); the deploy stage also needs production deployments.';

export function CycleTimePanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'cycle-time', 'Cycle time');
  const q = useOrganizationMetric('cycle-time', state);
  const colors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const filtered = isFiltered(state);
  const s = data?.summary;
  const p = data?.previous;
  const compared = !!p && state.compare;
  const t = data?.tables;
  const stageItem = (key: 'coding' | 'pickup' | 'review' | 'deploy', label: string): SummaryItem => ({
    key: `${key}_median_hours`,
    label,
    value: s?.[`${key}_median_hours`],
    previous: p?.[`${key}_median_hours`],
    format: hours,
    kind: 'hours',
    lowerIsBetter: true,
    hint: t?.bottleneck?.stage === key ? `bottleneck · ${formatRate(t.bottleneck.share)} of the time` : `median · mean ${hours(s?.[`${key}_mean_hours`])}`,
  });
  const items: SummaryItem[] = s
    ? [
        { key: 'cycle_time_median_hours', label: 'Cycle time', value: s.cycle_time_median_hours, previous: p?.cycle_time_median_hours, format: hours, kind: 'hours', lowerIsBetter: true, hint: `median of ${formatCount(s.prs)} merged PRs · p95 ${hours(s.cycle_time_p95_hours)}` },
        stageItem('coding', 'Coding'),
        stageItem('pickup', 'Pickup'),
        stageItem('review', 'Review'),
        stageItem('deploy', 'Deploy'),
        { key: 'merged_without_review', label: 'Unreviewed merges', value: s.merged_without_review, previous: p?.merged_without_review, format: formatCount, kind: 'count', lowerIsBetter: true },
      ]
    : [];
  const empty = <ConfigureMessage what="merged pull requests" filtered={filtered} hint={PR_HINT} />;
  const stages = t?.stages;
  // The breakdown: one stacked bar of the stage means, the bottleneck outlined.
  const breakdown = useMemo(() => {
    if (!stages || !stages.some((x) => x.count > 0)) return undefined;
    const palette = [colors.blue, colors.yellow, colors.violet, colors.green];
    const option = barsOption(
      ['Mean', 'Median'],
      stages.map((x, i) => ({
        name: x.bottleneck ? `${x.label} (bottleneck)` : x.label,
        values: [x.mean, x.median],
        color: palette[i % palette.length]!,
        stack: 'stages',
      })),
      { horizontal: true, format: hours, axisFormat: formatHoursAxis },
    ) as { series: { itemStyle?: Record<string, unknown> }[] };
    stages.forEach((x, i) => {
      if (x.bottleneck) option.series[i]!.itemStyle = { borderColor: colors.red, borderWidth: 2 };
    });
    return option as unknown as ReturnType<typeof barsOption>;
  }, [stages, colors]);
  const byRepo = t?.by_repo ?? [];
  const heat = useMemo(() => {
    const rows = byRepo.filter((r) => r.prs > 0).slice(0, 12);
    if (!rows.length) return undefined;
    const keys = ['coding', 'pickup', 'review', 'deploy'] as const;
    const cells: [number, number, number | null][] = [];
    rows.forEach((r, y) => keys.forEach((k, x) => cells.push([x, y, r.hours[k] === null ? null : Math.round(r.hours[k]! * 10) / 10])));
    return heatmapOption(['Coding', 'Pickup', 'Review', 'Deploy'], rows.map((r) => r.repo), cells, colors, {
      format: hours,
      valueName: 'mean hours',
    });
  }, [byRepo, colors]);

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="cycle-time"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={CYCLE_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        drill={() => ({ metric: 'cycle-time', kind: 'prs_merged' })}
        header={data && <SummaryCards items={items} compare={compared} />}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <MetricChart
          testId="cycle-breakdown"
          title="Where the time goes"
          description="Mean and median hours of each stage, stacked; the bottleneck (largest share of the sum of the stage means) is outlined in red."
          option={breakdown}
          points={stages?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={data && !breakdown && empty}
          exportData={data && stages && tableExport(data, 'stages', stages, fields('stage', 'label', 'count', 'mean', 'median', 'p75', 'p95', 'share', 'bottleneck'))}
          height={200}
          header={
            t?.bottleneck && (
              <Text size="sm" mb="xs" data-testid="bottleneck">
                Bottleneck:{' '}
                <Text span fw={600} c="red">
                  {t.bottleneck.label}
                </Text>{' '}
                — {formatRate(t.bottleneck.share)} of the time
              </Text>
            )
          }
          onEvents={{ click: onSeriesClick(() => data && open({ metric: 'cycle-time', kind: 'prs_merged', from: data.from, to: data.to, title: 'Merged pull requests in the range' })) }}
        />
        <MetricChart
          testId="cycle-heatmap"
          title="Bottlenecks by repository"
          description="Mean hours of each stage per repository (the twelve with most merged PRs); darker is slower."
          option={heat}
          points={byRepo.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && !heat && empty}
          exportData={
            data &&
            tableExport(data, 'by_repo', byRepo, [
              { key: 'repo', value: (r) => r.repo },
              { key: 'prs', value: (r) => r.prs },
              ...(['coding', 'pickup', 'review', 'deploy'] as const).map((k) => ({ key: `${k}_hours`, value: (r: (typeof byRepo)[number]) => r.hours[k] })),
            ])
          }
          height={Math.max(220, 60 + 26 * Math.min(12, byRepo.length))}
          onEvents={{
            // A cell: the merged pull requests of that repository.
            click: onSeriesClick((e) => {
              const repo = byRepo.filter((r) => r.prs > 0)[(e.value as [number, number])[1]]?.repo;
              if (data && repo) open({ metric: 'cycle-time', kind: 'prs_merged', from: data.from, to: data.to, repo, title: `Merged pull requests of ${repo}` });
            }),
          }}
        />
      </SimpleGrid>
      <HistogramPanel
        testId="cycle-histogram"
        title="Cycle time distribution"
        description="Merged pull requests by cycle time (first commit → merged)."
        data={data}
        table="cycle_time"
        rows={t?.cycle_time}
        color={colors.orange}
        valueName="PRs"
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        onBar={(bar) => data && open({ metric: 'cycle-time', kind: 'prs_merged', bar, from: data.from, to: data.to, title: `Merged pull requests with a cycle time of ${bar}` })}
      />
    </Stack>
  );
}

// Work in progress -------------------------------------------------------------------------------------

const WIP_SPEC: TimeChartSpec<WipPoint> = {
  series: [
    { key: 'drafts', name: 'Draft', kind: 'bar', axis: 0, color: 'gray', stack: 'wip' },
    { key: 'waiting_for_review', name: 'Waiting for review', kind: 'bar', axis: 0, color: 'orange', stack: 'wip' },
    { key: 'in_review', name: 'In review', kind: 'bar', axis: 0, color: 'blue', stack: 'wip' },
    { key: 'approved', name: 'Approved', kind: 'bar', axis: 0, color: 'green', stack: 'wip' },
    { key: 'open_prs', name: 'Open PRs', kind: 'line', axis: 0, color: 'violet', ghost: true, hidden: true },
  ],
  axes: [{ name: 'Open PRs', format: formatCount, minInterval: 1 }],
};

export function WipPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'wip', 'Work in progress');
  const q = useOrganizationMetric('wip', state);
  const colors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const filtered = isFiltered(state);
  const s = data?.summary;
  const p = data?.previous;
  const compared = !!p && state.compare;
  const t = data?.tables;
  const items: SummaryItem[] = s
    ? [
        { key: 'open_prs', label: 'Open PRs', value: s.open_prs, previous: p?.open_prs, format: formatCount, kind: 'count', lowerIsBetter: true, hint: t ? `as of ${new Date(t.as_of).toUTCString().slice(5, 22)} UTC` : undefined },
        { key: 'waiting_for_review', label: 'Waiting for review', value: s.waiting_for_review, previous: p?.waiting_for_review, format: formatCount, kind: 'count', lowerIsBetter: true },
        { key: 'in_review', label: 'In review', value: s.in_review, previous: p?.in_review, format: formatCount, kind: 'count' },
        { key: 'active_branches', label: 'Active branches', value: s.active_branches, previous: p?.active_branches, format: formatCount, kind: 'count' },
        { key: 'open_prs_per_active_author', label: 'WIP per developer', value: s.open_prs_per_active_author, previous: p?.open_prs_per_active_author, format: formatNumber, kind: 'count', lowerIsBetter: true, hint: `${formatCount(s.active_authors)} active authors` },
        { key: 'age_median_hours', label: 'Median age', value: s.age_median_hours, previous: p?.age_median_hours, format: hours, kind: 'hours', lowerIsBetter: true },
      ]
    : [];
  const empty = <ConfigureMessage what="open pull requests" filtered={filtered} hint="Work in progress needs pull requests from a version-control source (GitHub, GitLab, Bitbucket)." />;
  const status = t?.status;
  const noStatus = !!status && status.every((x) => x.count === 0);
  const drillEnd = (st?: string, label = 'Open pull requests', bar?: string) =>
    data && open({ metric: 'wip', kind: 'open_prs', from: data.from, to: data.to, status: st, bar, title: `${label} at the end of the range${bar ? `, open ${bar}` : ''}` });

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="wip"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={WIP_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        drill={(key) => ({ metric: 'wip', kind: 'open_prs', status: key === 'open_prs' ? undefined : key })}
        header={data && <SummaryCards items={items} compare={compared} />}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <MetricChart
          testId="wip-status"
          title="Open PRs by status"
          description="Pull requests open at the end of the range (or now), by status."
          option={status && !noStatus ? barsOption(status.map((x) => x.label), [{ name: 'Open PRs', values: status.map((x) => x.count), color: colors.orange }], { labels: true, labelColor: colors.subtleText }) : undefined}
          points={status?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={data && noStatus && empty}
          exportData={data && status && tableExport(data, 'status', status, fields('status', 'label', 'count'))}
          height={240}
          onEvents={{ click: onSeriesClick((e) => status?.[e.dataIndex] && drillEnd(status[e.dataIndex]!.status, status[e.dataIndex]!.label)) }}
        />
        <HistogramPanel
          testId="wip-age"
          title="Age of open PRs"
          description="Pull requests open at the end of the range, by time since they were opened."
          data={data}
          table="age"
          rows={t?.age}
          color={colors.violet}
          valueName="open PRs"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={(bar) => drillEnd(undefined, undefined, bar)}
        />
      </SimpleGrid>
      <TablePanel
        testId="wip-oldest"
        title="Oldest open pull requests"
        rows={t?.oldest}
        empty={empty}
        exportData={data && t && tableExport(data, 'oldest', t.oldest, fields('repo', 'number', 'title', 'author', 'status', 'age_hours', 'url'))}
        columns={[
          { key: 'pr', label: 'Pull request', value: (r) => (r.url ? <Anchor href={r.url} target="_blank" rel="noopener noreferrer" size="sm">{`${r.repo}#${r.number}`}</Anchor> : `${r.repo}#${r.number}`) },
          { key: 'title', label: 'Title', value: (r) => <Text size="sm" lineClamp={1}>{r.title || '—'}</Text> },
          { key: 'author', label: 'Author', value: (r) => r.author || '—' },
          { key: 'status', label: 'Status', value: (r) => r.status },
          { key: 'age', label: 'Age', value: (r) => formatDuration(r.age_hours), numeric: true },
        ]}
      />
    </Stack>
  );
}

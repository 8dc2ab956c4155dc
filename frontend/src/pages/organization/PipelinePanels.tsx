// Operational / CI: pipeline success, duration and failures.
import { Anchor, Group, Paper, SimpleGrid, Stack, Text, useComputedColorScheme } from '@mantine/core';
import { useMemo } from 'react';
import {
  useOrganizationMetric,
  type PipelineFailuresPoint,
  type PipelineSuccessPoint,
  type PipelineDurationPoint,
  type DrillTarget,
} from '../../api/organization';
import type { MetricInfo } from '../../api/types';
import { EChart } from '../../charts/EChart';
import { MetricChart } from '../../charts/MetricPanel';
import {
  barsOption,
  boxplotOption,
  fields,
  formatDuration,
  formatMinutes,
  formatNumber,
  formatPercentAxis,
  heatmapOption,
  pieOption,
  sparklineOption,
  tableExport,
  type OrgColors,
  type SeriesSpec,
  type TimeChartSpec,
} from '../../charts/organization';
import { SummaryCards, type SummaryItem } from '../../charts/SummaryCards';
import { formatCount, formatRate } from '../../format';
import type { DashboardState } from '../../state/dashboard';
import { isFiltered } from '../../state/useDashboard';
import { useDrill } from '../../charts/Drill';
import { HistogramPanel } from './DeliveryPanels';
import { ConfigureMessage, infoOf, onSeriesClick, TablePanel, TimeSeriesPanel, useOrgColors } from './parts';

const CI_HINT = 'Pipeline figures come from CI/CD sources (GitHub Actions, GitLab CI, Jenkins, CircleCI).';
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

function ciEmpty(state: DashboardState, what = 'pipeline runs') {
  return <ConfigureMessage what={what} filtered={isFiltered(state)} hint={CI_HINT} />;
}

// Success ----------------------------------------------------------------------------------------------

const SUCCESS_SPEC: TimeChartSpec<PipelineSuccessPoint> = {
  series: [
    { key: 'successes', name: 'Succeeded', kind: 'bar', axis: 1, color: 'green', stack: 'runs' },
    { key: 'failures', name: 'Failed', kind: 'bar', axis: 1, color: 'red', stack: 'runs', ghost: true },
    { key: 'success_rate', name: 'Success rate', kind: 'line', axis: 0, color: 'blue', ghost: true },
    { key: 'rolling_30d_success_rate', name: 'Rolling 30-day rate', kind: 'line', axis: 0, color: 'violet' },
  ],
  axes: [
    { name: 'Success rate', format: formatPercentAxis, max: 1 },
    { name: 'Runs', format: formatCount, minInterval: 1 },
  ],
  smooth: { key: 'success_rate', name: 'Success rate', axis: 0, rolling: false },
};

function Sparkline({ testId, label, value, values, color }: { testId: string; label: string; value: string; values: (number | null)[]; color: string }) {
  const scheme = useComputedColorScheme('light');
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid={testId}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <div>
          <Text size="sm" c="dimmed" fw={500}>
            {label}
          </Text>
          <Text fz={22} fw={650} className="tabular">
            {value}
          </Text>
        </div>
        <div style={{ width: 160 }}>
          <EChart option={sparklineOption(values, color, formatRate)} scheme={scheme} height={48} />
        </div>
      </Group>
    </Paper>
  );
}

export function PipelineSuccessPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'pipeline-success', 'Pipeline success');
  const q = useOrganizationMetric('pipeline-success', state);
  const colors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const s = data?.summary;
  const p = data?.previous;
  const t = data?.tables;
  const items: SummaryItem[] = s
    ? [
        { key: 'success_rate', label: 'Success rate', value: s.success_rate, previous: p?.success_rate, format: formatRate, kind: 'rate', hint: `${formatCount(s.runs)} runs · ${formatCount(s.cancelled)} cancelled` },
        { key: 'success_rate_7d', label: 'Last 7 days', value: s.success_rate_7d, previous: p?.success_rate_7d, format: formatRate, kind: 'rate' },
        { key: 'success_rate_30d', label: 'Last 30 days', value: s.success_rate_30d, previous: p?.success_rate_30d, format: formatRate, kind: 'rate' },
        { key: 'success_rate_90d', label: 'Last 90 days', value: s.success_rate_90d, previous: p?.success_rate_90d, format: formatRate, kind: 'rate' },
        { key: 'stability_score', label: 'Stability score', value: s.stability_score, previous: p?.stability_score, format: formatNumber, kind: 'count', hint: `flip rate ${formatRate(s.flip_rate)}` },
      ]
    : [];
  const empty = ciEmpty(state);
  const heat = t?.failures_heatmap;
  const weekdays = t?.by_weekday;
  const noRuns = !!data && data.summary.runs === 0;
  const heatOption = useMemo(() => {
    if (!heat || noRuns) return undefined;
    const cells = heat.map((c): [number, number, number | null] => [c.hour, c.weekday, c.failures]);
    const byCell = new Map(heat.map((c) => [`${c.weekday}:${c.hour}`, c]));
    return heatmapOption(HOURS, WEEKDAYS, cells, colors, {
      valueName: 'failures',
      tooltip: (x, y) => {
        const c = byCell.get(`${y}:${x}`);
        return `${WEEKDAYS[y]} ${HOURS[x]}:00–${HOURS[x]}:59 UTC<br/><b>${formatCount(c?.failures ?? 0)}</b> failed of ${formatCount(c?.runs ?? 0)} runs`;
      },
    });
  }, [heat, noRuns, colors]);
  const recent = (data?.series ?? []).slice(-14).map((x) => x.success_rate);

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="pipeline-success"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={SUCCESS_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        drill={(key) => ({ metric: 'pipeline-success', kind: key === 'failures' ? 'failures' : 'runs' })}
        header={
          data && (
            <>
              <SummaryCards items={items} compare={!!p && state.compare} />
              {!noRuns && (
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mb="md">
                  <Sparkline testId="sparkline-success" label="Last 7 days · trend of the last 14 buckets" value={formatRate(s?.success_rate_7d)} values={recent} color={colors.blue} />
                  <Sparkline testId="sparkline-rolling" label="Rolling 30-day rate" value={formatRate(data.series.at(-1)?.rolling_30d_success_rate)} values={data.series.slice(-14).map((x) => x.rolling_30d_success_rate)} color={colors.violet} />
                </SimpleGrid>
              )}
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <MetricChart
          testId="failures-heatmap"
          title="Failures by hour and weekday"
          description="Failed runs by the hour (UTC) and weekday they started. Click a cell for its runs."
          option={heatOption}
          points={heat?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={noRuns && empty}
          exportData={data && heat && tableExport(data, 'failures_heatmap', heat, fields('weekday', 'hour', 'failures', 'runs'))}
          height={280}
          onEvents={{
            click: onSeriesClick((e) => {
              const [hour, weekday] = e.value as [number, number];
              if (data) open({ metric: 'pipeline-success', kind: 'failures', from: data.from, to: data.to, weekday, hour, title: `Failed runs · ${WEEKDAYS[weekday]} ${HOURS[hour]}:00 UTC` });
            }),
          }}
        />
        <MetricChart
          testId="success-weekday"
          title="Success rate by weekday"
          description="Succeeded ÷ completed runs by the weekday (UTC) they started."
          option={weekdays && !noRuns ? barsOption(weekdays.map((w) => w.weekday), [{ name: 'Success rate', values: weekdays.map((w) => w.success_rate), color: colors.green }], { format: formatRate, max: 1, labels: true, labelColor: colors.subtleText }) : undefined}
          points={weekdays?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={noRuns && empty}
          exportData={data && weekdays && tableExport(data, 'by_weekday', weekdays, fields('weekday', 'runs', 'successes', 'failures', 'success_rate'))}
          height={280}
          onEvents={{ click: onSeriesClick((e) => data && open({ metric: 'pipeline-success', kind: 'runs', from: data.from, to: data.to, weekday: e.dataIndex, title: `Completed runs · ${WEEKDAYS[e.dataIndex]}` })) }}
        />
      </SimpleGrid>
    </Stack>
  );
}

// Duration ------------------------------------------------------------------------------------------------

const DURATION_SPEC: TimeChartSpec<PipelineDurationPoint> = {
  series: [
    { key: 'p50_minutes', name: 'Median', kind: 'line', axis: 0, color: 'blue', ghost: true },
    { key: 'mean_minutes', name: 'Mean', kind: 'line', axis: 0, color: 'green' },
    { key: 'p95_minutes', name: 'p95', kind: 'line', axis: 0, color: 'orange' },
    { key: 'p99_minutes', name: 'p99', kind: 'line', axis: 0, color: 'red', hidden: true },
  ],
  axes: [{ name: 'Minutes', format: formatMinutes }],
  smooth: { key: 'mean_minutes', name: 'Mean', axis: 0 },
};

const STAGE_COLORS: SeriesSpec<never>['color'][] = ['blue', 'cyan', 'violet', 'orange', 'green', 'yellow', 'red', 'gray'];

type StagePoint = { bucket: string } & Record<string, string | number | null>;

export function PipelineDurationPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'pipeline-duration', 'Pipeline duration');
  const q = useOrganizationMetric('pipeline-duration', state);
  const colors = useOrgColors();
  const data = q.data;
  const s = data?.summary;
  const p = data?.previous;
  const t = data?.tables;
  const items: SummaryItem[] = s
    ? [
        { key: 'duration_median_minutes', label: 'Median (p50)', value: s.duration_median_minutes, previous: p?.duration_median_minutes, format: formatMinutes, kind: 'count', lowerIsBetter: true, hint: `${formatCount(s.runs)} successful runs` },
        { key: 'duration_mean_minutes', label: 'Mean', value: s.duration_mean_minutes, previous: p?.duration_mean_minutes, format: formatMinutes, kind: 'count', lowerIsBetter: true },
        { key: 'duration_p95_minutes', label: 'p95', value: s.duration_p95_minutes, previous: p?.duration_p95_minutes, format: formatMinutes, kind: 'count', lowerIsBetter: true },
        { key: 'duration_p99_minutes', label: 'p99', value: s.duration_p99_minutes, previous: p?.duration_p99_minutes, format: formatMinutes, kind: 'count', lowerIsBetter: true },
      ]
    : [];
  const empty = ciEmpty(state, 'successful pipeline runs');
  // Duration by stage: one stacked bar per bucket, a series per stage.
  const stageSpec = useMemo<TimeChartSpec<StagePoint> | undefined>(
    () =>
      t && t.stage_names.length
        ? {
            series: t.stage_names.map((name, i) => ({ key: name, name, kind: 'bar' as const, axis: 0 as const, color: STAGE_COLORS[i % STAGE_COLORS.length]!, stack: 'stages' })),
            axes: [{ name: 'Minutes per run', format: formatMinutes }],
          }
        : undefined,
    [t],
  );
  const open = useDrill();
  const runsOf = (title: string, narrow: { repo?: string; pipeline?: string } = {}) =>
    data && open({ metric: 'pipeline-duration', kind: 'runs', from: data.from, to: data.to, title, ...narrow });
  const stageData = data && t ? { metric: `${data.metric}_by_stage`, from: data.from, to: data.to, group: data.group, series: t.stage_series as StagePoint[] } : undefined;
  const boxes = t?.box_plot ?? [];

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="pipeline-duration"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={DURATION_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        drill={() => ({ metric: 'pipeline-duration', kind: 'runs' })}
        header={data && <SummaryCards items={items} compare={!!p && state.compare} />}
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        {stageSpec && stageData ? (
          <TimeSeriesPanel
            testId="duration-stages"
            title="Duration by stage"
            description="Minutes each stage adds to the average successful run, per bucket, stacked."
            data={stageData}
            spec={stageSpec}
            loading={q.isFetching}
            error={q.error}
            empty={empty}
            height={300}
            drill={() => ({ metric: 'pipeline-duration', kind: 'runs' })}
          />
        ) : (
          <MetricChart testId="duration-stages" title="Duration by stage" option={undefined} points={0} loading={q.isFetching} error={q.error} empty={data && empty} height={300} />
        )}
        <MetricChart
          testId="duration-boxplot"
          title="Duration distribution"
          description="Box plots of successful run durations: all pipelines and the busiest ones (quartiles; whiskers at 1.5 × IQR)."
          option={boxes.length && s?.runs ? boxplotOption(boxes, colors, formatMinutes) : undefined}
          points={boxes.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && (!boxes.length || !s?.runs) && empty}
          exportData={data && tableExport(data, 'box_plot', boxes, fields('name', 'runs', 'min', 'q1', 'median', 'q3', 'max', 'outliers'))}
          height={Math.max(260, 40 + 34 * boxes.length)}
          onEvents={{
            // A box: the successful runs of that pipeline ("repo · pipeline"), or all of them.
            click: onSeriesClick((e) => {
              const box = boxes[e.dataIndex];
              if (!box) return;
              const at = box.name.indexOf(' · ');
              if (at < 0) runsOf('Successful runs in the range');
              else runsOf(`Successful runs of ${box.name}`, { repo: box.name.slice(0, at), pipeline: box.name.slice(at + 3) });
            }),
          }}
        />
      </SimpleGrid>
      <TablePanel
        testId="slowest-pipelines"
        title="Slowest pipelines"
        description="Pipelines by median duration of their successful runs in the range."
        rows={t?.slowest}
        empty={empty}
        exportData={data && t && tableExport(data, 'slowest', t.slowest, fields('repo', 'pipeline', 'runs', 'mean_minutes', 'p50_minutes', 'p95_minutes', 'max_minutes', 'url'))}
        onRowClick={(r) => runsOf(`Successful runs of ${r.repo} · ${r.pipeline}`, { repo: r.repo, pipeline: r.pipeline })}
        columns={[
          { key: 'pipeline', label: 'Pipeline', value: (r) => (r.url ? <Anchor href={r.url} target="_blank" rel="noopener noreferrer" size="sm">{r.pipeline}</Anchor> : r.pipeline) },
          { key: 'repo', label: 'Repository', value: (r) => r.repo },
          { key: 'runs', label: 'Runs', value: (r) => formatCount(r.runs), numeric: true },
          { key: 'p50', label: 'Median', value: (r) => formatMinutes(r.p50_minutes), numeric: true },
          { key: 'mean', label: 'Mean', value: (r) => formatMinutes(r.mean_minutes), numeric: true },
          { key: 'p95', label: 'p95', value: (r) => formatMinutes(r.p95_minutes), numeric: true },
          { key: 'max', label: 'Max', value: (r) => formatMinutes(r.max_minutes), numeric: true },
        ]}
      />
    </Stack>
  );
}

// Failures -------------------------------------------------------------------------------------------------

const FAILURES_SPEC: TimeChartSpec<PipelineFailuresPoint> = {
  series: [
    { key: 'failures', name: 'Failed runs', kind: 'bar', axis: 1, color: 'red', ghost: true },
    { key: 'failure_rate', name: 'Failure rate', kind: 'line', axis: 0, color: 'orange', ghost: true },
  ],
  axes: [
    { name: 'Failure rate', format: formatPercentAxis },
    { name: 'Failed runs', format: formatCount, minInterval: 1 },
  ],
  smooth: { key: 'failure_rate', name: 'Failure rate', axis: 0 },
};

export function PipelineFailuresPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'pipeline-failures', 'Pipeline failures');
  const q = useOrganizationMetric('pipeline-failures', state);
  const colors: OrgColors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const s = data?.summary;
  const p = data?.previous;
  const t = data?.tables;
  const items: SummaryItem[] = s
    ? [
        { key: 'failure_rate', label: 'Failure rate', value: s.failure_rate, previous: p?.failure_rate, format: formatRate, kind: 'rate', lowerIsBetter: true, hint: `${formatCount(s.failures)} of ${formatCount(s.runs)} runs` },
        { key: 'failures', label: 'Failed runs', value: s.failures, previous: p?.failures, format: formatCount, kind: 'count', lowerIsBetter: true },
        { key: 'mttr_median_hours', label: 'MTTR', value: s.mttr_median_hours, previous: p?.mttr_median_hours, format: formatDuration, kind: 'hours', lowerIsBetter: true, hint: `median · mean ${formatDuration(s.mttr_mean_hours)}` },
        { key: 'recoveries', label: 'Recoveries', value: s.recoveries, previous: p?.recoveries, format: formatCount, kind: 'count', hint: `${formatCount(s.unrecovered)} still failing` },
      ]
    : [];
  const noFailures = !!data && data.summary.failures === 0;
  const empty = data && data.summary.runs > 0 ? <ConfigureMessage what="failed runs" filtered={isFiltered(state)} hint="Every completed run succeeded." /> : ciEmpty(state);
  const stages = (t?.by_stage ?? []).filter((x) => x.failures > 0);
  const reasons = t?.top_reasons ?? [];
  const drillAll = (title: string, narrow: Pick<DrillTarget, 'repo' | 'pipeline' | 'job' | 'stage' | 'reason'> = {}) =>
    data && open({ metric: 'pipeline-failures', kind: 'failures', from: data.from, to: data.to, title, ...narrow });

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="pipeline-failures"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={FAILURES_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={ciEmpty(state)}
        drill={() => ({ metric: 'pipeline-failures', kind: 'failures' })}
        header={data && <SummaryCards items={items} compare={!!p && state.compare} />}
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <MetricChart
          testId="failures-by-stage"
          title="Failures by stage"
          description="Failed jobs by stage (a job's stage, or its name)."
          option={stages.length ? pieOption(stages.map((x) => ({ name: x.stage, value: x.failures })), colors, 'failed jobs') : undefined}
          points={stages.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && (noFailures || !stages.length) && empty}
          exportData={data && t && tableExport(data, 'by_stage', t.by_stage, fields('stage', 'jobs', 'failures', 'failure_rate'))}
          height={280}
          onEvents={{ click: onSeriesClick((e) => e.name && drillAll(`Failed runs with a failed ${e.name} job`, { stage: e.name })) }}
        />
        <MetricChart
          testId="failure-reasons"
          title="Top failure reasons"
          description="The ten most frequent reasons failed runs give."
          option={reasons.length ? barsOption(reasons.map((r) => r.reason), [{ name: 'Failed runs', values: reasons.map((r) => r.count), color: colors.red }], { horizontal: true, labels: true, labelColor: colors.subtleText }) : undefined}
          points={reasons.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && !reasons.length && empty}
          exportData={data && tableExport(data, 'top_reasons', reasons, fields('reason', 'count', 'share'))}
          height={Math.max(240, 30 + 30 * reasons.length)}
          onEvents={{ click: onSeriesClick((e) => reasons[e.dataIndex] && drillAll(`Failed runs: ${reasons[e.dataIndex]!.reason}`, { reason: reasons[e.dataIndex]!.reason })) }}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <TablePanel
          testId="failing-jobs"
          title="Problematic jobs"
          description="The jobs that fail most often, with a link to their last run."
          rows={t?.failing_jobs}
          empty={empty}
          exportData={data && t && tableExport(data, 'failing_jobs', t.failing_jobs, fields('repo', 'pipeline', 'job', 'runs', 'failures', 'failure_rate', 'last_failure', 'last_run_url'))}
          onRowClick={(r) => drillAll(`Failed runs of ${r.repo} · ${r.pipeline} where ${r.job} failed`, { repo: r.repo, pipeline: r.pipeline, job: r.job })}
          columns={[
            { key: 'job', label: 'Job', value: (r) => (r.last_run_url ? <Anchor href={r.last_run_url} target="_blank" rel="noopener noreferrer" size="sm">{`${r.pipeline} / ${r.job}`}</Anchor> : `${r.pipeline} / ${r.job}`) },
            { key: 'repo', label: 'Repository', value: (r) => r.repo },
            { key: 'failures', label: 'Failed', value: (r) => `${formatCount(r.failures)} of ${formatCount(r.runs)}`, numeric: true },
            { key: 'rate', label: 'Rate', value: (r) => formatRate(r.failure_rate), numeric: true },
            { key: 'last', label: 'Last failure', value: (r) => (r.last_failure ? r.last_failure.slice(0, 10) : '—') },
          ]}
        />
        <HistogramPanel
          testId="mttr"
          title="Time to recovery"
          description="Failure episodes that began in the range, by time until the pipeline's next successful run on the branch."
          data={data}
          table="mttr"
          rows={t?.mttr}
          color={colors.orange}
          valueName="episodes"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={() => drillAll('Failed runs in the range')}
        />
      </SimpleGrid>
    </Stack>
  );
}

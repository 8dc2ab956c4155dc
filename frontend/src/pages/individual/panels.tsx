// The Individual view's panels, one group per metric. Each panel is a MetricChart (title,
// info tooltip with the catalog's definition, export menu, loading/error/empty states).
import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, Title, Tooltip, ActionIcon, useComputedColorScheme } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useIndividualMetric, type IndividualMetricId } from '../../api/individual';
import type { DrillTarget } from '../../api/organization';
import type { MetricInfo, MetricResult } from '../../api/types';
import { distributionOption, PREVIOUS_SUFFIX } from '../../charts/commitPrActivity';
import { onSeriesClick, useDrill, type SeriesClick } from '../../charts/Drill';
import { PALETTES, type ChartOption } from '../../charts/echarts';
import type { ChartExport } from '../../charts/export';
import {
  calendarExport,
  calendarOption,
  EXTRA_COLORS,
  formulaFrom,
  heatmapExport,
  heatmapOption,
  HOURS,
  isEmptySeries,
  languageExport,
  languageOption,
  languageSlices,
  repositoryExport,
  repositoryOption,
  rhythmExport,
  rhythmOption,
  selection,
  streakText,
  tableExport,
  timeSeriesExport,
  timeSeriesNames,
  timeSeriesOption,
  WEEKDAYS,
  type SeriesSpec,
} from '../../charts/individual';
import { MetricChart } from '../../charts/MetricPanel';
import { bucketDays } from '../../charts/organization';
import { SummaryCards, type SummaryItem } from '../../charts/SummaryCards';
import { formatBucketLong, formatCount, formatDay, formatHours, formatRange, formatRate } from '../../format';
import { IconInfo } from '../../shell/icons';
import { previousPeriod, type DashboardState } from '../../state/dashboard';

export interface PanelProps {
  state: DashboardState;
  person: string | null;
  /** The catalog entries, by metric ID (for titles and definitions). */
  info: Partial<Record<IndividualMetricId, MetricInfo>>;
  /** What to do when there is nothing to show (e.g. a button that starts the git setup). */
  onSetUp?: () => void;
}

/** What a click lists, before the range and title are known; the person is the page's. */
type DrillOf = Omit<DrillTarget, 'from' | 'to' | 'title'>;

/**
 * Drill-down on the Individual charts: the items of the person shown (their commits, pull
 * requests, reviews, comments received), for a bucket or for the whole range with a narrowing.
 */
function usePersonDrill(person: string | null) {
  const open = useDrill();
  return {
    /** Opens the items of the range [from, to]. */
    open: (t: DrillOf, from: string, to: string, title: string) => person && open({ ...t, person, from, to, title }),
    /** A click handler for a chart whose clicks all open items of the whole range. */
    onClick: (data: { from: string; to: string } | undefined, target: (e: SeriesClick) => (DrillOf & { title: string }) | undefined) =>
      onSeriesClick((e) => {
        const t = data && target(e);
        if (t && person) open({ ...t, person, from: data.from, to: data.to });
      }),
  };
}

function usePalette() {
  const scheme = useComputedColorScheme('light');
  return { scheme, palette: PALETTES[scheme], extra: EXTRA_COLORS[scheme] };
}

/** Legend toggles: kept for the next redraw, without rebuilding the option (that resets zoom). */
function useLegend() {
  const ref = useRef<Record<string, boolean>>({});
  const [user, setUser] = useState<Record<string, boolean>>({});
  const onEvents = useMemo(
    () => ({
      legendselectchanged: (e: unknown) => {
        ref.current = { ...(e as { selected: Record<string, boolean> }).selected };
        setUser(ref.current);
      },
    }),
    [],
  );
  return { ref, user, onEvents };
}

/** The "nothing here" text of the Individual view: what to do about it. */
export function EmptyHint({ what, onSetUp }: { what: string; onSetUp?: () => void }) {
  return (
    <>
      <Text fw={500} ta="center">
        No {what} in this range
      </Text>
      <Text size="sm" c="dimmed" ta="center" maw={520}>
        Try a longer date range or another person, or{' '}
        <Anchor component={Link} to="/data-sources" size="sm">
          configure a data source
        </Anchor>{' '}
        (the local <b>git</b> source reads the repositories on this computer).
      </Text>
      {onSetUp && (
        <Button size="compact-sm" variant="light" mt={6} onClick={onSetUp} data-testid="empty-setup">
          Find my repositories
        </Button>
      )}
    </>
  );
}

function rangeLine(data: MetricResult<unknown, unknown, unknown> | undefined, compared: boolean) {
  if (!data) return null;
  return (
    <Text size="sm" c="dimmed" mb="xs">
      {formatRange(data.from, data.to)}
      {compared ? ` · compared with ${formatRange(...previousPeriod(data.from, data.to))}` : ''}
    </Text>
  );
}

interface TimeSeriesPanelProps<P extends { bucket: string }> {
  testId: string;
  title: string;
  description?: string;
  metricId?: string;
  data: MetricResult<unknown, P, unknown> | undefined;
  series: SeriesSpec<P>[];
  axes: { name: string; format: 'count' | 'hours' | 'rate' | 'lines' }[];
  loading: boolean;
  error: unknown;
  empty: ReactNode;
  /** Which keys decide emptiness (default: every series). */
  emptyKeys?: SeriesSpec<P>['key'][];
  height?: number;
  header?: ReactNode;
  exportName: string;
  /** The person whose items a click lists. */
  person: string | null;
  /** What a click on series `key` at a bucket lists; undefined: that series opens nothing. */
  drill?: (key: string) => DrillOf | undefined;
}

/** A time series with ghosts of the previous period, legend toggles, zoom, export and drill-down. */
export function TimeSeriesPanel<P extends { bucket: string }>(props: TimeSeriesPanelProps<P>) {
  const { data, series, axes, exportName } = props;
  const { palette } = usePalette();
  const legend = useLegend();
  const empty = !!data && isEmptySeries(data, props.emptyKeys ?? series.map((s) => s.key));
  const names = data ? timeSeriesNames({ data, series }) : [];
  const option = useMemo(
    () => (data && !empty ? timeSeriesOption({ data, series, axes, palette, selected: selection(timeSeriesNames({ data, series }), legend.ref.current) }) : undefined),
    // series and axes are rebuilt each render from constants; the data and palette decide.
    [data, empty, palette],
  );
  const selected = selection(names, legend.user);
  const exportData = data ? timeSeriesExport({ data, series, selected }, exportName) : undefined;
  const drill = usePersonDrill(props.person);
  const onEvents = {
    ...legend.onEvents,
    click: onSeriesClick((e) => {
      if (!data || !props.drill || e.seriesName.endsWith(PREVIOUS_SUFFIX)) return;
      const s = series.find((x) => x.name === e.seriesName);
      const point = data.series[e.dataIndex];
      const t = s && point && props.drill(s.key as string);
      if (!t || !point) return;
      const [from, to] = bucketDays(point.bucket, data.group, data.from, data.to);
      drill.open(t, from, to, `${props.title} · ${s.name} · ${formatBucketLong(point.bucket, data.group)}`);
    }),
  };
  return (
    <MetricChart
      testId={props.testId}
      title={props.title}
      description={props.description}
      metricId={props.metricId}
      option={option}
      points={option && data ? data.series.length : 0}
      series={names.filter((n) => selected[n])}
      loading={props.loading}
      error={props.error}
      empty={empty && props.empty}
      exportData={exportData}
      height={props.height ?? 280}
      header={props.header}
      onEvents={onEvents}
    />
  );
}

interface TablePanelProps {
  testId: string;
  title: string;
  description?: string;
  option: ChartOption | undefined;
  points: number;
  loading: boolean;
  error: unknown;
  empty: ReactNode;
  exportData?: ChartExport;
  height?: number;
  header?: ReactNode;
  onEvents?: Record<string, (params: unknown) => void>;
}

function TablePanel(p: TablePanelProps) {
  return (
    <MetricChart
      testId={p.testId}
      title={p.title}
      description={p.description}
      option={p.option}
      points={p.points}
      loading={p.loading}
      error={p.error}
      empty={p.empty}
      exportData={p.exportData}
      height={p.height ?? 260}
      header={p.header}
      onEvents={p.onEvents}
    />
  );
}

const noCounts = (t: { count: number }[] | undefined) => !t || t.every((b) => b.count === 0);

// person-commits ----------------------------------------------------------------------------

export function CommitsSection({ state, person, info, onSetUp }: PanelProps) {
  const q = useIndividualMetric('person-commits', state, person);
  const { scheme, palette, extra } = usePalette();
  const data = q.data;
  const meta = info['person-commits'];
  const compared = !!data && state.compare && !!data.previous;
  const noYear = !!data && data.summary.calendar_commits === 0;
  const calendar = useMemo(() => (data && !noYear ? calendarOption(data, scheme, palette) : undefined), [data, noYear, scheme, palette]);
  const s = data?.summary;
  const pr = data?.previous;
  const streak = s && streakText(s);
  const items: SummaryItem[] = s
    ? [
        { key: 'commits', label: 'Commits', value: s.commits, previous: pr?.commits, format: formatCount, kind: 'count', hint: `${formatCount(s.merge_commits)} merges` },
        { key: 'active_days', label: 'Active days', value: s.active_days, previous: pr?.active_days, format: formatCount, kind: 'count' },
        {
          key: 'commits_per_week',
          label: 'Commits per week',
          value: s.commits_per_week,
          previous: pr?.commits_per_week,
          format: (n) => (n == null ? '—' : n.toFixed(1)),
          kind: 'count',
        },
        { key: 'current_streak_days', label: 'Current streak', value: s.current_streak_days, previous: pr?.current_streak_days, format: (n) => (n == null ? '—' : `${n} d`), kind: 'count' },
        { key: 'longest_streak_days', label: 'Longest streak', value: s.longest_streak_days, previous: pr?.longest_streak_days, format: (n) => (n == null ? '—' : `${n} d`), kind: 'count' },
        {
          key: 'commit_size_median_lines',
          label: 'Median commit size',
          value: s.commit_size_median_lines,
          previous: pr?.commit_size_median_lines,
          format: (n) => (n == null ? '—' : `${formatCount(Math.round(n))} lines`),
          kind: 'count',
          hint: `mean ${formatCount(Math.round(s.commit_size_mean_lines ?? 0))} · p95 ${formatCount(Math.round(s.commit_size_p95_lines ?? 0))}`,
        },
      ]
    : [];
  const sizeTable = data?.tables?.commit_size;
  const drill = usePersonDrill(person);
  const commits: DrillOf = { metric: 'person-commits', kind: 'commits' };

  return (
    <Stack gap="md">
      <MetricChart
        testId="calendar"
        title="Contribution calendar"
        description={meta?.description}
        metricId="person-commits"
        option={calendar}
        points={calendar ? (data?.tables?.calendar.length ?? 0) : 0}
        loading={q.isFetching}
        error={q.error}
        empty={noYear && <EmptyHint what="commits in the year up to this range's end" onSetUp={onSetUp} />}
        exportData={data && calendarExport(data)}
        height={196}
        onEvents={{
          // A day of the calendar: that local day's commits.
          click: onSeriesClick((e) => {
            const [day] = e.value as [string, number];
            drill.open(commits, day, day, `Commits · ${formatDay(day)}`);
          }),
        }}
        header={
          data && (
            <>
              {rangeLine(data, compared)}
              <SummaryCards items={items} compare={compared} />
              {streak && (
                <Group gap="lg" mb={4}>
                  <Text size="sm">
                    Current streak{' '}
                    <b data-testid="streak-current" className="tabular">
                      {streak.current}
                    </b>
                  </Text>
                  <Text size="sm">
                    Longest streak{' '}
                    <b data-testid="streak-longest" className="tabular">
                      {streak.longest}
                    </b>
                  </Text>
                  <Text size="sm" c="dimmed">
                    {formatCount(data.summary.calendar_commits)} commits on {formatCount(data.summary.calendar_active_days)} days in the year to{' '}
                    {data.to}
                  </Text>
                </Group>
              )}
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <TimeSeriesPanel
          testId="commit-frequency"
          title="Commit frequency"
          description={meta?.description}
          data={data}
          series={[
            { name: 'Commits', key: 'commits', color: palette.commits, kind: 'area', format: 'count' },
            // A day is active or not: active days per bucket say something only per week or month.
            ...(state.group === 'day'
              ? []
              : [{ name: 'Active days', key: 'active_days' as const, color: extra.added, kind: 'line' as const, axis: 1 as const, format: 'count' as const, ghost: false }]),
          ]}
          axes={state.group === 'day' ? [{ name: 'Commits', format: 'count' }] : [{ name: 'Commits', format: 'count' }, { name: 'Active days', format: 'count' }]}
          emptyKeys={['commits']}
          loading={q.isFetching}
          error={q.error}
          empty={<EmptyHint what="commits" onSetUp={onSetUp} />}
          exportName="frequency"
          person={person}
          drill={() => commits}
        />
        <TablePanel
          testId="commit-size"
          title="Commit size"
          description="Commits in the range by lines added + removed, merges left out: XS < 10, S < 50, M < 250, L < 1000, XL ≥ 1000."
          option={data && !noCounts(sizeTable) ? distributionOption(sizeTable!, palette.commits, palette.subtleText, 'commits') : undefined}
          points={sizeTable?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={data && noCounts(sizeTable) && <EmptyHint what="commits" />}
          exportData={
            data &&
            tableExport(data, 'commit_size', sizeTable ?? [], [
              { key: 'bucket', value: (b) => b.bucket },
              { key: 'count', value: (b) => b.count },
            ])
          }
          height={280}
          onEvents={{ click: drill.onClick(data, (e) => ({ ...commits, size: e.name, title: `Commits of size ${e.name} in the range` })) }}
        />
      </SimpleGrid>
    </Stack>
  );
}

// person-code -------------------------------------------------------------------------------

export function CodeSection({ state, person, info }: PanelProps) {
  const q = useIndividualMetric('person-code', state, person);
  const { palette, extra } = usePalette();
  const data = q.data;
  const meta = info['person-code'];
  const compared = !!data && state.compare && !!data.previous;
  const s = data?.summary;
  const pr = data?.previous;
  const items: SummaryItem[] = s
    ? [
        { key: 'lines_added', label: 'Lines added', value: s.lines_added, previous: pr?.lines_added, format: formatCount, kind: 'count' },
        { key: 'lines_removed', label: 'Lines removed', value: s.lines_removed, previous: pr?.lines_removed, format: formatCount, kind: 'count' },
        { key: 'lines_net', label: 'Net lines', value: s.lines_net, previous: pr?.lines_net, format: formatCount, kind: 'count' },
        { key: 'languages', label: 'Languages', value: s.languages, previous: pr?.languages, format: formatCount, kind: 'count' },
        {
          key: 'repositories',
          label: 'Repositories',
          value: s.repositories,
          previous: pr?.repositories,
          format: formatCount,
          kind: 'count',
          hint: `top one: ${formatRate(s.top_repository_share)} of commits`,
        },
      ]
    : [];
  const slices = data ? languageSlices(data) : [];
  const repos = data?.tables?.repositories ?? [];
  const drill = usePersonDrill(person);
  const code: DrillOf = { metric: 'person-code', kind: 'commits' };
  // "Other" groups several languages and "Unknown" is files without one: neither narrows.
  const named = new Set((data?.tables?.languages ?? []).filter((l) => l.language).map((l) => l.language));
  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="code-lines"
        title="Additions and deletions"
        description={meta?.description}
        metricId="person-code"
        data={data}
        series={[
          { name: 'Lines added', key: 'lines_added', color: extra.added, kind: 'area', stack: 'lines', format: 'lines' },
          { name: 'Lines removed', key: 'lines_removed', color: extra.removed, kind: 'area', stack: 'lines', format: 'lines' },
        ]}
        axes={[{ name: 'Lines', format: 'lines' }]}
        loading={q.isFetching}
        error={q.error}
        empty={<EmptyHint what="changed lines" />}
        exportName="lines"
        height={300}
        person={person}
        drill={() => code}
        header={
          data && (
            <>
              {rangeLine(data, compared)}
              <SummaryCards items={items} compare={compared} />
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <TablePanel
          testId="languages"
          title="Languages"
          description="Share of changed lines (added + removed) by the language of each file, from its name; the smallest languages are grouped as Other."
          option={data && slices.length ? languageOption(data, palette) : undefined}
          points={slices.length}
          loading={q.isFetching}
          error={q.error}
          empty={data && !slices.length && <EmptyHint what="changed lines" />}
          exportData={data && languageExport(data)}
          height={280}
          onEvents={{
            click: drill.onClick(data, (e) =>
              e.name && named.has(e.name) ? { ...code, language: e.name, title: `Commits changing ${e.name} files in the range` } : undefined,
            ),
          }}
        />
        <TablePanel
          testId="repositories"
          title="Repositories"
          description="Commits per repository in the range (the busiest twelve); the tooltip adds the share of all the person's commits and the lines changed."
          option={data && repos.length ? repositoryOption(data, palette) : undefined}
          points={Math.min(repos.length, 12)}
          loading={q.isFetching}
          error={q.error}
          empty={data && !repos.length && <EmptyHint what="commits" />}
          exportData={data && repositoryExport(data)}
          height={280}
          onEvents={{ click: drill.onClick(data, (e) => (e.name ? { ...code, repo: e.name, title: `Commits in ${e.name} in the range` } : undefined)) }}
        />
      </SimpleGrid>
    </Stack>
  );
}

// person-mrs ------------------------------------------------------------------------------

export function PullRequestsSection({ state, person, info }: PanelProps) {
  const q = useIndividualMetric('person-mrs', state, person);
  const { palette, extra } = usePalette();
  const data = q.data;
  const meta = info['person-mrs'];
  const compared = !!data && state.compare && !!data.previous;
  const s = data?.summary;
  const pr = data?.previous;
  const items: SummaryItem[] = s
    ? [
        { key: 'prs_opened', label: 'PRs opened', value: s.prs_opened, previous: pr?.prs_opened, format: formatCount, kind: 'count' },
        { key: 'prs_merged', label: 'PRs merged', value: s.prs_merged, previous: pr?.prs_merged, format: formatCount, kind: 'count' },
        {
          key: 'success_rate',
          label: 'Success rate',
          value: s.success_rate,
          previous: pr?.success_rate,
          format: formatRate,
          kind: 'rate',
          hint: `${formatCount(s.prs_closed_unmerged)} closed unmerged`,
        },
        {
          key: 'size_median_lines',
          label: 'Median PR size',
          value: s.size_median_lines,
          previous: pr?.size_median_lines,
          format: (n) => (n == null ? '—' : `${formatCount(Math.round(n))} lines`),
          kind: 'count',
          lowerIsBetter: true,
          hint: s.size_mean_files == null ? undefined : `${s.size_mean_files.toFixed(1)} files on average`,
        },
        {
          key: 'iterations_mean',
          label: 'Review rounds',
          value: s.iterations_mean,
          previous: pr?.iterations_mean,
          format: (n) => (n == null ? '—' : n.toFixed(1)),
          kind: 'count',
          lowerIsBetter: true,
          hint: 'mean per merged PR',
        },
        {
          key: 'time_to_merge_median_hours',
          label: 'Time to merge',
          value: s.time_to_merge_median_hours,
          previous: pr?.time_to_merge_median_hours,
          format: formatHours,
          kind: 'hours',
          lowerIsBetter: true,
          hint: `median · mean ${formatHours(s.time_to_merge_mean_hours)}`,
        },
      ]
    : [];
  return (
    <TimeSeriesPanel
      testId="prs"
      title="Pull requests"
      description={meta?.description}
      metricId="person-mrs"
      data={data}
      series={[
        { name: 'Opened', key: 'prs_opened', color: palette.prsOpened, kind: 'line', format: 'count' },
        { name: 'Merged', key: 'prs_merged', color: palette.prsMerged, kind: 'line', format: 'count' },
        { name: 'Closed unmerged', key: 'prs_closed', color: palette.neutral, kind: 'line', format: 'count', ghost: false },
        { name: 'Success rate', key: 'success_rate', color: extra.rate, kind: 'line', axis: 1, format: 'rate', ghost: false },
      ]}
      axes={[
        { name: 'PRs', format: 'count' },
        { name: 'Success', format: 'rate' },
      ]}
      emptyKeys={['prs_opened', 'prs_merged', 'prs_closed']}
      loading={q.isFetching}
      error={q.error}
      empty={<EmptyHint what="pull requests (they come from a hosted source such as GitHub or GitLab)" />}
      exportName="prs"
      height={300}
      person={person}
      // The success rate is merged ÷ (merged + closed): its bucket opens the merged ones.
      drill={(key) => ({ metric: 'person-mrs', kind: key === 'success_rate' ? 'prs_merged' : key })}
      header={
        data && (
          <>
            {rangeLine(data, compared)}
            <SummaryCards items={items} compare={compared} />
          </>
        )
      }
    />
  );
}

// documented scores -----------------------------------------------------------------------

/** A 0–100 score whose formula is documented: the number, its parts, the formula behind an info icon. */
function ScoreCard(props: {
  testId: string;
  title: string;
  formula: string | undefined;
  value: number | null | undefined;
  previous: number | null | undefined;
  compare: boolean;
  parts: { label: string; value: string }[];
}) {
  const v = props.value;
  const delta = props.compare && v != null && props.previous != null ? v - props.previous : null;
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid={props.testId} className="summary-card">
      <Group gap={4} wrap="nowrap">
        <Text size="sm" c="dimmed" fw={500}>
          {props.title}
        </Text>
        {props.formula && (
          <Tooltip label={props.formula} multiline w={340} withArrow position="bottom-start" openDelay={100}>
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`How ${props.title} is computed`} data-testid={`${props.testId}-formula`} data-formula={props.formula}>
              <IconInfo size={15} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      <Group gap="xs" align="baseline">
        <Text fz={26} fw={650} lh={1.25} className="tabular" data-testid={`${props.testId}-value`}>
          {v == null ? '—' : Math.round(v)}
        </Text>
        <Text size="sm" c="dimmed">
          / 100
        </Text>
        {delta !== null && (
          <Text size="xs" fw={600} c={Math.abs(delta) < 0.05 ? 'dimmed' : delta > 0 ? 'teal' : 'red'} className="tabular">
            {delta > 0 ? '▲ +' : delta < 0 ? '▼ −' : ''}
            {Math.abs(delta).toFixed(1)} vs previous
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {props.parts.map((p) => `${p.label} ${p.value}`).join(' · ')}
      </Text>
    </Paper>
  );
}

// person-reviews and person-reception ------------------------------------------------------

export function ReviewsSection({ state, person, info }: PanelProps) {
  const given = useIndividualMetric('person-reviews', state, person);
  const received = useIndividualMetric('person-reception', state, person);
  const { palette, extra } = usePalette();
  const g = given.data;
  const r = received.data;
  const compared = state.compare && !!g?.previous;
  const gs = g?.summary;
  const gp = g?.previous;
  const rs = r?.summary;
  const rp = r?.previous;
  const givenItems: SummaryItem[] = gs
    ? [
        { key: 'reviews', label: 'Reviews given', value: gs.reviews, previous: gp?.reviews, format: formatCount, kind: 'count', hint: `${formatCount(gs.prs_reviewed)} PRs` },
        { key: 'review_comments', label: 'Review comments', value: gs.review_comments, previous: gp?.review_comments, format: formatCount, kind: 'count' },
        {
          key: 'time_to_first_review_median_hours',
          label: 'Median time to first review',
          value: gs.time_to_first_review_median_hours,
          previous: gp?.time_to_first_review_median_hours,
          format: formatHours,
          kind: 'hours',
          lowerIsBetter: true,
        },
        {
          key: 'response_time_median_hours',
          label: 'Median response time',
          value: gs.response_time_median_hours,
          previous: gp?.response_time_median_hours,
          format: formatHours,
          kind: 'hours',
          lowerIsBetter: true,
        },
      ]
    : [];
  const receivedItems: SummaryItem[] = rs
    ? [
        { key: 'reviews_received', label: 'Reviews received', value: rs.reviews_received, previous: rp?.reviews_received, format: formatCount, kind: 'count', hint: `from ${formatCount(rs.reviewers)} reviewers` },
        { key: 'comments_received', label: 'Comments received', value: rs.comments_received, previous: rp?.comments_received, format: formatCount, kind: 'count' },
        { key: 'addressed_rate', label: 'Comments addressed', value: rs.addressed_rate, previous: rp?.addressed_rate, format: formatRate, kind: 'rate', hint: `resolved ${formatRate(rs.resolution_rate)}` },
        {
          key: 'time_to_address_median_hours',
          label: 'Median time to address',
          value: rs.time_to_address_median_hours,
          previous: rp?.time_to_address_median_hours,
          format: formatHours,
          kind: 'hours',
          lowerIsBetter: true,
        },
        {
          key: 'iteration_efficiency',
          label: 'Iteration efficiency',
          value: rs.iteration_efficiency,
          previous: rp?.iteration_efficiency,
          format: (n) => (n == null ? '—' : n.toFixed(2)),
          kind: 'count',
          hint: `${formatCount(rs.prs_merged)} merged in ${formatCount(rs.review_rounds)} rounds`,
        },
      ]
    : [];
  const pct = (n: number | null | undefined) => formatRate(n);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <ScoreCard
          testId="score-thoroughness"
          title="Review thoroughness"
          formula={formulaFrom(info['person-reviews']?.description, 'thoroughness')}
          value={gs?.thoroughness_score}
          previous={gp?.thoroughness_score}
          compare={compared}
          parts={[
            { label: 'engagement', value: pct(gs?.thoroughness_engagement) },
            { label: 'depth', value: pct(gs?.thoroughness_depth) },
          ]}
        />
        <ScoreCard
          testId="score-collaboration"
          title="Collaboration score"
          formula={formulaFrom(info['person-reception']?.description, 'collaboration score')}
          value={rs?.collaboration_score}
          previous={rp?.collaboration_score}
          compare={state.compare && !!r?.previous}
          parts={[
            { label: 'addressed', value: pct(rs?.addressed_rate) },
            { label: 'breadth', value: pct(rs?.reviewer_breadth) },
            { label: 'reciprocity', value: pct(rs?.reciprocity) },
          ]}
        />
      </SimpleGrid>
      <TimeSeriesPanel
        testId="review-response"
        title="Reviews given: response"
        description={info['person-reviews']?.description}
        metricId="person-reviews"
        data={g}
        series={[
          { name: 'Time to first review', key: 'time_to_first_review_median_hours', color: palette.commits, kind: 'line', format: 'hours' },
          { name: 'Response time', key: 'response_time_median_hours', color: palette.prsOpened, kind: 'line', format: 'hours' },
          { name: 'Reviews', key: 'reviews', color: palette.neutral, kind: 'bar', axis: 1, format: 'count', ghost: false },
        ]}
        axes={[
          { name: 'Median hours', format: 'hours' },
          { name: 'Reviews', format: 'count' },
        ]}
        emptyKeys={['reviews', 'review_comments']}
        loading={given.isFetching}
        error={given.error}
        empty={<EmptyHint what="reviews given (they come from a hosted source such as GitHub or GitLab)" />}
        exportName="response"
        person={person}
        drill={() => ({ metric: 'person-reviews', kind: 'reviews' })}
        header={g && <SummaryCards items={givenItems} compare={compared} />}
      />
      <TimeSeriesPanel
        testId="reception"
        title="Reviews received"
        description={info['person-reception']?.description}
        metricId="person-reception"
        data={r}
        series={[
          { name: 'Time to address', key: 'time_to_address_median_hours', color: extra.rate, kind: 'line', format: 'hours' },
          { name: 'Comments received', key: 'comments_received', color: palette.neutral, kind: 'bar', axis: 1, format: 'count', ghost: false },
          { name: 'Comments addressed', key: 'comments_addressed', color: palette.prsMerged, kind: 'bar', axis: 1, format: 'count', ghost: false },
        ]}
        axes={[
          { name: 'Median hours', format: 'hours' },
          { name: 'Comments', format: 'count' },
        ]}
        emptyKeys={['reviews_received', 'comments_received']}
        loading={received.isFetching}
        error={received.error}
        empty={<EmptyHint what="reviews received (they come from a hosted source such as GitHub or GitLab)" />}
        exportName="reception"
        person={person}
        drill={() => ({ metric: 'person-reception', kind: 'comments' })}
        header={r && <SummaryCards items={receivedItems} compare={state.compare && !!r.previous} />}
      />
    </Stack>
  );
}

// person-patterns -------------------------------------------------------------------------

export function PatternsSection({ state, person, info }: PanelProps) {
  const q = useIndividualMetric('person-patterns', state, person);
  const { scheme, palette } = usePalette();
  const data = q.data;
  const meta = info['person-patterns'];
  const compared = !!data && state.compare && !!data.previous;
  const s = data?.summary;
  const pr = data?.previous;
  const none = !!data && data.summary.commits === 0;
  const heatmap = useMemo(() => (data && !none ? heatmapOption(data, scheme, palette) : undefined), [data, none, scheme, palette]);
  const rhythm = useMemo(() => (data && !none ? rhythmOption(data, palette) : undefined), [data, none, palette]);
  const focusTable = data?.tables?.focus_sessions;
  const drill = usePersonDrill(person);
  const patterns: DrillOf = { metric: 'person-patterns', kind: 'commits' };
  const items: SummaryItem[] = s
    ? [
        {
          key: 'focus_hours_per_week',
          label: 'Focus hours per week',
          value: s.focus_hours_per_week,
          previous: pr?.focus_hours_per_week,
          format: formatHours,
          kind: 'hours',
          hint: `${formatHours(s.focus_hours)} in ${formatCount(s.focus_sessions)} sessions`,
        },
        {
          key: 'focus_session_median_hours',
          label: 'Median session',
          value: s.focus_session_median_hours,
          previous: pr?.focus_session_median_hours,
          format: formatHours,
          kind: 'hours',
          hint: `longest ${formatHours(s.longest_focus_session_hours)}`,
        },
        {
          key: 'context_switches_per_active_day',
          label: 'Context switches per day',
          value: s.context_switches_per_active_day,
          previous: pr?.context_switches_per_active_day,
          format: (n) => (n == null ? '—' : n.toFixed(1)),
          kind: 'count',
          lowerIsBetter: true,
          hint: `${formatCount(s.context_switches)} on ${formatCount(s.active_days)} active days`,
        },
      ]
    : [];
  return (
    <Stack gap="md">
      <MetricChart
        testId="heatmap"
        title="When you commit"
        description={meta?.description}
        metricId="person-patterns"
        option={heatmap}
        points={heatmap ? 168 : 0}
        loading={q.isFetching}
        error={q.error}
        empty={none && <EmptyHint what="commits" />}
        exportData={data && heatmapExport(data)}
        height={250}
        onEvents={{
          // A cell: the commits of that weekday and hour in the author's local time.
          click: drill.onClick(data, (e) => {
            const [hour, weekday] = e.value as [number, number];
            return { ...patterns, weekday, hour, title: `Commits on ${WEEKDAYS[weekday]} ${HOURS[hour]}:00–${HOURS[(hour + 1) % 24]}:00 (local time)` };
          }),
        }}
        header={
          data && (
            <>
              {rangeLine(data, compared)}
              <SummaryCards items={items} compare={compared} />
            </>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <TablePanel
          testId="focus-sessions"
          title="Focus sessions"
          description="A session is a run of commits at most 2 h apart; its length is last − first commit + 30 min. Sessions in the range by length."
          option={data && !noCounts(focusTable) ? distributionOption(focusTable!, palette.prsMerged, palette.subtleText, 'sessions') : undefined}
          points={focusTable?.length ?? 0}
          loading={q.isFetching}
          error={q.error}
          empty={data && noCounts(focusTable) && <EmptyHint what="focus sessions" />}
          exportData={
            data &&
            tableExport(data, 'focus_sessions', focusTable ?? [], [
              { key: 'bucket', value: (b) => b.bucket },
              { key: 'count', value: (b) => b.count },
            ])
          }
          height={260}
        />
        <TablePanel
          testId="rhythm"
          title="Daily rhythm"
          description="Commits per hour of the day in the author's local time, in all and per active day."
          option={rhythm}
          points={rhythm ? 24 : 0}
          loading={q.isFetching}
          error={q.error}
          empty={none && <EmptyHint what="commits" />}
          exportData={data && rhythmExport(data)}
          height={260}
          onEvents={{ click: drill.onClick(data, (e) => ({ ...patterns, hour: e.dataIndex, title: `Commits at ${HOURS[e.dataIndex]}:00–${HOURS[(e.dataIndex + 1) % 24]}:00 (local time)` })) }}
        />
      </SimpleGrid>
    </Stack>
  );
}

export function SectionTitle({ children }: { children: ReactNode }) {
  return (
    <Title order={3} fz="lg" mt="sm">
      {children}
    </Title>
  );
}

// Review quality: comments per PR, review depth, PRs merged without review or comments.
import { SimpleGrid, Stack } from '@mantine/core';
import { useOrganizationMetric, type ReviewQualityPoint } from '../../api/organization';
import type { MetricInfo } from '../../api/types';
import { fields, formatDuration, formatNumber, formatPercentAxis, tableExport, type TimeChartSpec } from '../../charts/organization';
import { SummaryCards, type SummaryItem } from '../../charts/SummaryCards';
import { formatCount, formatRate } from '../../format';
import type { DashboardState } from '../../state/dashboard';
import { isFiltered } from '../../state/useDashboard';
import { useDrill } from '../../charts/Drill';
import { HistogramPanel } from './DeliveryPanels';
import { ConfigureMessage, infoOf, TablePanel, TimeSeriesPanel, useOrgColors } from './parts';

const REVIEW_SPEC: TimeChartSpec<ReviewQualityPoint> = {
  series: [
    { key: 'comments_per_pr', name: 'Comments per PR', kind: 'line', axis: 0, color: 'blue', ghost: true },
    { key: 'no_comment_rate', name: 'Merged without comments', kind: 'line', axis: 1, color: 'orange', ghost: true },
    { key: 'no_review_rate', name: 'Merged without review', kind: 'line', axis: 1, color: 'red' },
  ],
  axes: [
    { name: 'Comments per PR', format: formatNumber },
    { name: 'Share of merged PRs', format: formatPercentAxis, max: 1 },
  ],
  smooth: { key: 'comments_per_pr', name: 'Comments per PR', axis: 0 },
};

export function ReviewQualityPanel({ state, list }: { state: DashboardState; list?: MetricInfo[] }) {
  const info = infoOf(list, 'review-quality', 'Review quality');
  const q = useOrganizationMetric('review-quality', state);
  const colors = useOrgColors();
  const open = useDrill();
  const data = q.data;
  const s = data?.summary;
  const p = data?.previous;
  const t = data?.tables;
  const items: SummaryItem[] = s
    ? [
        { key: 'comments_per_pr_mean', label: 'Comments per PR', value: s.comments_per_pr_mean, previous: p?.comments_per_pr_mean, format: formatNumber, kind: 'count', hint: `median ${formatNumber(s.comments_per_pr_median)} · ${formatCount(s.prs)} merged PRs` },
        { key: 'review_depth', label: 'Review depth', value: s.review_depth, previous: p?.review_depth, format: formatNumber, kind: 'count', hint: 'review comments per review' },
        { key: 'no_review_rate', label: 'No review', value: s.no_review_rate, previous: p?.no_review_rate, format: formatRate, kind: 'rate', lowerIsBetter: true },
        { key: 'no_comment_rate', label: 'No comments', value: s.no_comment_rate, previous: p?.no_comment_rate, format: formatRate, kind: 'rate', lowerIsBetter: true },
        { key: 'approval_rate', label: 'Approved', value: s.approval_rate, previous: p?.approval_rate, format: formatRate, kind: 'rate', hint: `${formatNumber(s.approvals_per_pr)} approvals per PR` },
        { key: 'resolution_median_hours', label: 'Resolution time', value: s.resolution_median_hours, previous: p?.resolution_median_hours, format: formatDuration, kind: 'hours', lowerIsBetter: true, hint: `median · ${formatRate(s.resolution_rate)} of threads resolved` },
      ]
    : [];
  const empty = (
    <ConfigureMessage what="merged pull requests" filtered={isFiltered(state)} hint="Review quality needs pull requests with their reviews and comments from a version-control source (GitHub, GitLab, Bitbucket)." />
  );
  const drillAll = (title: string) => data && open({ metric: 'review-quality', kind: 'prs_merged', from: data.from, to: data.to, title });

  return (
    <Stack gap="md">
      <TimeSeriesPanel
        testId="review-quality"
        title={info.title}
        description={info.description}
        metricId={info.id}
        data={data}
        spec={REVIEW_SPEC}
        loading={q.isFetching}
        error={q.error}
        empty={empty}
        drill={() => ({ metric: 'review-quality', kind: 'prs_merged' })}
        header={data && <SummaryCards items={items} compare={!!p && state.compare} />}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <HistogramPanel
          testId="review-depth"
          title="Review depth"
          description="Merged pull requests by the review comments others left before the merge."
          data={data}
          table="depth"
          rows={t?.depth}
          color={colors.blue}
          valueName="PRs"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={() => drillAll('Merged pull requests in the range')}
        />
        <HistogramPanel
          testId="review-approvals"
          title="Approval patterns"
          description="Merged pull requests by the number of approvals they had at the merge."
          data={data}
          table="approvals"
          rows={t?.approvals}
          color={colors.green}
          valueName="PRs"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={() => drillAll('Merged pull requests in the range')}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <HistogramPanel
          testId="review-resolution"
          title="Comment resolution time"
          description="Review threads by the time until they were resolved."
          data={data}
          table="resolution"
          rows={t?.resolution}
          color={colors.violet}
          valueName="threads"
          loading={q.isFetching}
          error={q.error}
          empty={empty}
          onBar={() => drillAll('Merged pull requests in the range')}
        />
        <TablePanel
          testId="top-reviewers"
          title="Top reviewers"
          rows={t?.reviewers}
          empty={empty}
          exportData={data && t && tableExport(data, 'reviewers', t.reviewers, fields('person', 'reviews', 'approvals', 'prs'))}
          columns={[
            { key: 'person', label: 'Reviewer', value: (r) => r.person },
            { key: 'reviews', label: 'Reviews', value: (r) => formatCount(r.reviews), numeric: true },
            { key: 'approvals', label: 'Approvals', value: (r) => formatCount(r.approvals), numeric: true },
            { key: 'prs', label: 'PRs', value: (r) => formatCount(r.prs), numeric: true },
          ]}
        />
      </SimpleGrid>
    </Stack>
  );
}

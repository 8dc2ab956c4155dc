// The Organization view: Delivery, Operational / CI and Review quality sections as tabs. Only
// the open section is rendered (and fetched), which keeps the page fast; the section is in the
// URL (section=ci) so a shared link opens the same one.
import { Alert, SimpleGrid, Stack, Tabs } from '@mantine/core';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMetricList } from '../../api/queries';
import type { MetricInfo } from '../../api/types';
import { NotBuiltPanel } from '../../charts/MetricPanel';
import type { SearchRecord } from '../../state/dashboard';
import { useDashboard } from '../../state/useDashboard';
import { CommitPrActivityPanel, METRIC_ID } from './CommitPrActivityPanel';
import { CycleTimePanel, DeploymentsPanel, WipPanel } from './DeliveryPanels';
import { DrillProvider } from '../../charts/Drill';
import { Lazy } from './parts';
import { PipelineDurationPanel, PipelineFailuresPanel, PipelineSuccessPanel } from './PipelinePanels';
import { ReviewQualityPanel } from './ReviewQualityPanel';

export const SECTIONS = [
  { id: 'delivery', label: 'Delivery', family: 'delivery' },
  { id: 'ci', label: 'Operational / CI', family: 'operational' },
  { id: 'review', label: 'Review quality', family: 'quality' },
] as const;

type SectionId = (typeof SECTIONS)[number]['id'];

/** The metrics each section draws; others of its family are listed as not built yet. */
const BUILT = new Set([METRIC_ID, 'deployments', 'cycle-time', 'wip', 'pipeline-success', 'pipeline-duration', 'pipeline-failures', 'review-quality']);

function NotBuilt({ list, family }: { list: MetricInfo[]; family: string }) {
  const rest = list.filter((m) => m.family === family && !BUILT.has(m.id));
  if (!rest.length) return null;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, xl: 3 }} spacing="md">
      {rest.map((m) => (
        <NotBuiltPanel key={m.id} title={m.title} description={m.description} metricId={m.id} />
      ))}
    </SimpleGrid>
  );
}

export function OrganizationPage() {
  const [state] = useDashboard();
  const search = useSearch({ strict: false }) as SearchRecord;
  const navigate = useNavigate();
  const metrics = useMetricList();
  const list = (metrics.data?.metrics ?? []).filter((m) => m.view === 'organization');
  const section: SectionId = SECTIONS.some((s) => s.id === search.section) ? (search.section as SectionId) : 'delivery';
  const select = (id: string | null) => {
    if (!id || id === section) return;
    void navigate({ to: '.', search: (prev: SearchRecord) => ({ ...prev, section: id === 'delivery' ? undefined : id }) });
  };

  return (
    <DrillProvider state={state}>
      <Stack gap="md">
        {metrics.error && (
          <Alert color="red" variant="light" title="Could not load the list of metrics">
            {metrics.error.message}
          </Alert>
        )}
        <Tabs value={section} onChange={select} keepMounted={false} variant="outline">
          <Tabs.List mb="md">
            {SECTIONS.map((s) => (
              <Tabs.Tab key={s.id} value={s.id} data-testid={`section-${s.id}`} fw={500}>
                {s.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="delivery">
            <Stack gap="lg">
              <CommitPrActivityPanel state={state} info={list.find((m) => m.id === METRIC_ID)} />
              <Lazy id="deployments" minHeight={1000}>
                <DeploymentsPanel state={state} list={list} />
              </Lazy>
              <Lazy id="cycle-time" minHeight={1200}>
                <CycleTimePanel state={state} list={list} />
              </Lazy>
              <Lazy id="wip" minHeight={1200}>
                <WipPanel state={state} list={list} />
              </Lazy>
              <NotBuilt list={list} family="delivery" />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="ci">
            <Stack gap="lg">
              <PipelineSuccessPanel state={state} list={list} />
              <Lazy id="pipeline-duration" minHeight={1100}>
                <PipelineDurationPanel state={state} list={list} />
              </Lazy>
              <Lazy id="pipeline-failures" minHeight={1200}>
                <PipelineFailuresPanel state={state} list={list} />
              </Lazy>
              <NotBuilt list={list} family="operational" />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="review">
            <Stack gap="lg">
              <ReviewQualityPanel state={state} list={list} />
              <NotBuilt list={list} family="quality" />
            </Stack>
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </DrillProvider>
  );
}

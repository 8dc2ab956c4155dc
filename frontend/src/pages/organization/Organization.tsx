import { Alert, SimpleGrid, Stack, Title } from '@mantine/core';
import { useMetricList } from '../../api/queries';
import { NotBuiltPanel } from '../../charts/MetricPanel';
import { useDashboard } from '../../state/useDashboard';
import { CommitPrActivityPanel, METRIC_ID } from './CommitPrActivityPanel';

export function OrganizationPage() {
  const [state] = useDashboard();
  const metrics = useMetricList();
  const org = (metrics.data?.metrics ?? []).filter((m) => m.view === 'organization');
  const others = org.filter((m) => m.id !== METRIC_ID);

  return (
    <Stack gap="md">
      <CommitPrActivityPanel state={state} info={org.find((m) => m.id === METRIC_ID)} />
      {metrics.error && (
        <Alert color="red" variant="light" title="Could not load the list of metrics">
          {metrics.error.message}
        </Alert>
      )}
      {others.length > 0 && (
        <>
          <Title order={3} fz="lg" mt="sm">
            More organization metrics
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, xl: 3 }} spacing="md">
            {others.map((m) => (
              <NotBuiltPanel key={m.id} title={m.title} description={m.description} metricId={m.id} />
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

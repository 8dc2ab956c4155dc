import { Alert, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMetricList, usePeople } from '../api/queries';
import { NotBuiltPanel } from '../charts/MetricPanel';
import { useDashboard } from '../state/useDashboard';

export function IndividualPage() {
  const [state, update] = useDashboard();
  const people = usePeople();
  const metrics = useMetricList();
  const individual = (metrics.data?.metrics ?? []).filter((m) => m.view === 'individual');

  // The Individual view is about one person: the first of the URL's `person` values.
  const selected = state.people[0] ?? null;
  const options = (people.data ?? [])
    .filter((p) => !p.is_bot)
    .map((p) => ({ value: String(p.id), label: p.email ? `${p.name || p.email} <${p.email}>` : p.name }));
  if (selected && !options.some((o) => o.value === selected)) options.push({ value: selected, label: selected });

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md">
        <Select
          label="Person"
          description="All of this person's accounts are counted together. Bots are not listed."
          placeholder={people.isPending ? 'Loading people…' : options.length ? 'Choose a person' : 'No people yet'}
          data={options}
          value={selected}
          onChange={(v) => update({ people: v ? [v] : [] })}
          searchable
          clearable
          maw={420}
          data-testid="person-picker"
          nothingFoundMessage="No match"
        />
        {people.error && (
          <Text size="sm" c="red" mt="xs">
            Could not load people: {people.error.message}
          </Text>
        )}
      </Paper>
      {!selected && (
        <Text c="dimmed" size="sm">
          Choose a person to see their metrics.
        </Text>
      )}
      {metrics.error && (
        <Alert color="red" variant="light" title="Could not load the list of metrics">
          {metrics.error.message}
        </Alert>
      )}
      {individual.length > 0 && (
        <>
          <Title order={3} fz="lg" mt="sm">
            Individual metrics
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, xl: 3 }} spacing="md">
            {individual.map((m) => (
              <NotBuiltPanel key={m.id} title={m.title} description={m.description} metricId={m.id} />
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

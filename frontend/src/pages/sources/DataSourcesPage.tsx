// Data sources: pick a source, configure it through a form generated from its keys, test,
// save, sync; runs history with live progress; the repositories collected so far.
import { Alert, Anchor, Badge, Code, Grid, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useRepos } from '../../api/queries';
import { useCollectEvents, useCollectSettings, useSources, type SourceInfo } from '../../api/sources';
import { RunsPanel, StatusBadge } from './RunsTable';
import { sourceSections, type SourceSections } from './sections';
import { SourceForm } from './SourceForm';
import { CATEGORY_LABEL, lastRun, SourceList, StateBadge } from './SourceList';
import './sources.css';
import { formatInstant, formatRelative } from './time';

export function DataSourcesPage({ sections = sourceSections }: { sections?: SourceSections }) {
  const sources = useSources();
  const settings = useCollectSettings();
  const live = useCollectEvents();
  const list = sources.data?.sources ?? [];
  const [picked, setPicked] = useState('');
  // Until the user picks one: the first configured source, else the first.
  const selected = list.find((s) => s.id === picked) ?? list.find((s) => s.config.configured) ?? list[0];

  return (
    <Stack gap="md">
      {sources.error && (
        <Alert color="red" variant="light" title="Could not load the data sources" data-testid="sources-error">
          {sources.error.message}
        </Alert>
      )}
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" align="flex-start" mb="sm">
          <div>
            <Title order={3} fz="lg">
              Sources
            </Title>
            <Text size="sm" c="dimmed">
              Configure where Momentum collects from. Only configured sources are collected.
            </Text>
          </div>
          <ScheduleLine next={settings.data?.next_run} cron={settings.data?.cron} />
        </Group>
        {sources.isPending && <Text c="dimmed">Loading…</Text>}
        {sources.data && list.length === 0 && (
          <Text c="dimmed" size="sm" data-testid="sources-empty">
            This build has no data sources registered.
          </Text>
        )}
        {selected && (
          <Grid gap="lg">
            <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
              <SourceList sources={list} selected={selected.id} onSelect={setPicked} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 8, lg: 9 }}>
              <SourcePanel
                source={selected}
                secretStore={sources.data?.secret_store ?? ''}
                collecting={live.running}
                sections={sections[selected.id] ?? []}
              />
            </Grid.Col>
          </Grid>
        )}
      </Paper>

      <RunsPanel source="" live={live} canCollect={list.some((s) => s.config.complete)} />

      <RepositoriesPanel />
    </Stack>
  );
}

function ScheduleLine({ next, cron }: { next?: string; cron?: string }) {
  return (
    <Text size="sm" c="dimmed" ta="right" data-testid="next-collection">
      {next ? (
        <>
          Next scheduled collection {formatRelative(new Date(next))}
          <br />
          <Code>{cron}</Code> ·{' '}
          <Anchor component={Link} to="/settings" search size="sm">
            change in Settings
          </Anchor>
        </>
      ) : (
        'No collection is scheduled in this process'
      )}
    </Text>
  );
}

function SourcePanel({
  source,
  secretStore,
  collecting,
  sections,
}: {
  source: SourceInfo;
  secretStore: string;
  collecting: boolean;
  sections: SourceSections[string];
}) {
  const last = lastRun(source);
  return (
    <Stack gap="md" data-testid="source-panel" data-source={source.id}>
      <div>
        <Group gap="xs">
          <Title order={4} fz="md">
            {source.name}
          </Title>
          <StateBadge source={source} />
          <Badge variant="outline" color="gray" size="sm" radius="sm">
            {CATEGORY_LABEL[source.category] ?? source.category}
          </Badge>
        </Group>
        {source.description && (
          <Text size="sm" c="dimmed" mt={4}>
            {source.description}
          </Text>
        )}
        {source.config.configured && source.config.problems.length > 0 && (
          <Alert color="orange" variant="light" mt="sm" title="Not collected until fixed" data-testid="source-problems">
            <Stack gap={2}>
              {source.config.problems.map((p) => (
                <Text key={p} size="sm">
                  {p}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
      </div>
      <SourceForm key={source.id} source={source} secretStore={secretStore} collecting={collecting} />
      {sections.map((Section, i) => (
        <Section key={i} source={source} />
      ))}
      <div>
        <Text size="sm" fw={600} mb={4}>
          Scripts
        </Text>
        <Table verticalSpacing={4} fz="sm" data-testid="source-scripts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Script</Table.Th>
              <Table.Th>Provides</Table.Th>
              <Table.Th>Needs</Table.Th>
              <Table.Th>Last run</Table.Th>
              <Table.Th>Collected up to</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {source.scripts.map((sc) => {
              const run = source.last_runs[sc.name];
              return (
                <Table.Tr key={sc.name}>
                  <Table.Td ff="monospace">{sc.name}</Table.Td>
                  <Table.Td fz="xs" c="dimmed">
                    {(sc.provides ?? []).join(', ')}
                  </Table.Td>
                  <Table.Td fz="xs" c="dimmed">
                    {(sc.depends_on ?? []).join(', ') || '—'}
                  </Table.Td>
                  <Table.Td>{run ? <StatusBadge status={run.status} /> : <Text size="xs" c="dimmed">never</Text>}</Table.Td>
                  <Table.Td className="tabular" fz="xs">
                    {run?.last_fetched_at ? formatInstant(run.last_fetched_at) : '—'}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {last && (
          <Text size="xs" c="dimmed" mt={4}>
            Last collection started {formatRelative(new Date(last.started_at * 1000))}.
          </Text>
        )}
      </div>
    </Stack>
  );
}

function RepositoriesPanel() {
  const repos = useRepos();
  const list = repos.data ?? [];
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={3} fz="lg" mb="sm">
        Repositories
      </Title>
      {repos.error && (
        <Alert color="red" variant="light" title="Could not load repositories">
          {repos.error.message}
        </Alert>
      )}
      {repos.isPending && <Text c="dimmed">Loading…</Text>}
      {repos.data && list.length === 0 && (
        <Text c="dimmed" size="sm" data-testid="repos-empty">
          No repositories yet. Configure a source above and Sync now, or load demo data with <Code>momentum demo</Code>.
        </Text>
      )}
      {list.length > 0 && (
        <Table striped highlightOnHover verticalSpacing={6} data-testid="repos-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Repository</Table.Th>
              <Table.Th>Source</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td ff="monospace" fz="sm">
                  {r.full_name}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color="gray" size="sm">
                    {r.source}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

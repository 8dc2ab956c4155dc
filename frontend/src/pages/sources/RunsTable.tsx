// Runs history, with the live progress of a collection under way on top.
import { Alert, Badge, Button, Group, Loader, Paper, ScrollArea, Table, Text, Title, Tooltip } from '@mantine/core';
import { useRuns, useStartCollection, type LiveCollection, type Run } from '../../api/sources';
import { DASH, formatCount } from '../../format';
import { StreamStatus } from '../../live/StreamStatus';
import { formatDuration, formatInstant } from './time';

const STATUS_COLOR: Record<string, string> = {
  RUNNING: 'blue',
  COMPLETED: 'teal',
  FAILED: 'red',
  SKIPPED: 'gray',
  RUNNING_ELSEWHERE: 'violet',
  COLLECTED_ELSEWHERE: 'violet',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={STATUS_COLOR[status] ?? 'gray'} size="sm" radius="sm">
      {status.replaceAll('_', ' ').toLowerCase()}
    </Badge>
  );
}

export function RunsPanel({ source, live, canCollect }: { source: string; live: LiveCollection; canCollect: boolean }) {
  const runs = useRuns(source);
  const collectAll = useStartCollection();
  return (
    <Paper withBorder radius="md" p="md" data-testid="runs">
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="lg">
          Runs{source ? ` of ${source}` : ''}
        </Title>
        <Group gap="md">
          <StreamStatus state={live.stream} testId="runs-live-state" />
          <Button
            size="xs"
            variant="default"
            onClick={() => collectAll.mutate({})}
            loading={collectAll.isPending}
            disabled={!canCollect || live.running}
            title={canCollect ? 'Collect every configured source now' : 'No source is configured completely'}
            data-testid="collect-all"
          >
            Collect all now
          </Button>
        </Group>
      </Group>
      {collectAll.error && (
        <Alert color="red" variant="light" mb="sm" title="Cannot collect" data-testid="collect-all-error">
          {collectAll.error.message}
        </Alert>
      )}
      <LiveProgress live={live} source={source} />
      {runs.error && (
        <Alert color="red" variant="light" title="Could not load runs">
          {runs.error.message}
        </Alert>
      )}
      {runs.isPending && <Text c="dimmed">Loading…</Text>}
      {runs.data && runs.data.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="runs-empty">
          No runs yet. Configure a source, then Sync now; the schedule in Settings collects on its own.
        </Text>
      )}
      {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} />}
    </Paper>
  );
}

function LiveProgress({ live, source }: { live: LiveCollection; source: string }) {
  const scripts = live.scripts.filter((s) => !source || s.source === source);
  if (!live.running || scripts.length === 0) return null;
  return (
    <Paper withBorder radius="sm" p="sm" mb="sm" data-testid="live-progress">
      <Group gap={8} mb={6}>
        <Loader size={14} />
        <Text size="sm" fw={600}>
          Collecting now
        </Text>
      </Group>
      <Table verticalSpacing={4} fz="sm">
        <Table.Tbody>
          {scripts.map((s) => (
            <Table.Tr key={`${s.source}/${s.script}`} data-testid={`live-${s.source}-${s.script}`}>
              <Table.Td ff="monospace">
                {s.source}/{s.script}
              </Table.Td>
              <Table.Td>
                <StatusBadge status={s.status} />
              </Table.Td>
              <Table.Td className="tabular">{formatCount(s.items)} items</Table.Td>
              <Table.Td className="tabular">{formatCount(s.requests)} requests</Table.Td>
              <Table.Td c="red" fz="xs">
                {s.error}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

export function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <ScrollArea.Autosize mah={520} type="auto">
      <Table striped highlightOnHover verticalSpacing={6} fz="sm" data-testid="runs-table" stickyHeader>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Source</Table.Th>
            <Table.Th>Script</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Start</Table.Th>
            <Table.Th>End</Table.Th>
            <Table.Th ta="right">Duration</Table.Th>
            <Table.Th ta="right">Items</Table.Th>
            <Table.Th ta="right">Requests</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} data-testid="run-row" data-status={r.status}>
              <Table.Td>{r.source}</Table.Td>
              <Table.Td ff="monospace">{r.script}</Table.Td>
              <Table.Td>
                <StatusBadge status={r.status} />
              </Table.Td>
              <Table.Td className="tabular" style={{ whiteSpace: 'nowrap' }}>
                {formatInstant(r.started_at)}
              </Table.Td>
              <Table.Td className="tabular" style={{ whiteSpace: 'nowrap' }}>
                {formatInstant(r.finished_at)}
              </Table.Td>
              <Table.Td ta="right" className="tabular" style={{ whiteSpace: 'nowrap' }}>
                {r.finished_at == null ? DASH : formatDuration(r.finished_at - r.started_at)}
              </Table.Td>
              <Table.Td ta="right" className="tabular">
                {formatCount(r.items)}
              </Table.Td>
              <Table.Td ta="right" className="tabular">
                {formatCount(r.requests)}
              </Table.Td>
              <Table.Td maw={360}>
                {r.error ? (
                  <Tooltip label={r.error} multiline w={420} withArrow openDelay={300}>
                    <Text size="xs" c={r.status === 'FAILED' ? 'red' : 'dimmed'} lineClamp={2}>
                      {r.error}
                    </Text>
                  </Tooltip>
                ) : (
                  DASH
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

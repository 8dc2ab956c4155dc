// Bottom bar: which database engine is in use, where the data lives, the version, and the
// server's notice (e.g. why it fell back to SQLite) in a warning colour, and the dashboard figures
// still being prepared after an update.
import { Group, Loader, Text, Tooltip } from '@mantine/core';
import { useHealth } from '../api/queries';
import type { Engine } from '../api/types';
import { IconWarning } from './icons';

export const ENGINE_LABEL: Record<Engine, string> = {
  'embedded-postgres': 'Embedded PostgreSQL',
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
};

export function engineLabel(engine: string): string {
  return ENGINE_LABEL[engine as Engine] ?? engine;
}

export function StatusBar() {
  const health = useHealth();
  const h = health.data;

  if (!h) {
    return (
      <Group h="100%" px="md" gap="md" wrap="nowrap" className="statusbar" data-testid="statusbar">
        <Text size="xs" c={health.error ? 'red' : 'dimmed'} data-testid="status-engine" truncate>
          {health.error ? `Server not reachable: ${health.error.message}` : 'Connecting…'}
        </Text>
      </Group>
    );
  }

  return (
    <Group h="100%" px="md" gap="lg" wrap="nowrap" className="statusbar" data-testid="statusbar">
      <Group gap={6} wrap="nowrap">
        <span className={`status-dot ${h.status === 'ok' ? 'ok' : 'bad'}`} aria-hidden="true" />
        <Text size="xs" data-testid="status-engine" style={{ whiteSpace: 'nowrap' }}>
          {engineLabel(h.engine)}
        </Text>
      </Group>
      <Tooltip label={`Data directory: ${h.data_dir}`} openDelay={300}>
        <Text size="xs" c="dimmed" ff="monospace" truncate maw={360} data-testid="status-datadir">
          {h.data_dir}
        </Text>
      </Tooltip>
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} data-testid="status-version">
        v{h.version}
      </Text>
      {h.rollups_pending > 0 && (
        <Tooltip
          label="After an update, Momentum fills the pre-aggregated figures the dashboards read, once, in the background. Dashboards opened meanwhile wait for the days they show."
          multiline
          w={380}
          openDelay={200}
        >
          <Group gap={6} wrap="nowrap" data-testid="status-preparing" style={{ minWidth: 0 }}>
            <Loader size={10} />
            <Text size="xs" c="dimmed" truncate>
              Preparing dashboards: {h.rollups_pending.toLocaleString()} {h.rollups_pending === 1 ? 'day' : 'days'} of figures left
            </Text>
          </Group>
        </Tooltip>
      )}
      {h.notice && (
        <Tooltip label={h.notice} multiline w={420} openDelay={200}>
          <Group gap={4} wrap="nowrap" className="status-notice" data-testid="status-notice" style={{ minWidth: 0 }}>
            <IconWarning size={14} style={{ flex: 'none' }} />
            <Text size="xs" fw={500} truncate c="inherit">
              {h.notice}
            </Text>
          </Group>
        </Tooltip>
      )}
    </Group>
  );
}

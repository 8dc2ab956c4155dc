import { Alert, Code, Paper, Stack, Table, Text, Title, useComputedColorScheme } from '@mantine/core';
import type { ReactNode } from 'react';
import { API_BASE } from '../api/client';
import { useHealth } from '../api/queries';
import { engineLabel } from '../shell/StatusBar';
import { AuditLog } from './settings/AuditLog';
import { CollectionSettings } from './settings/CollectionSettings';

export function SettingsPage() {
  const health = useHealth();
  const scheme = useComputedColorScheme('light');
  const h = health.data;

  const rows: [string, ReactNode][] = h
    ? [
        ['Status', h.status],
        ['Version', h.version],
        ['Database engine', engineLabel(h.engine)],
        ['Database', <Code key="db">{h.database || '—'}</Code>],
        ['Data directory', <Code key="dir">{h.data_dir}</Code>],
      ]
    : [];

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md" data-testid="settings-health">
        <Title order={3} fz="lg" mb="sm">
          Server and storage
        </Title>
        {health.error && (
          <Alert color="red" variant="light" title="Server not reachable">
            {health.error.message}
          </Alert>
        )}
        {h?.notice && (
          <Alert color="orange" variant="light" title="Notice" mb="sm" data-testid="settings-notice">
            {h.notice}
          </Alert>
        )}
        {h && (
          <Table variant="vertical" layout="fixed" withTableBorder={false} verticalSpacing={8}>
            <Table.Tbody>
              {rows.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Th w={180}>{k}</Table.Th>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{v}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed" mt="sm">
          The storage engine and data directory are chosen at start-up: <Code>--db</Code> and <Code>--data-dir</Code>{' '}
          (or <Code>MOMENTUM_DB</Code>, <Code>MOMENTUM_DATA_DIR</Code>). API: <Code>{API_BASE}</Code>
        </Text>
      </Paper>
      <CollectionSettings />
      <AuditLog />
      <Paper withBorder radius="md" p="md">
        <Title order={3} fz="lg" mb={4}>
          Appearance
        </Title>
        <Text size="sm" c="dimmed">
          Light and dark themes follow your operating system (currently {scheme}).
        </Text>
      </Paper>
    </Stack>
  );
}

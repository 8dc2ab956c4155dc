// The audit log: configuration changes, manual syncs, resets, setting changes and
// retention, with when and through which interface. Configuration values are never in it.
import { Alert, Badge, Paper, ScrollArea, Table, Text, Title } from '@mantine/core';
import { useAudit, type AuditEntry } from '../../api/sources';
import { DASH } from '../../format';
import { formatInstant } from '../sources/time';

const ACTION_LABEL: Record<string, string> = {
  'config.set': 'Configuration set',
  'config.unset': 'Configuration removed',
  collect: 'Manual sync',
  reset: 'Full re-import',
  'settings.set': 'Setting changed',
  retention: 'Retention pruned',
};

const SETTING_LABEL: Record<string, string> = {
  'collect.cron': 'Schedule',
  'collect.history_days': 'History depth (days)',
  'collect.retention_days': 'Retention (days)',
};

export function AuditLog() {
  const audit = useAudit(200);
  return (
    <Paper withBorder radius="md" p="md" data-testid="settings-audit">
      <Title order={3} fz="lg" mb={4}>
        Audit log
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        What changed, when and from where. Configuration values, secrets above all, are never recorded.
      </Text>
      {audit.error && (
        <Alert color="red" variant="light" title="Could not load the audit log">
          {audit.error.message}
        </Alert>
      )}
      {audit.isPending && <Text c="dimmed">Loading…</Text>}
      {audit.data && audit.data.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing yet.
        </Text>
      )}
      {audit.data && audit.data.length > 0 && (
        <ScrollArea.Autosize mah={480} type="auto">
          <Table striped verticalSpacing={6} fz="sm" stickyHeader data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Via</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {audit.data.map((e) => (
                <Table.Tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <Table.Td className="tabular" style={{ whiteSpace: 'nowrap' }}>
                    {formatInstant(e.at)}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="gray" size="sm" radius="sm">
                      {e.via}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{ACTION_LABEL[e.action] ?? e.action}</Table.Td>
                  <Table.Td>{e.source || DASH}</Table.Td>
                  <Table.Td ff={e.key && !SETTING_LABEL[e.key] ? 'monospace' : undefined} fz="xs">
                    {keyLabel(e)}
                  </Table.Td>
                  <Table.Td fz="xs" c="dimmed">
                    {e.detail || DASH}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}

function keyLabel(e: AuditEntry): string {
  if (!e.key) return DASH;
  return SETTING_LABEL[e.key] ?? e.key;
}

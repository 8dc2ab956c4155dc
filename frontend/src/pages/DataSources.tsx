import { Alert, Badge, Code, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useRepos } from '../api/queries';

export function DataSourcesPage() {
  const repos = useRepos();
  const list = repos.data ?? [];

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md">
        <Title order={3} fz="lg" mb={4}>
          Configure a source
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Setting up sources from this screen is not built yet in this version. Use the command line; secrets go to
          the OS keychain, never into the database.
        </Text>
        <Stack gap={6} className="cli-block">
          <Code block>{`momentum sources                       # what can be collected, and its config keys
momentum config set git GIT_REPOS=~/src/api,~/src/web
momentum config set github GITHUB_TOKEN=… GITHUB_ORG=acme
momentum collect                       # one collection now
momentum demo                          # or: load a realistic demo data set`}</Code>
        </Stack>
      </Paper>

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
            No repositories yet. Configure a source and run <Code>momentum collect</Code>, or load demo data with{' '}
            <Code>momentum demo</Code>.
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
    </Stack>
  );
}

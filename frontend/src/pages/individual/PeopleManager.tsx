// People by hand: merge two people into one, split an account off into a person of its own,
// mark who is "me". Automatic merging (by email, noreply address) never undoes these.
import { Alert, Badge, Button, Group, Modal, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useAccounts, useMergePeople, usePeopleList, useSetMe, useSplitAccount, type Account, type PersonRecord } from '../../api/people';

function label(p: PersonRecord): string {
  return p.name || p.email || `person ${p.id}`;
}

function accountText(a: Account): string {
  return a.email || a.login || a.name || a.external_id;
}

export function PeopleManager({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const people = usePeopleList();
  const accounts = useAccounts(opened);
  const merge = useMergePeople();
  const split = useSplitAccount();
  const setMe = useSetMe();
  const [filter, setFilter] = useState('');
  const [showBots, setShowBots] = useState(false);
  const [mergeFrom, setMergeFrom] = useState<Record<number, string | null>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const byPerson = useMemo(() => {
    const m = new Map<number, Account[]>();
    for (const a of accounts.data ?? []) m.set(a.person_id, [...(m.get(a.person_id) ?? []), a]);
    return m;
  }, [accounts.data]);

  const all = people.data ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = all.filter(
    (p) =>
      (showBots || !p.is_bot) &&
      (!needle ||
        label(p).toLowerCase().includes(needle) ||
        p.email.includes(needle) ||
        (byPerson.get(p.id) ?? []).some((a) => accountText(a).toLowerCase().includes(needle))),
  );
  const error = merge.error ?? split.error ?? setMe.error;
  const busy = merge.isPending || split.isPending || setMe.isPending;

  return (
    <Modal opened={opened} onClose={onClose} title="People" size="min(1180px, 96vw)">
      <Stack gap="sm" data-testid="people-manager">
        <Text size="sm" c="dimmed">
          Accounts with the same email (or GitHub noreply address) are one person automatically. Merge people who are the same
          human, split an account off a person it does not belong to, and say which person is you. Changes by hand stay.
        </Text>
        <Group gap="sm">
          <TextInput placeholder="Find by name, email or login" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={300} data-testid="people-filter" />
          <Switch label="Show bots" checked={showBots} onChange={(e) => setShowBots(e.currentTarget.checked)} />
        </Group>
        {error && (
          <Alert color="red" variant="light" title="That did not work" role="alert">
            {error.message}
          </Alert>
        )}
        {notice && !error && (
          <Alert color="teal" variant="light" withCloseButton onClose={() => setNotice(null)} data-testid="people-notice">
            {notice}
          </Alert>
        )}
        {(people.error || accounts.error) && (
          <Alert color="red" variant="light" title="Could not load people">
            {(people.error ?? accounts.error)!.message}
          </Alert>
        )}
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="people-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Person</Table.Th>
              <Table.Th>Accounts</Table.Th>
              <Table.Th w={330}>Merge another person into this one</Table.Th>
              <Table.Th w={120} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((p) => {
              const accs = byPerson.get(p.id) ?? [];
              const from = mergeFrom[p.id] ?? null;
              return (
                <Table.Tr key={p.id} data-testid={`person-row-${p.id}`}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {label(p)}
                      </Text>
                      {p.is_me && (
                        <Badge size="xs" variant="light">
                          me
                        </Badge>
                      )}
                      {p.is_bot && (
                        <Badge size="xs" color="gray" variant="light">
                          bot
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {p.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {accs.map((a) => (
                        <Group key={a.id} gap={6} wrap="nowrap">
                          <Badge size="xs" variant="outline" color="gray">
                            {a.source}
                          </Badge>
                          <Text size="xs">{accountText(a)}</Text>
                          {accs.length > 1 && (
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              disabled={busy}
                              data-testid={`split-${a.id}`}
                              onClick={() =>
                                split.mutate(a.id, { onSuccess: (np) => setNotice(`${accountText(a)} is now a person of its own (${label(np)}).`) })
                              }
                            >
                              Split off
                            </Button>
                          )}
                        </Group>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Select
                        size="xs"
                        w={240}
                        placeholder="Choose a person"
                        searchable
                        data={all.filter((o) => o.id !== p.id && o.is_bot === p.is_bot).map((o) => ({ value: String(o.id), label: `${label(o)}${o.email ? ` <${o.email}>` : ''}` }))}
                        value={from}
                        onChange={(v) => setMergeFrom((m) => ({ ...m, [p.id]: v }))}
                        data-testid={`merge-from-${p.id}`}
                        comboboxProps={{ withinPortal: true }}
                      />
                      <Button
                        size="compact-sm"
                        disabled={!from || busy}
                        data-testid={`merge-${p.id}`}
                        onClick={() =>
                          merge.mutate(
                            { into: p.id, from: Number(from) },
                            {
                              onSuccess: (np) => {
                                setMergeFrom((m) => ({ ...m, [p.id]: null }));
                                setNotice(`Merged into ${label(np)}: ${np.accounts} accounts.`);
                              },
                            },
                          )
                        }
                      >
                        Merge
                      </Button>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {!p.is_me && !p.is_bot && (
                      <Button
                        size="compact-sm"
                        variant="light"
                        disabled={busy}
                        data-testid={`set-me-${p.id}`}
                        onClick={() => setMe.mutate(p.id, { onSuccess: (np) => setNotice(`${label(np)} is you now.`) })}
                      >
                        This is me
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {people.data && shown.length === 0 && (
          <Text size="sm" c="dimmed" ta="center">
            {all.length ? 'No one matches.' : 'No people yet: they appear when a data source has been read.'}
          </Text>
        )}
      </Stack>
    </Modal>
  );
}

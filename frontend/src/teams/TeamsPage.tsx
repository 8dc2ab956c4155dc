// Teams: groups of people and repositories that the dashboards' team filter offers. A team's
// figures cover its people's work; a team without people covers its repositories.
import { Alert, Anchor, Button, Group, Modal, MultiSelect, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { usePeople, useRepos } from '../api/queries';
import { useCreateTeam, useDeleteTeam, useTeam, useTeamSummaries, useUpdateTeam, type TeamSummary } from '../api/teams';
import { IconPencil, IconTeams, IconTrash } from '../shell/icons';
import type { SearchRecord } from '../state/dashboard';

type Dialog = { kind: 'new' } | { kind: 'edit'; id: number } | { kind: 'delete'; team: TeamSummary };

export function TeamsPage() {
  const teams = useTeamSummaries();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);

  return (
    <Stack gap="md" maw={960}>
      <Paper withBorder radius="md" p="md" data-testid="teams">
        <Group justify="space-between" mb="sm">
          <div>
            <Title order={3} fz="lg">
              Teams
            </Title>
            <Text size="sm" c="dimmed">
              A team's figures count the work of its people; a team without people counts everything in its repositories.
            </Text>
          </div>
          <Button leftSection={<IconTeams size={16} />} onClick={() => setDialog({ kind: 'new' })} data-testid="team-new">
            New team
          </Button>
        </Group>
        {teams.error && (
          <Alert color="red" variant="light" title="Teams could not be loaded">
            {teams.error.message}
          </Alert>
        )}
        {teams.data?.length === 0 && (
          <Text size="sm" c="dimmed" py="md" data-testid="teams-empty">
            No teams yet. Create one from people and repositories; the dashboards' team filter will offer it.
          </Text>
        )}
        {!!teams.data?.length && (
          <Table verticalSpacing={8} highlightOnHover data-testid="teams-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th w={90} ta="right">
                  People
                </Table.Th>
                <Table.Th w={120} ta="right">
                  Repositories
                </Table.Th>
                <Table.Th w={260} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {teams.data.map((t) => (
                <Table.Tr key={t.id} data-testid={`team-row-${t.id}`}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {t.name}
                    </Text>
                    {t.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {t.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{t.members}</Table.Td>
                  <Table.Td ta="right">{t.repos}</Table.Td>
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Anchor
                        component="button"
                        type="button"
                        size="sm"
                        mr="xs"
                        onClick={() => void navigate({ to: '/organization', search: (prev: SearchRecord) => ({ ...prev, team: String(t.id) }) })}
                      >
                        Dashboard
                      </Anchor>
                      <Button
                        size="compact-sm"
                        variant="default"
                        leftSection={<IconPencil size={14} />}
                        onClick={() => setDialog({ kind: 'edit', id: t.id })}
                        aria-label={`Edit ${t.name}`}
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        leftSection={<IconTrash size={14} />}
                        onClick={() => setDialog({ kind: 'delete', team: t })}
                        aria-label={`Delete ${t.name}`}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Modal
        opened={dialog?.kind === 'new' || dialog?.kind === 'edit'}
        onClose={close}
        title={dialog?.kind === 'edit' ? 'Edit team' : 'New team'}
        size="lg"
        data-testid="team-dialog"
      >
        {dialog?.kind === 'new' && <TeamForm onDone={close} />}
        {dialog?.kind === 'edit' && <EditTeam id={dialog.id} onDone={close} />}
      </Modal>
      <Modal opened={dialog?.kind === 'delete'} onClose={close} title="Delete team" data-testid="team-delete-dialog">
        {dialog?.kind === 'delete' && <DeleteTeam team={dialog.team} onDone={close} />}
      </Modal>
    </Stack>
  );
}

function EditTeam({ id, onDone }: { id: number; onDone: () => void }) {
  const team = useTeam(id);
  if (team.error) {
    return (
      <Alert color="red" variant="light" title="The team could not be loaded">
        {team.error.message}
      </Alert>
    );
  }
  if (!team.data) return <Text size="sm">Loading…</Text>;
  return (
    <TeamForm
      id={id}
      initial={{ name: team.data.name, description: team.data.description, people: team.data.person_ids.map(String), repos: team.data.repo_ids.map(String) }}
      onDone={onDone}
    />
  );
}

interface FormValues {
  name: string;
  description: string;
  people: string[];
  repos: string[];
}

const EMPTY: FormValues = { name: '', description: '', people: [], repos: [] };

function TeamForm({ id, initial = EMPTY, onDone }: { id?: number; initial?: FormValues; onDone: () => void }) {
  const [v, setV] = useState(initial);
  const people = usePeople();
  const repos = useRepos();
  const create = useCreateTeam();
  const update = useUpdateTeam();
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const personOptions = (people.data ?? []).filter((p) => !p.is_bot || v.people.includes(String(p.id))).map((p) => ({
    value: String(p.id),
    label: p.name && p.email ? `${p.name} <${p.email}>` : p.name || p.email,
  }));
  const repoOptions = (repos.data ?? []).map((r) => ({ value: String(r.id), label: r.full_name }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNameError(null);
    setError(null);
    if (!v.name.trim()) {
      setNameError('Give the team a name.');
      return;
    }
    const body = { name: v.name.trim(), description: v.description.trim(), person_ids: v.people.map(Number), repo_ids: v.repos.map(Number) };
    try {
      if (id === undefined) await create.mutateAsync(body);
      else await update.mutateAsync({ id, ...body });
      onDone();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (err instanceof ApiError && err.status === 409) setNameError(msg);
      else setError(msg);
    }
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <TextInput
          label="Name"
          withAsterisk
          maxLength={80}
          value={v.name}
          onChange={(e) => setV({ ...v, name: e.currentTarget.value })}
          error={nameError}
          data-autofocus
          data-testid="team-name"
        />
        <Textarea
          label="Description"
          rows={2}
          maxLength={500}
          value={v.description}
          onChange={(e) => setV({ ...v, description: e.currentTarget.value })}
          data-testid="team-description"
        />
        <MultiSelect
          label="People"
          description="Their commits, pull requests and reviews count for the team, in any repository."
          placeholder={v.people.length ? undefined : 'Pick people'}
          searchable
          clearable
          hidePickedOptions
          maxDropdownHeight={240}
          nothingFoundMessage={people.isLoading ? 'Loading…' : 'No match'}
          data={personOptions}
          value={v.people}
          onChange={(people) => setV({ ...v, people })}
          comboboxProps={{ withinPortal: true }}
          data-testid="team-people"
        />
        <MultiSelect
          label="Repositories"
          description="With no people, the team covers all work in these repositories."
          placeholder={v.repos.length ? undefined : 'Pick repositories'}
          searchable
          clearable
          hidePickedOptions
          maxDropdownHeight={240}
          nothingFoundMessage={repos.isLoading ? 'Loading…' : 'No match'}
          data={repoOptions}
          value={v.repos}
          onChange={(repos) => setV({ ...v, repos })}
          comboboxProps={{ withinPortal: true }}
          data-testid="team-repos"
        />
        {error && (
          <Alert color="red" variant="light" data-testid="team-error">
            {error}
          </Alert>
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending} data-testid="team-submit">
            {id === undefined ? 'Create team' : 'Save changes'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteTeam({ team, onDone }: { team: TeamSummary; onDone: () => void }) {
  const del = useDeleteTeam();
  return (
    <Stack gap="md">
      <Text size="sm">
        Delete “{team.name}”? Its people and repositories stay; saved views and links that filter by this team will show
        an error for the team filter.
      </Text>
      {del.error && (
        <Text size="sm" c="red">
          {del.error.message}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button color="red" loading={del.isPending} onClick={() => del.mutate(team.id, { onSuccess: onDone })} data-testid="team-delete-confirm">
          Delete team
        </Button>
      </Group>
    </Stack>
  );
}

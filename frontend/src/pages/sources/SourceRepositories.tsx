// A hosted source's discovered repositories, each with an "included" switch, a filter box
// and how the switches combine with the source's include/exclude pattern keys (shown in the
// form above). Mounted through sections.tsx for github, gitlab, bitbucket and git.
import { Alert, Badge, Code, Group, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { type ExclusionReason, type SourceRepo, useSetRepoExcluded, useSourceRepos } from '../../api/sourceRepos';
import type { SourceSectionProps } from './sections';
import { formatRelative } from './time';

const REASON: Record<ExclusionReason, { label: string; color: string; help: (exclude: string) => string }> = {
  manual: { label: 'excluded here', color: 'gray', help: (k) => `Its name is in ${k}; turn the switch on to collect it again.` },
  pattern: {
    label: 'by pattern',
    color: 'orange',
    help: (k) => `A pattern keeps it out (an ${k} pattern matches it, or no include pattern does); edit the patterns above.`,
  },
  source: { label: 'by settings', color: 'violet', help: () => 'Another setting of the source (such as visibility or owners) keeps it out.' },
};

/** The tooltip of a repository excluded "by settings", in the source's own words when it gives them. */
function reasonHelp(reason: ExclusionReason, excludeKey: string, derivedBy?: string): string {
  if (reason === 'source' && derivedBy) return `Another setting of the source keeps it out: ${derivedBy}.`;
  return REASON[reason].help(excludeKey);
}

/** A version of the source's configuration and runs: the list refetches when either changes. */
function version(source: SourceSectionProps['source']): string {
  const cfg = source.config.values.map((v) => `${v.key}:${v.updated_at ?? 0}`).join(',');
  const runs = Object.values(source.last_runs ?? {})
    .map((r) => r.finished_at ?? r.started_at)
    .reduce((a, b) => Math.max(a, b), 0);
  return `${cfg}|${runs}`;
}

export function SourceRepositories({ source }: SourceSectionProps) {
  const repos = useSourceRepos(source.id, version(source));
  const toggle = useSetRepoExcluded(source.id);
  const [filter, setFilter] = useState('');
  const all = repos.data?.repositories;
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (all ?? []).filter((r) => q === '' || r.full_name.toLowerCase().includes(q));
  }, [all, filter]);
  const included = (all ?? []).filter((r) => !r.excluded).length;
  const keyLabel = (name: string) => source.keys.find((k) => k.name === name)?.label ?? name;

  return (
    <div data-testid="source-repositories">
      <Group justify="space-between" align="flex-end" mb={4}>
        <div>
          <Text size="sm" fw={600}>
            Repositories
          </Text>
          {all && all.length > 0 && (
            <Text size="xs" c="dimmed" data-testid="source-repositories-count">
              {included} of {all.length} collected
            </Text>
          )}
        </div>
        {all && all.length > 0 && (
          <TextInput
            size="xs"
            w={240}
            placeholder="Filter by name"
            aria-label="Filter repositories"
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value)}
          />
        )}
      </Group>
      {repos.data && (
        <Text size="xs" c="dimmed" mb="xs" data-testid="source-repositories-rule">
          {repos.data.include_key ? (
            <>
              Collected: repositories matching a pattern of <b>{keyLabel(repos.data.include_key)}</b> (
              {repos.data.include.length ? <Code>{repos.data.include.join(', ')}</Code> : 'empty: all'}) and none of{' '}
            </>
          ) : (
            <>Collected: every repository the configuration finds, except those matching a pattern of </>
          )}
          <b>{keyLabel(repos.data.exclude_key)}</b> (
          {repos.data.exclude.length ? <Code>{repos.data.exclude.join(', ')}</Code> : 'empty'}). Turning a repository off adds
          its name to <Code>{repos.data.exclude_key}</Code>: the next collection skips it and the dashboards leave out its
          history, which is kept; turning it back on brings it back.
        </Text>
      )}
      {repos.error && (
        <Alert color="red" variant="light" title="Could not load the repositories">
          {repos.error.message}
        </Alert>
      )}
      {toggle.error && (
        <Alert color="orange" variant="light" title="Not changed" mb="xs" data-testid="source-repositories-error">
          {toggle.error.message}
        </Alert>
      )}
      {repos.isPending && (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      )}
      {all && all.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="source-repositories-empty">
          No repositories discovered yet: save the configuration and Sync now; the repositories {source.name} finds are listed
          here.
        </Text>
      )}
      {all && all.length > 0 && (
        <Table verticalSpacing={4} fz="sm" data-testid="source-repositories-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={90}>Included</Table.Th>
              <Table.Th>Repository</Table.Th>
              <Table.Th>Last activity</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((r) => (
              <RepoRow
                key={r.id}
                repo={r}
                excludeKey={repos.data?.exclude_key ?? ""}
                derivedBy={repos.data?.derived_by}
                busy={toggle.isPending}
                onToggle={(excluded) => toggle.mutate({ repo: r.id, excluded })}
              />
            ))}
            {shown.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={3}>
                  <Text size="sm" c="dimmed">
                    No repository matches “{filter}”.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      )}
    </div>
  );
}

function RepoRow({
  repo,
  excludeKey,
  derivedBy,
  busy,
  onToggle,
}: {
  repo: SourceRepo;
  excludeKey: string;
  derivedBy?: string;
  busy: boolean;
  onToggle: (excluded: boolean) => void;
}) {
  const reason = repo.reason ? REASON[repo.reason] : undefined;
  return (
    <Table.Tr data-testid="source-repository" data-excluded={repo.excluded}>
      <Table.Td>
        <Switch
          size="sm"
          checked={!repo.excluded}
          disabled={busy}
          aria-label={`Collect ${repo.full_name}`}
          onChange={(e) => onToggle(!e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text ff="monospace" fz="sm" c={repo.excluded ? 'dimmed' : undefined}>
            {repo.full_name}
          </Text>
          {repo.private && (
            <Badge size="xs" variant="outline" color="gray">
              private
            </Badge>
          )}
          {repo.archived && (
            <Badge size="xs" variant="outline" color="gray">
              archived
            </Badge>
          )}
          {reason && (
            <Tooltip label={reasonHelp(repo.reason!, excludeKey, derivedBy)} multiline w={280} withArrow>
              <Badge size="xs" variant="light" color={reason.color}>
                {reason.label}
              </Badge>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
      <Table.Td fz="xs" c="dimmed">
        {repo.last_activity != null ? formatRelative(new Date(repo.last_activity * 1000)) : '—'}
      </Table.Td>
    </Table.Tr>
  );
}

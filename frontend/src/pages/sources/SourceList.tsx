// The registered sources by category, each with its state and last run.
import { Badge, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import type { Run, SourceCategory, SourceInfo } from '../../api/sources';
import { formatRelative } from './time';

export const CATEGORY_LABEL: Record<SourceCategory, string> = {
  vcs: 'Code',
  cicd: 'CI/CD',
  'project-management': 'Project management',
  'code-quality': 'Code quality',
  cloud: 'Cloud costs',
};
const CATEGORY_ORDER: SourceCategory[] = ['vcs', 'cicd', 'project-management', 'code-quality', 'cloud'];

export type SourceState = 'ready' | 'incomplete' | 'not-configured';

export function sourceState(s: SourceInfo): SourceState {
  if (s.config.complete) return 'ready';
  return s.config.configured ? 'incomplete' : 'not-configured';
}

export function StateBadge({ source }: { source: SourceInfo }) {
  const state = sourceState(source);
  const [color, label] =
    state === 'ready' ? ['teal', 'Configured'] : state === 'incomplete' ? ['orange', 'Incomplete'] : ['gray', 'Not configured'];
  return (
    <Badge variant="light" color={color} size="sm" radius="sm" data-testid={`state-${source.id}`}>
      {label}
    </Badge>
  );
}

/** The newest of a source's last runs (one per script). */
export function lastRun(s: SourceInfo): Run | undefined {
  return Object.values(s.last_runs).sort((a, b) => b.started_at - a.started_at)[0];
}

/** How the source's last collection went: failed when any script's last run failed. */
function lastRunText(s: SourceInfo): { text: string; failed: boolean } | null {
  const run = lastRun(s);
  if (!run) return null;
  const failed = Object.values(s.last_runs).some((r) => r.status === 'FAILED');
  const running = Object.values(s.last_runs).some((r) => r.status === 'RUNNING');
  const when = formatRelative(new Date(run.started_at * 1000));
  if (running) return { text: `Collecting (started ${when})`, failed: false };
  return { text: `${failed ? 'Failed' : 'Last run'} ${when}`, failed };
}

export function SourceList({ sources, selected, onSelect }: { sources: SourceInfo[]; selected: string; onSelect: (id: string) => void }) {
  const groups = CATEGORY_ORDER.map((c) => [c, sources.filter((s) => s.category === c)] as const).filter(([, l]) => l.length > 0);
  const other = sources.filter((s) => !CATEGORY_ORDER.includes(s.category));
  return (
    <Stack gap="md" data-testid="source-list">
      {[...groups, ...(other.length ? [['other', other] as const] : [])].map(([cat, list]) => (
        <div key={cat}>
          <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb={6} lts={0.4}>
            {CATEGORY_LABEL[cat as SourceCategory] ?? 'Other'}
          </Text>
          <Stack gap={4}>
            {list.map((s) => {
              const last = lastRunText(s);
              const active = s.id === selected;
              return (
                <UnstyledButton
                  key={s.id}
                  onClick={() => onSelect(s.id)}
                  className={`source-item${active ? ' active' : ''}`}
                  aria-pressed={active}
                  data-testid={`source-${s.id}`}
                >
                  <Text fw={600} size="sm" lh={1.3}>
                    {s.name}
                  </Text>
                  <Group gap={6} mt={4} wrap="nowrap">
                    <StateBadge source={s} />
                    <Text size="xs" c={last?.failed ? 'red' : 'dimmed'} truncate>
                      {last ? last.text : 'Never collected'}
                    </Text>
                  </Group>
                </UnstyledButton>
              );
            })}
          </Stack>
        </div>
      ))}
    </Stack>
  );
}

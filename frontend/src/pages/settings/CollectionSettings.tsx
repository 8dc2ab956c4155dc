// Collection settings: the schedule (cron, checked and previewed by the server before it is
// saved), the default history depth and the retention of collected data.
import { Alert, Button, Chip, Code, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState, type FormEvent } from 'react';
import { useCollectSettings, useCronPreview, useSaveCollectSettings, type CollectSettings } from '../../api/sources';
import { formatRelative } from '../sources/time';
import { format } from 'date-fns';

const PRESETS: [string, string][] = [
  ['Hourly', '0 * * * *'],
  ['Every 15 minutes', '*/15 * * * *'],
  ['Daily at 06:00', '0 6 * * *'],
  ['Weekdays at 09:00', '0 9 * * 1-5'],
];

interface Draft {
  cron: string;
  history_days: number | string;
  retention_days: number | string;
}

function draftOf(s: CollectSettings): Draft {
  return { cron: s.cron, history_days: s.history_days, retention_days: s.retention_days };
}

export function CollectionSettings() {
  const settings = useCollectSettings();
  const save = useSaveCollectSettings();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const s = settings.data;
  useEffect(() => {
    if (s) setDraft(draftOf(s));
  }, [s]);
  const [cron] = useDebouncedValue(draft?.cron.trim() ?? '', 300);
  const preview = useCronPreview(cron);

  if (settings.error) {
    return (
      <Paper withBorder radius="md" p="md">
        <Alert color="red" variant="light" title="Could not load the collection settings">
          {settings.error.message}
        </Alert>
      </Paper>
    );
  }
  if (!s || !draft) {
    return (
      <Paper withBorder radius="md" p="md">
        <Text c="dimmed">Loading…</Text>
      </Paper>
    );
  }

  const history = Number(draft.history_days);
  const retention = Number(draft.retention_days === '' ? 0 : draft.retention_days);
  const historyError = !Number.isInteger(history) || history < 1 || history > 36500 ? 'A number of days from 1 to 36500' : null;
  const retentionError =
    !Number.isInteger(retention) || retention < 0 || retention > 36500
      ? 'A number of days, 0 to keep everything'
      : retention > 0 && retention < history
        ? `Shorter than the history depth (${history} days): collections stop at ${retention} days back`
        : null;
  const retentionBlocking = !Number.isInteger(retention) || retention < 0 || retention > 36500;
  const previewed = cron === draft.cron.trim() ? preview : null;
  const cronError =
    draft.cron.trim() === '' ? 'Enter a schedule' : (previewed?.data?.error ?? previewed?.error?.message ?? null);
  const changed: Partial<CollectSettings> = {};
  if (draft.cron.trim() !== s.cron) changed.cron = draft.cron.trim();
  if (history !== s.history_days) changed.history_days = history;
  if (retention !== s.retention_days) changed.retention_days = retention;
  const dirty = Object.keys(changed).length > 0;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    try {
      const saved = await save.mutateAsync(changed);
      setDraft(draftOf(saved));
      setResult({ ok: true, text: 'Saved. The schedule applies at once; retention after the next collection.' });
    } catch (err) {
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <Paper withBorder radius="md" p="md" data-testid="settings-collection">
      <Title order={3} fz="lg" mb={4}>
        Collection
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {s.next_run ? (
          <>
            Next scheduled collection:{' '}
            <b data-testid="settings-next-run">
              {format(new Date(s.next_run), 'yyyy-MM-dd HH:mm')} ({formatRelative(new Date(s.next_run))})
            </b>
            , on <Code>{s.cron}</Code>.
          </>
        ) : (
          <>No scheduler runs in this process; the schedule applies to the desktop app and to `momentum serve`.</>
        )}
      </Text>
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md" maw={640}>
          <div>
            <TextInput
              label="Schedule"
              description="Cron: minute hour day-of-month month day-of-week (add a leading field for seconds). Times are this server's local time."
              value={draft.cron}
              onChange={(e) => setDraft({ ...draft, cron: e.currentTarget.value })}
              error={cronError}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              spellCheck={false}
              data-testid="settings-cron"
            />
            <Group gap={6} mt={6}>
              {PRESETS.map(([label, expr]) => (
                <Chip key={expr} size="xs" checked={draft.cron.trim() === expr} onChange={() => setDraft({ ...draft, cron: expr })}>
                  {label}
                </Chip>
              ))}
            </Group>
            {!cronError && previewed?.data && previewed.data.next_runs.length > 0 && (
              <Text size="xs" c="dimmed" mt={6} data-testid="settings-cron-preview">
                Runs next at {previewed.data.next_runs.map((t) => format(new Date(t), 'EEE yyyy-MM-dd HH:mm:ss')).join(', ')}
              </Text>
            )}
          </div>
          <NumberInput
            label="Default history depth (days)"
            description="How far back a source's first collection (and a full re-import) reaches. `momentum collect --since DATE` reaches further for one run."
            value={draft.history_days}
            onChange={(v) => setDraft({ ...draft, history_days: v })}
            min={1}
            max={36500}
            allowDecimal={false}
            error={historyError}
            styles={{ wrapper: { maxWidth: 180 } }}
            data-testid="settings-history"
          />
          <NumberInput
            label="Retention (days)"
            description="Collected data older than this is deleted after each collection: finished pull requests, tickets, pipeline runs, deployments, commits, costs. Open items, people and repositories stay, and incremental collection resumes where it was. 0 keeps everything."
            value={draft.retention_days}
            onChange={(v) => setDraft({ ...draft, retention_days: v })}
            min={0}
            max={36500}
            allowDecimal={false}
            error={retentionBlocking ? retentionError : undefined}
            styles={{ wrapper: { maxWidth: 180 } }}
            data-testid="settings-retention"
          />
          {!retentionBlocking && retentionError && (
            <Text size="xs" c="orange" mt={-8}>
              {retentionError}
            </Text>
          )}
          {result && (
            <Alert color={result.ok ? 'teal' : 'red'} variant="light" data-testid={result.ok ? 'settings-saved' : 'settings-error'}>
              {result.text}
            </Alert>
          )}
          <Group>
            <Button
              type="submit"
              disabled={!dirty || !!historyError || retentionBlocking || draft.cron.trim() === ''}
              loading={save.isPending}
              data-testid="settings-save"
            >
              Save
            </Button>
            {dirty && (
              <Button variant="subtle" onClick={() => setDraft(draftOf(s))}>
                Discard changes
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

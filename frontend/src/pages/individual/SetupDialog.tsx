// First run: who is "me", and, with nothing configured, a scan of the home folder for
// repositories; the chosen ones and the user's emails configure the local git source, a
// collection reads them, and the Individual view opens on the user's calendar.
import { Alert, Button, Checkbox, Divider, Group, Loader, Modal, NumberInput, Radio, ScrollArea, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { peopleApi, setUpGit, useMe, usePeopleList, useSetMe, type Discovery } from '../../api/people';

const DISMISSED_KEY = 'momentum.firstRun.dismissed';

/** Whether the user closed the first-run dialog before (then it does not open by itself). */
export function firstRunDismissed(): boolean {
  try {
    return globalThis.localStorage?.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

function dismiss() {
  try {
    globalThis.localStorage?.setItem(DISMISSED_KEY, '1');
  } catch {
    // Private mode: the dialog may ask again next time, which is harmless.
  }
}

/** Splits a comma- or space-separated list of emails, lower case, without duplicates. */
export function parseEmails(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter((e) => e.includes('@')))];
}

type Step = 'idle' | 'configure' | 'collect' | 'wait' | 'done';

const STEP_TEXT: Record<Step, string> = {
  idle: '',
  configure: 'Saving the configuration…',
  collect: 'Starting to read the repositories…',
  wait: 'Reading the history of the repositories…',
  done: 'Done.',
};

export function SetupDialog({ opened, onClose, onDone }: { opened: boolean; onClose: () => void; onDone: (personId: number | null) => void }) {
  const me = useMe();
  const people = usePeopleList();
  const setMe = useSetMe();
  const client = useQueryClient();
  const [choice, setChoice] = useState<string | null>(null);
  const [folder, setFolder] = useState('~');
  const [depth, setDepth] = useState<number>(3);
  const [scanning, setScanning] = useState(false);
  const [found, setFound] = useState<Discovery | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [emails, setEmails] = useState('');
  const [step, setStep] = useState<Step>('idle');
  const [error, setError] = useState<string | null>(null);
  const [scanUnavailable, setScanUnavailable] = useState(false);

  const state = me.data;
  const suggestions = state?.suggestions ?? [];
  useEffect(() => {
    if (!state) return;
    if (choice === null) setChoice(state.person ? String(state.person.id) : suggestions[0] ? String(suggestions[0].person.id) : null);
    if (emails === '' && state.emails.length) setEmails(state.emails.map((e) => e.email).join(', '));
    // Only when the answer first arrives.
  }, [state]);

  const close = () => {
    dismiss();
    onClose();
  };

  const scan = async () => {
    setError(null);
    setScanning(true);
    try {
      const d = await peopleApi.discover([folder.trim() || '~'], depth);
      setFound(d);
      setChosen(d.repositories.map((r) => r.path));
      const known = parseEmails(emails);
      setEmails([...new Set([...known, ...d.emails.map((e) => e.toLowerCase())])].join(', '));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
        setScanUnavailable(true);
        setError('This version cannot scan folders yet: the folder will be read as it is (repositories below it up to the depth).');
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setScanning(false);
    }
  };

  const read = async () => {
    setError(null);
    const paths = scanUnavailable ? [folder.trim()] : chosen;
    try {
      await setUpGit({ paths, emails: parseEmails(emails), depth }, setStep);
      setStep('done');
      await client.invalidateQueries();
      const after = await client.fetchQuery({ queryKey: ['people', 'me'], queryFn: ({ signal }) => peopleApi.me(signal) });
      let personId = after.person?.id ?? null;
      if (!personId && after.suggestions[0]) {
        personId = (await setMe.mutateAsync(after.suggestions[0].person.id)).id;
      }
      dismiss();
      onDone(personId);
    } catch (err) {
      setStep('idle');
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const working = step !== 'idle' && step !== 'done';
  const everyone = (people.data ?? []).filter((p) => !p.is_bot);
  const suggested = new Set(suggestions.map((s) => s.person.id));

  return (
    <Modal opened={opened} onClose={close} title="Welcome to Momentum" size="lg" closeOnClickOutside={!working}>
      <Stack gap="md" data-testid="setup-dialog">
        {everyone.length > 0 && (
          <Stack gap="xs">
            <Title order={4} fz="md">
              Which person are you?
            </Title>
            <Text size="sm" c="dimmed">
              The Individual view opens on you.{' '}
              {state?.person
                ? `You are ${state.person.name || state.person.email} now; choose another person if that is wrong.`
                : suggestions.length
                ? 'Suggested from your git email (git config user.email) and the emails configured for the git source.'
                : 'No person has your git email yet: choose yourself below, or read your repositories first.'}
            </Text>
            {suggestions.length > 0 && (
              <Radio.Group value={choice} onChange={setChoice}>
                <Stack gap={6}>
                  {suggestions.map((s) => (
                    <Radio
                      key={s.person.id}
                      value={String(s.person.id)}
                      label={`${s.person.name || s.person.email}${s.person.is_me ? ' (me now)' : ''}`}
                      description={s.emails.join(', ')}
                      data-testid={`suggestion-${s.person.id}`}
                    />
                  ))}
                </Stack>
              </Radio.Group>
            )}
            <Group align="flex-end" gap="xs">
              <Select
                label={suggestions.length ? 'Or someone else' : 'Person'}
                placeholder="Choose a person"
                searchable
                data={everyone.filter((p) => !suggested.has(p.id)).map((p) => ({ value: String(p.id), label: `${p.name || p.email}${p.email ? ` <${p.email}>` : ''}` }))}
                value={choice && !suggested.has(Number(choice)) ? choice : null}
                onChange={(v) => v && setChoice(v)}
                w={340}
                data-testid="me-select"
                comboboxProps={{ withinPortal: true }}
              />
              <Button
                disabled={!choice || setMe.isPending}
                loading={setMe.isPending}
                data-testid="confirm-me"
                onClick={() =>
                  setMe.mutate(Number(choice), {
                    onSuccess: (p) => {
                      dismiss();
                      onDone(p.id);
                    },
                  })
                }
              >
                This is me
              </Button>
            </Group>
            {setMe.error && (
              <Text size="sm" c="red">
                {setMe.error.message}
              </Text>
            )}
          </Stack>
        )}
        {state?.git_source && (
          <>
            {everyone.length > 0 && <Divider />}
            <Stack gap="xs">
              <Title order={4} fz="md">
                {state.configured ? 'Add your repositories' : 'Find your repositories'}
              </Title>
              <Text size="sm" c="dimmed">
                Momentum reads the git repositories on this computer: nothing leaves it, no account needed. Scan a folder (~ is your
                home folder) and choose what to read.
              </Text>
              <Group align="flex-end" gap="xs">
                <TextInput label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} w={340} data-testid="scan-folder" />
                <NumberInput label="Depth" value={depth} onChange={(v) => setDepth(typeof v === 'number' ? v : 3)} min={0} max={6} w={90} data-testid="scan-depth" />
                <Button variant="default" onClick={scan} loading={scanning} disabled={working} data-testid="scan">
                  Scan
                </Button>
              </Group>
              {found && (
                <>
                  <Text size="sm" data-testid="scan-result">
                    {found.repositories.length
                      ? `${found.repositories.length} ${found.repositories.length === 1 ? 'repository' : 'repositories'} found.`
                      : 'No repositories there: try another folder or a larger depth.'}
                    {found.truncated ? ' The scan stopped at its time limit: choose a smaller folder to find the rest.' : ''}
                  </Text>
                  {found.errors?.map((e) => (
                    <Text key={e} size="xs" c="orange">
                      {e}
                    </Text>
                  ))}
                  {found.repositories.length > 0 && (
                    <ScrollArea.Autosize mah={180} type="auto">
                      <Checkbox.Group value={chosen} onChange={setChosen}>
                        <Stack gap={4}>
                          {found.repositories.map((r) => (
                            <Checkbox key={r.path} value={r.path} label={r.name} description={r.path} size="xs" />
                          ))}
                        </Stack>
                      </Checkbox.Group>
                    </ScrollArea.Autosize>
                  )}
                </>
              )}
              <TextInput
                label="Your author emails"
                description="The emails you commit with: their person becomes you."
                value={emails}
                onChange={(e) => setEmails(e.currentTarget.value)}
                data-testid="setup-emails"
              />
              {error && (
                <Alert color={scanUnavailable ? 'yellow' : 'red'} variant="light" role="alert" data-testid="setup-error">
                  {error}
                </Alert>
              )}
              <Group justify="space-between">
                <Group gap="xs">
                  {working && <Loader size="xs" />}
                  <Text size="sm" c="dimmed" data-testid="setup-step">
                    {STEP_TEXT[step]}
                  </Text>
                </Group>
                <Button
                  onClick={read}
                  disabled={working || (scanUnavailable ? !folder.trim() : chosen.length === 0)}
                  loading={working}
                  data-testid="read-repositories"
                >
                  Read and show my calendar
                </Button>
              </Group>
            </Stack>
          </>
        )}
        {state && !state.git_source && everyone.length === 0 && (
          <Text size="sm">No people yet. Configure a data source on the Data sources page, or load demo data with momentum demo.</Text>
        )}
      </Stack>
    </Modal>
  );
}

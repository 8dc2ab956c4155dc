// One source: its configuration form (generated from its keys), connection test, save,
// sync now and full re-import.
import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import {
  MASK,
  useResetSource,
  useSaveSourceConfig,
  useStartCollection,
  useTestSource,
  type SourceInfo,
  type SourceKey,
} from '../../api/sources';
import { changes, checkValue, initialValues, serverErrors, testValues, validateForm, type FieldErrors, type FormValues } from './form';

interface Props {
  source: SourceInfo;
  /** Where secrets go on this server; "" when there is no keychain and no key. */
  secretStore: string;
  /** A collection is running (from the live events): sync buttons wait. */
  collecting: boolean;
}

type Notice = { color: 'teal' | 'red' | 'blue'; title: string; text: string; testid: string };

export function SourceForm({ source, secretStore, collecting }: Props) {
  const view = source.config;
  const saved = useMemo(() => initialValues(source.keys, view), [source.keys, view]);
  const [values, setValues] = useState<FormValues>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirmReset, setConfirmReset] = useState(false);
  const save = useSaveSourceConfig(source.id);
  const test = useTestSource(source.id);
  const reset = useResetSource(source.id);
  const sync = useStartCollection();

  // Another source picked, or the saved configuration changed: start from what is saved.
  // Compared by content: a refetch that changes nothing keeps what the user is typing.
  const savedKey = JSON.stringify(saved);
  useEffect(() => {
    setValues(JSON.parse(savedKey) as FormValues);
    setErrors({});
  }, [savedKey]);
  useEffect(() => setNotice(null), [source.id]);

  const pending = changes(source.keys, values, view);
  const dirty = Object.keys(pending.set).length > 0 || pending.unset.length > 0;
  const needsSecretStore = secretStore === '' && source.keys.some((k) => k.secret && pending.set[k.name] !== undefined);

  const setValue = (key: SourceKey, value: string) => {
    setValues((v) => ({ ...v, [key.name]: value }));
    // Re-check a field once it has shown an error, so the message goes as soon as it is fixed.
    if (errors[key.name]) setErrors((e) => withError(e, key.name, checkValue(key, value)));
  };

  const apiFailure = (err: unknown, title: string, testid: string) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof ApiError && err.status === 400) {
      const { fields, other } = serverErrors(source.keys, msg);
      setErrors(fields);
      if (other.length === 0) {
        setNotice({ color: 'red', title, text: 'Fix the fields marked in red.', testid });
        return;
      }
      setNotice({ color: 'red', title, text: other.join('\n'), testid });
      return;
    }
    setNotice({ color: 'red', title, text: msg, testid });
  };

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateForm(source.keys, values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setNotice(null);
      return;
    }
    try {
      await save.mutateAsync(pending);
      setNotice({ color: 'teal', title: 'Saved', text: savedText(pending), testid: 'source-saved' });
    } catch (err) {
      apiFailure(err, 'Not saved', 'source-save-error');
    }
  };

  const onTest = async () => {
    setNotice(null);
    try {
      const res = await test.mutateAsync(testValues(source.keys, values));
      if (res.ok) {
        const text = res.found ? `Found ${res.found}.` : `${source.name} answered with this configuration.`;
        setNotice({ color: 'teal', title: 'Connection works', text, testid: 'source-test-ok' });
      } else {
        setNotice({ color: 'red', title: 'Connection failed', text: res.error ?? 'The source did not answer.', testid: 'source-test-error' });
      }
    } catch (err) {
      apiFailure(err, 'Cannot test this configuration', 'source-test-error');
    }
  };

  const onSync = async () => {
    setNotice(null);
    try {
      await sync.mutateAsync({ sources: [source.id] });
      setNotice({ color: 'blue', title: 'Collection started', text: 'Progress shows in Runs below.', testid: 'source-sync-started' });
    } catch (err) {
      apiFailure(err, 'Cannot collect', 'source-sync-error');
    }
  };

  const onReset = async () => {
    setConfirmReset(false);
    try {
      await reset.mutateAsync();
      await sync.mutateAsync({ sources: [source.id] });
      setNotice({
        color: 'blue',
        title: 'Full re-import started',
        text: 'The resume points were cleared: this collection reaches back the full history depth.',
        testid: 'source-sync-started',
      });
    } catch (err) {
      apiFailure(err, 'Cannot re-import', 'source-sync-error');
    }
  };

  return (
    <form onSubmit={onSave} noValidate data-testid="source-form">
      <Stack gap="sm">
        {source.keys.map((k) => (
          <Field key={k.name} k={k} value={values[k.name] ?? ''} error={errors[k.name]} onChange={(v) => setValue(k, v)} />
        ))}
        {needsSecretStore && (
          <Alert color="orange" variant="light" title="No place for secrets on this host" data-testid="no-secret-store">
            There is no OS keychain here. Start Momentum with MOMENTUM_SECRET_KEY (or MOMENTUM_SECRET_KEY_FILE) set to
            a random key, e.g. the output of <code>openssl rand -base64 32</code>, to store secrets encrypted.
          </Alert>
        )}
        {notice && (
          <Alert color={notice.color} variant="light" title={notice.title} data-testid={notice.testid} style={{ whiteSpace: 'pre-line' }}>
            {notice.text}
          </Alert>
        )}
        <Group justify="space-between" mt={4}>
          <Group gap="xs">
            <Button type="submit" loading={save.isPending} disabled={!dirty} data-testid="source-save">
              Save
            </Button>
            <Button variant="default" onClick={onTest} loading={test.isPending} data-testid="source-test">
              Test connection
            </Button>
          </Group>
          <Group gap="xs">
            <Button
              variant="light"
              onClick={onSync}
              loading={sync.isPending && !reset.isPending}
              disabled={!view.complete || dirty || collecting}
              title={syncHint(view.complete, dirty, collecting)}
              data-testid="source-sync"
            >
              Sync now
            </Button>
            <Button
              variant="subtle"
              color="red"
              onClick={() => setConfirmReset(true)}
              disabled={!view.complete || dirty || collecting}
              title={syncHint(view.complete, dirty, collecting)}
              data-testid="source-reset"
            >
              Full re-import
            </Button>
          </Group>
        </Group>
      </Stack>
      <Modal opened={confirmReset} onClose={() => setConfirmReset(false)} title={`Re-import all of ${source.name}?`} centered>
        <Text size="sm" mb="md">
          Momentum forgets where each script of {source.name} stopped and collects its whole history again (back to the
          history depth set in Settings). Data already collected stays; it is updated in place. This can take a while
          and use much of the source's rate limit.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmReset(false)}>
            Cancel
          </Button>
          <Button color="red" onClick={onReset} loading={reset.isPending} data-testid="source-reset-confirm">
            Re-import
          </Button>
        </Group>
      </Modal>
    </form>
  );
}

function withError(errors: FieldErrors, key: string, msg: string | null): FieldErrors {
  const next = { ...errors };
  if (msg) next[key] = msg;
  else delete next[key];
  return next;
}

function savedText(p: { set: Record<string, string>; unset: string[] }): string {
  const n = Object.keys(p.set).length;
  const parts = [];
  if (n > 0) parts.push(`${n} value${n === 1 ? '' : 's'} saved`);
  if (p.unset.length > 0) parts.push(`${p.unset.length} removed`);
  return `${parts.join(', ')}. Secrets are kept in the keychain, never in the database.`;
}

function syncHint(complete: boolean, dirty: boolean, collecting: boolean): string | undefined {
  if (!complete) return 'Configure every required key first';
  if (dirty) return 'Save the changes first';
  if (collecting) return 'A collection is running';
  return undefined;
}

function Field({ k, value, error, onChange }: { k: SourceKey; value: string; error?: string; onChange: (v: string) => void }) {
  const common = {
    label: k.label,
    description: describe(k),
    required: k.required && !k.default,
    error,
    'data-testid': `field-${k.name}`,
  };
  if (k.kind === 'enum') {
    return (
      <Select
        {...common}
        data={k.options ?? []}
        value={value || null}
        onChange={(v) => onChange(v ?? '')}
        placeholder={k.default ? `Default: ${k.default}` : 'Choose…'}
        clearable={!k.required}
        allowDeselect={!k.required}
      />
    );
  }
  if (k.secret) {
    return (
      <PasswordInput
        {...common}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        // A saved secret shows as its mask; typing replaces it, clearing removes it.
        onFocus={(e) => value === MASK && e.currentTarget.select()}
        placeholder={value === MASK ? undefined : 'Not set'}
        autoComplete="off"
        visibilityToggleButtonProps={{ 'aria-label': 'Show or hide' }}
      />
    );
  }
  return (
    <TextInput
      {...common}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      placeholder={k.default ? `Default: ${k.default}` : placeholder(k)}
      inputMode={k.kind === 'number' ? 'numeric' : undefined}
      autoComplete="off"
      spellCheck={false}
    />
  );
}

function describe(k: SourceKey): string {
  const parts = [k.help.trim()];
  if (k.kind === 'list' && !/comma/i.test(k.help)) parts.push('Separate several with commas');
  if (k.secret) parts.push('Kept in the keychain, shown masked');
  return parts
    .filter(Boolean)
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`))
    .join(' ');
}

function placeholder(k: SourceKey): string | undefined {
  switch (k.kind) {
    case 'url':
      return 'https://…';
    case 'number':
      return '0';
    default:
      return undefined;
  }
}

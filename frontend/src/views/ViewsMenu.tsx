// Saved views in the top bar: save the current range and filters under a name, open, rename,
// delete and share them. A share link names the view by ID and carries its filters too, so it
// opens the view's latest version, or at least the same filters if the view was deleted.
import { ActionIcon, Badge, Button, CloseButton, Group, Modal, Popover, Stack, Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { useNavigate, useRouterState, useSearch } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCreateView, useDeleteView, useSavedViewLookup, useSavedViews, useUpdateView, type SavedView, type ViewPage } from '../api/views';
import { IconBookmark, IconLink, IconPencil, IconTrash } from '../shell/icons';
import { parseSearchString, type SearchRecord } from '../state/dashboard';
import { activeView, isViewPage, shareLink, VIEW_PARAM, viewParam, viewQuery } from './viewUrl';

type Dialog =
  | { kind: 'save' }
  | { kind: 'rename'; view: SavedView }
  | { kind: 'delete'; view: SavedView }
  | { kind: 'share'; view: SavedView; saved?: boolean };

const PAGE_LABEL: Record<ViewPage, string> = { organization: 'Organization', individual: 'Individual' };

export function ViewsMenu() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const page = pathname.replace(/^\/+/, '').split('/')[0] ?? '';
  const search = useSearch({ strict: false }) as SearchRecord;
  const navigate = useNavigate();
  const views = useSavedViews();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  // The view last opened or saved, to name it among views with the same filters.
  const [chosen, setChosen] = useState<number | null>(null);
  const [missing, dismissMissing] = useOpenViewFromLink(search, setChosen);

  if (!isViewPage(page)) return null;
  const active = activeView(views.data, page, search, chosen);
  const openView = (v: SavedView) => {
    setOpen(false);
    setChosen(v.id);
    void navigate({ to: `/${v.page}`, search: parseSearchString(v.query) });
  };
  const act = (d: Dialog) => {
    setOpen(false);
    setDialog(d);
  };

  return (
    <Group gap={6} wrap="nowrap">
      {missing && (
        <Group gap={2} wrap="nowrap" data-testid="view-missing">
          <Text size="xs" c="orange.7">
            {missing}
          </Text>
          <CloseButton size="xs" aria-label="Dismiss" onClick={dismissMissing} />
        </Group>
      )}
      <Popover opened={open} onChange={setOpen} position="bottom-end" width={360} shadow="md" withinPortal>
        <Popover.Target>
          <Button
            size="xs"
            variant={active ? 'light' : 'default'}
            leftSection={<IconBookmark size={14} />}
            onClick={() => setOpen((o) => !o)}
            data-testid="views-button"
            maw={240}
          >
            <Text size="xs" fw={500} truncate>
              {active ? active.name : 'Saved views'}
            </Text>
          </Button>
        </Popover.Target>
        <Popover.Dropdown p="xs" data-testid="views-menu">
          <Group justify="space-between" mb={6} px={4}>
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              Saved views
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => act({ kind: 'save' })} data-testid="view-save">
              Save current view…
            </Button>
          </Group>
          {views.error && (
            <Text size="xs" c="red" px={4}>
              {views.error.message}
            </Text>
          )}
          {views.data?.length === 0 && (
            <Text size="xs" c="dimmed" px={4} py={6}>
              No saved views yet. Set the range and filters, then save them here under a name to come back to them or
              share a link.
            </Text>
          )}
          <Stack gap={0}>
            {views.data?.map((v) => (
              <Group key={v.id} gap={4} wrap="nowrap" className="view-row" data-testid={`view-${v.id}`}>
                <UnstyledButton onClick={() => openView(v)} style={{ flex: 1, minWidth: 0 }} px={6} py={5} data-testid="view-open">
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={v.id === active?.id ? 600 : 400} truncate>
                      {v.name}
                    </Text>
                    {v.page !== page && (
                      <Badge size="xs" variant="light" color="gray">
                        {PAGE_LABEL[v.page]}
                      </Badge>
                    )}
                  </Group>
                </UnstyledButton>
                <Tooltip label="Share link" openDelay={400}>
                  <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Share ${v.name}`} onClick={() => act({ kind: 'share', view: v })}>
                    <IconLink size={15} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Rename" openDelay={400}>
                  <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Rename ${v.name}`} onClick={() => act({ kind: 'rename', view: v })}>
                    <IconPencil size={15} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Delete" openDelay={400}>
                  <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete ${v.name}`} onClick={() => act({ kind: 'delete', view: v })}>
                    <IconTrash size={15} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            ))}
          </Stack>
        </Popover.Dropdown>
      </Popover>
      <ViewDialogs dialog={dialog} setDialog={setDialog} page={page} search={search} onSaved={setChosen} />
    </Group>
  );
}

/**
 * Opens the view a link names (?view=ID): the view's stored filters replace the URL's, and the
 * pointer goes, so later changes and reloads are plain URL state. When the view is gone, the
 * link's own filters stay and the returned message says so until dismissed.
 */
function useOpenViewFromLink(search: SearchRecord, onOpened: (id: number) => void): [string | null, () => void] {
  const navigate = useNavigate();
  const id = viewParam(search);
  const lookup = useSavedViewLookup(id);
  const [missing, setMissing] = useState<string | null>(null);
  useEffect(() => {
    if (search[VIEW_PARAM] !== undefined && id === null) {
      void navigate({ to: '.', search: withoutView, replace: true });
      return;
    }
    if (id === null || lookup.data === undefined) {
      if (id !== null && lookup.error) setMissing(`Saved view #${id} could not be opened (${lookup.error.message}).`);
      return;
    }
    if (lookup.data) {
      setMissing(null);
      onOpened(id);
      void navigate({ to: `/${lookup.data.page}`, search: parseSearchString(lookup.data.query), replace: true });
    } else {
      setMissing(`Saved view #${id} no longer exists: showing the filters in the link.`);
      void navigate({ to: '.', search: withoutView, replace: true });
    }
  }, [id, search, lookup.data, lookup.error, navigate, onOpened]);
  return [missing, () => setMissing(null)];
}

function withoutView(prev: SearchRecord): SearchRecord {
  const rest = { ...prev };
  delete rest[VIEW_PARAM];
  return rest;
}

function ViewDialogs({
  dialog,
  setDialog,
  page,
  search,
  onSaved,
}: {
  dialog: Dialog | null;
  setDialog: (d: Dialog | null) => void;
  page: ViewPage;
  search: SearchRecord;
  onSaved: (id: number) => void;
}) {
  const close = () => setDialog(null);
  const title =
    dialog?.kind === 'save'
      ? 'Save the current view'
      : dialog?.kind === 'rename'
        ? 'Rename saved view'
        : dialog?.kind === 'delete'
          ? 'Delete saved view'
          : dialog?.kind === 'share'
            ? dialog.saved
              ? `Saved “${dialog.view.name}”`
              : `Share “${dialog.view.name}”`
            : '';
  return (
    <Modal opened={dialog !== null} onClose={close} title={title} size={dialog?.kind === 'share' ? 'xl' : 'md'} data-testid="view-dialog">
      {dialog?.kind === 'save' && (
        <NameForm
          label="Name"
          submitLabel="Save view"
          initial=""
          description={`Saves the ${page === 'organization' ? 'Organization' : 'Individual'} page's date range, comparison, grouping and filters.`}
          onSubmit={(create, name) => create({ kind: 'create', name, page, query: viewQuery(search) })}
          onDone={(v) => {
            onSaved(v.id);
            setDialog({ kind: 'share', view: v, saved: true });
          }}
        />
      )}
      {dialog?.kind === 'rename' && (
        <NameForm
          label="New name"
          submitLabel="Rename"
          initial={dialog.view.name}
          onSubmit={(mutate, name) => mutate({ kind: 'rename', id: dialog.view.id, name })}
          onDone={close}
        />
      )}
      {dialog?.kind === 'delete' && <DeleteView view={dialog.view} onDone={close} />}
      {dialog?.kind === 'share' && <ShareView view={dialog.view} />}
    </Modal>
  );
}

type NameChange = { kind: 'create'; name: string; page: ViewPage; query: string } | { kind: 'rename'; id: number; name: string };

function NameForm({
  label,
  submitLabel,
  initial,
  description,
  onSubmit,
  onDone,
}: {
  label: string;
  submitLabel: string;
  initial: string;
  description?: string;
  onSubmit: (mutate: (c: NameChange) => Promise<SavedView>, name: string) => Promise<SavedView>;
  onDone: (v: SavedView) => void;
}) {
  const [name, setName] = useState(initial);
  const create = useCreateView();
  const update = useUpdateView();
  const [error, setError] = useState<string | null>(null);
  const busy = create.isPending || update.isPending;
  const mutate = (c: NameChange) =>
    c.kind === 'create' ? create.mutateAsync({ name: c.name, page: c.page, query: c.query }) : update.mutateAsync({ id: c.id, name: c.name });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the view a name.');
      return;
    }
    try {
      setError(null);
      onDone(await onSubmit(mutate, name.trim()));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form onSubmit={submit}>
      <TextInput
        label={label}
        description={description}
        placeholder="e.g. Platform team, last quarter"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={error}
        maxLength={80}
        data-autofocus
        data-testid="view-name"
      />
      <Group justify="flex-end" mt="md">
        <Button type="submit" loading={busy} data-testid="view-submit">
          {submitLabel}
        </Button>
      </Group>
    </form>
  );
}

function DeleteView({ view, onDone }: { view: SavedView; onDone: () => void }) {
  const del = useDeleteView();
  return (
    <Stack gap="md">
      <Text size="sm">
        Delete “{view.name}”? Links to it will still open, with the filters they carry, but not the view.
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
        <Button color="red" loading={del.isPending} onClick={() => del.mutate(view.id, { onSuccess: onDone })} data-testid="view-delete-confirm">
          Delete
        </Button>
      </Group>
    </Stack>
  );
}

function ShareView({ view }: { view: SavedView }) {
  const link = shareLink(view, window.location);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('yes');
    } catch {
      // No clipboard outside secure contexts (e.g. serve over plain HTTP on a LAN address).
      input.current?.select();
      setCopied('failed');
    }
  };
  return (
    <Stack gap="sm">
      <Text size="sm">Anyone who can reach this Momentum server opens the same view with this link.</Text>
      <Group gap="xs" wrap="nowrap" align="flex-end">
        <TextInput
          ref={input}
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
          style={{ flex: 1 }}
          aria-label="Share link"
          data-testid="view-link"
        />
        <Button variant="light" onClick={copy} data-testid="view-copy" leftSection={<IconLink size={14} />}>
          {copied === 'yes' ? 'Copied' : 'Copy link'}
        </Button>
      </Group>
      {copied === 'failed' && (
        <Text size="xs" c="dimmed">
          The browser does not allow copying here: the link is selected, press Ctrl+C (⌘C on a Mac).
        </Text>
      )}
    </Stack>
  );
}

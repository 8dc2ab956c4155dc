// Live dashboards: when a collection finishes, every query is marked stale so the open page
// refetches its metrics (and the filter lists) by itself, and a small notice says so. While
// the live stream is down for more than a few seconds, a discreet note says it reconnects.
import { CloseButton, Group, Paper, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { watchCollections, type OpenEventSource, type StreamState } from './collectionEvents';
import { StreamStatus } from './StreamStatus';

/** How long the "updated" notice stays. */
export const NOTICE_MS = 8_000;
/** A break shorter than this (a quick server restart) goes unmentioned. */
export const OFFLINE_NOTE_AFTER_MS = 5_000;

export function LiveRefresh({ open }: { open?: OpenEventSource }) {
  const qc = useQueryClient();
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [stream, setStream] = useState<StreamState>({ status: 'connecting', failures: 0 });
  const [offline, setOffline] = useState(false);

  useEffect(
    () =>
      watchCollections({
        open,
        onDone: () => {
          void qc.invalidateQueries();
          setUpdatedAt(new Date());
        },
        // Collections may have finished while the server was away: refresh quietly.
        onReconnected: () => void qc.invalidateQueries(),
        onState: setStream,
      }),
    [qc, open],
  );

  useEffect(() => {
    if (!updatedAt) return;
    const t = setTimeout(() => setUpdatedAt(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [updatedAt]);

  const reconnecting = stream.status === 'reconnecting';
  useEffect(() => {
    if (!reconnecting) {
      setOffline(false);
      return;
    }
    const t = setTimeout(() => setOffline(true), OFFLINE_NOTE_AFTER_MS);
    return () => clearTimeout(t);
  }, [reconnecting]);

  if (offline && reconnecting) {
    return (
      <Paper
        shadow="xs"
        style={{ position: 'fixed', right: 16, bottom: 42, zIndex: 300 }}
        withBorder
        radius="md"
        px="sm"
        py={4}
        data-testid="live-offline"
      >
        <StreamStatus state={stream} />
      </Paper>
    );
  }
  if (!updatedAt) return null;
  return (
    <Paper
      shadow="md"
      // Above the status bar, out of the way of the charts' toolbars.
      style={{ position: 'fixed', right: 16, bottom: 42, zIndex: 300 }}
      withBorder
      radius="md"
      px="md"
      py={8}
      role="status"
      data-testid="live-notice"
    >
      <Group gap="sm" wrap="nowrap">
        <span className="status-dot ok" aria-hidden="true" />
        <Text size="sm">
          New data collected at {updatedAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}: dashboards updated
        </Text>
        <CloseButton size="sm" aria-label="Dismiss" onClick={() => setUpdatedAt(null)} />
      </Group>
    </Paper>
  );
}

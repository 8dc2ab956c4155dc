// How the live events stream stands, in a few discreet words: a dot and "Live",
// "Connecting…" or "Reconnecting in 8 s…", with the details in a tooltip.
import { Group, Text, Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { StreamState } from '../api/eventStream';

/** The words for a stream state at `now` (ms since the epoch). */
export function describeStream(s: StreamState, now: number): { label: string; detail: string } {
  if (s.status === 'live') return { label: 'Live', detail: 'Progress and new data show as they come.' };
  const wait = s.retryAt !== undefined ? Math.max(0, Math.ceil((s.retryAt - now) / 1000)) : undefined;
  const when = wait ? ` in ${wait} s` : '';
  const tries = s.failures > 1 ? ` (${s.failures} attempts failed)` : '';
  if (s.status === 'connecting') {
    return { label: `Connecting${when}…`, detail: `Waiting for the server's live events${tries}.` };
  }
  return {
    label: `Reconnecting${when}…`,
    detail: `The connection to the server dropped${tries}; live progress resumes, and pages refresh, once it is back.`,
  };
}

/** Re-renders every second while a retry time is shown. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function StreamStatus({ state, testId }: { state: StreamState; testId?: string }) {
  // useNow re-renders every second; the time itself is read now, not at the last tick.
  useNow(state.retryAt !== undefined && state.status !== 'live');
  const { label, detail } = describeStream(state, Date.now());
  const dot = state.status === 'live' ? 'ok' : state.status === 'reconnecting' ? 'warn' : 'idle';
  return (
    <Tooltip label={detail} multiline w={260} withArrow>
      <Group gap={6} wrap="nowrap" data-status={state.status}>
        <span className={`status-dot ${dot}`} aria-hidden="true" />
        <Text size="xs" c="dimmed" data-testid={testId} aria-live="polite">
          {label}
        </Text>
      </Group>
    </Tooltip>
  );
}

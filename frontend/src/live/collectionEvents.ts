// One subscription to the server's collection events (Server-Sent Events at
// /api/v1/collect/events), reopened after a server restart or a dropped connection (see
// api/eventStream), so dashboards keep following collections.
import { API_BASE } from '../api/client';
import { openEventStream, type OpenEventSource, type StreamState } from '../api/eventStream';

export { browserEventSource, type EventSourceLike, type OpenEventSource, type StreamState } from '../api/eventStream';

/** The end of a collection as the server reports it (event "done"). */
export interface CollectionDone {
  type: 'done';
  collection: string;
  total?: number;
  at: string;
}

export interface WatchOptions {
  url?: string;
  open?: OpenEventSource;
  /** A collection finished. */
  onDone: (ev: CollectionDone) => void;
  /** The stream is back after a break: collections may have ended unseen. */
  onReconnected?: () => void;
  onState?: (state: StreamState) => void;
  /** Reopen delays: the first, doubled after each failure up to the max (ms). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  heartbeatMs?: number;
}

export const COLLECT_EVENTS_URL = `${API_BASE}/collect/events`;

/** Subscribes; returns the function that ends the subscription. */
export function watchCollections({ url = COLLECT_EVENTS_URL, onDone, ...rest }: WatchOptions): () => void {
  return openEventStream({
    url,
    ...rest,
    events: {
      done: (raw) => {
        let data: CollectionDone;
        try {
          data = JSON.parse(raw) as CollectionDone;
        } catch {
          data = { type: 'done', collection: '', at: new Date().toISOString() };
        }
        onDone(data);
      },
    },
  });
}

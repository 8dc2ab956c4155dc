// The dashboards' subscription to the server's collection events (Server-Sent Events at
// /api/v1/collect/events, one stream shared with the Data sources page), reopened after a
// server restart or a dropped connection (see api/eventStream), so dashboards keep following
// collections.
import { shareEventStream, type OpenEventSource, type StreamState } from '../api/eventStream';
import { COLLECT_EVENTS_URL, COLLECT_EVENT_TYPES } from '../api/sources';

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

export { COLLECT_EVENTS_URL };

/** Subscribes; returns the function that ends the subscription. */
export function watchCollections({ url = COLLECT_EVENTS_URL, onDone, ...rest }: WatchOptions): () => void {
  return shareEventStream({
    url,
    types: COLLECT_EVENT_TYPES,
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

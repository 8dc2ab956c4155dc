// One subscription to the server's collection events (Server-Sent Events at
// /api/v1/collect/events). The browser's EventSource reconnects by itself after a dropped
// connection; when it gives up (the server answered with an error while restarting, or was
// down when the page loaded) we open a new one with backoff, so dashboards keep following
// collections across server restarts.
import { API_BASE } from '../api/client';

/** What we use of EventSource, so tests can hand in a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type OpenEventSource = (url: string) => EventSourceLike;

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
  /** Delays before successive reopen attempts, in ms; the last one repeats. */
  backoff?: readonly number[];
}

const CLOSED = 2; // EventSource.CLOSED

export const COLLECT_EVENTS_URL = `${API_BASE}/collect/events`;

export function browserEventSource(): OpenEventSource | null {
  return typeof EventSource === 'function' ? (url) => new EventSource(url) : null;
}

/** Subscribes; returns the function that ends the subscription. */
export function watchCollections({
  url = COLLECT_EVENTS_URL,
  open,
  onDone,
  onReconnected,
  backoff = [1_000, 2_000, 5_000, 10_000, 30_000],
}: WatchOptions): () => void {
  const opener = open ?? browserEventSource();
  if (!opener) return () => {};
  let es: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let broken = false; // an error happened since the last "ready"
  let attempt = 0;

  const connect = () => {
    if (stopped) return;
    const source = opener(url);
    es = source;
    source.addEventListener('ready', () => {
      attempt = 0;
      if (broken) {
        broken = false;
        onReconnected?.();
      }
    });
    source.addEventListener('done', (ev) => {
      let data: CollectionDone;
      try {
        data = JSON.parse(ev.data as string) as CollectionDone;
      } catch {
        data = { type: 'done', collection: '', at: new Date().toISOString() };
      }
      onDone(data);
    });
    source.onerror = () => {
      broken = true;
      if (source.readyState !== CLOSED || stopped) return; // the browser retries by itself
      source.close();
      const delay = backoff[Math.min(attempt, backoff.length - 1)] ?? 30_000;
      attempt++;
      timer = setTimeout(connect, delay);
    };
  };
  connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    es?.close();
  };
}

// A Server-Sent Events subscription that survives a server restart or a dropped connection.
//
// The browser's EventSource reconnects by itself after a stream ends or a network error (the
// server asks for `retry: 3000`), but it gives up for good (readyState CLOSED) when the server
// answers with an error status or a non-event-stream body, as a restarting server may; and it
// never notices a connection that died silently (a laptop waking up, a proxy dropping an idle
// socket). So: when it gives up, we open a new one after a capped exponential backoff; and the
// server sends a `ping` event every 20 s, so a stream silent for longer than `heartbeatMs` is
// taken for dead and reopened the same way.

/** What we use of EventSource, so tests can hand in a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type OpenEventSource = (url: string) => EventSourceLike;

export function browserEventSource(): OpenEventSource | null {
  return typeof EventSource === 'function' ? (url) => new EventSource(url) : null;
}

/**
 * Where the stream stands: `connecting` before the first `ready`; `live`; `reconnecting`
 * after a break, with `retryAt` (ms since the epoch) when we wait before reopening ourselves
 * (absent while the browser retries on its own), and how many attempts failed in a row.
 */
export interface StreamState {
  status: 'connecting' | 'live' | 'reconnecting';
  retryAt?: number;
  failures: number;
}

export interface StreamOptions {
  url: string;
  open?: OpenEventSource;
  /** Handlers by event type; each receives the event's data. */
  events: Record<string, (data: string) => void>;
  onState?: (state: StreamState) => void;
  /** The stream is back after a break: events may have been missed. */
  onReconnected?: () => void;
  /** First delay before reopening, doubled after each failure up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** A live stream with no event for this long is taken for dead. */
  heartbeatMs?: number;
}

const CLOSED = 2; // EventSource.CLOSED

/** The delay before reopening after `failures` failures in a row: capped exponential. */
export function backoffDelay(failures: number, firstDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(failures, 30));
}

/** Subscribes; returns the function that ends the subscription. */
export function openEventStream({
  url,
  open,
  events,
  onState,
  onReconnected,
  firstDelayMs = 1_000,
  maxDelayMs = 30_000,
  heartbeatMs = 50_000,
}: StreamOptions): () => void {
  const found = open ?? browserEventSource();
  if (!found) return () => {};
  const opener: OpenEventSource = found;
  let es: EventSourceLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let everLive = false;
  let broken = false; // a break since the last "ready"
  let failures = 0;
  let state: StreamState = { status: 'connecting', failures: 0 };

  const setState = (next: StreamState) => {
    if (next.status === state.status && next.retryAt === state.retryAt && next.failures === state.failures) return;
    state = next;
    onState?.(state);
  };

  // Closes the current stream and opens another after the backoff.
  const reopenLater = () => {
    clearTimeout(watchdog);
    es?.close();
    es = null;
    const delay = backoffDelay(failures, firstDelayMs, maxDelayMs);
    failures++;
    setState({ status: everLive ? 'reconnecting' : 'connecting', retryAt: Date.now() + delay, failures });
    retryTimer = setTimeout(connect, delay);
  };

  const alive = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (stopped) return;
      broken = true;
      reopenLater();
    }, heartbeatMs);
  };

  function connect() {
    if (stopped) return;
    const source = opener(url);
    es = source;
    source.addEventListener('ready', () => {
      if (es !== source) return;
      failures = 0;
      alive();
      setState({ status: 'live', failures: 0 });
      if (broken && everLive) onReconnected?.();
      broken = false;
      everLive = true;
    });
    source.addEventListener('ping', () => {
      if (es === source) alive();
    });
    for (const [type, handler] of Object.entries(events)) {
      source.addEventListener(type, (ev) => {
        if (es !== source) return;
        alive();
        handler(ev.data as string);
      });
    }
    source.onerror = () => {
      if (stopped || es !== source) return;
      broken = true;
      clearTimeout(watchdog);
      if (source.readyState === CLOSED) {
        reopenLater(); // the browser gave up
        return;
      }
      // The browser retries by itself (the server's retry: delay).
      setState({ status: everLive ? 'reconnecting' : 'connecting', failures: state.failures });
    };
  }
  connect();

  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(watchdog);
    es?.close();
  };
}

interface Subscriber {
  events: Record<string, (data: string) => void>;
  onState?: (state: StreamState) => void;
  onReconnected?: () => void;
}

interface Hub {
  subs: Set<Subscriber>;
  state: StreamState;
  stop: () => void;
}

// Open shared streams, by opener (tests hand in their own) and URL.
const hubs = new Map<OpenEventSource | undefined, Map<string, Hub>>();

/**
 * Like openEventStream, but every subscriber to one URL in the page shares one stream: a
 * browser allows about six connections per host over HTTP/1.1, and an open stream holds one
 * for good (the shell and the Data sources page both follow collections). The stream listens
 * to `types`; a subscriber's handlers are called for those. A subscriber learns the current
 * state at once; the stream closes with its last subscriber.
 */
export function shareEventStream(opts: StreamOptions & { types: readonly string[] }): () => void {
  const byUrl = hubs.get(opts.open) ?? new Map<string, Hub>();
  hubs.set(opts.open, byUrl);
  let hub = byUrl.get(opts.url);
  if (!hub) {
    const h: Hub = { subs: new Set(), state: { status: 'connecting', failures: 0 }, stop: () => {} };
    const events: Record<string, (data: string) => void> = {};
    for (const type of opts.types) {
      events[type] = (data) => {
        for (const s of [...h.subs]) s.events[type]?.(data);
      };
    }
    h.stop = openEventStream({
      ...opts,
      events,
      onState: (state) => {
        h.state = state;
        for (const s of [...h.subs]) s.onState?.(state);
      },
      onReconnected: () => {
        for (const s of [...h.subs]) s.onReconnected?.();
      },
    });
    byUrl.set(opts.url, h);
    hub = h;
  }
  const shared = hub;
  const sub: Subscriber = { events: opts.events, onState: opts.onState, onReconnected: opts.onReconnected };
  shared.subs.add(sub);
  sub.onState?.(shared.state);
  return () => {
    if (!shared.subs.delete(sub) || shared.subs.size > 0) return;
    shared.stop();
    if (byUrl.get(opts.url) === shared) byUrl.delete(opts.url);
  };
}

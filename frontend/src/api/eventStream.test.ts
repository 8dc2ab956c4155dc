import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource } from '../live/fakeEventSource';
import { backoffDelay, openEventStream, shareEventStream, type StreamState } from './eventStream';

const open = (url: string) => new FakeEventSource(url);

beforeEach(() => {
  FakeEventSource.all = [];
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-23T12:00:00Z'));
});
afterEach(() => vi.useRealTimers());

function subscribe(extra: Partial<Parameters<typeof openEventStream>[0]> = {}) {
  const states: StreamState[] = [];
  const got: string[] = [];
  const onReconnected = vi.fn();
  const stop = openEventStream({
    url: '/api/v1/collect/events',
    open,
    events: { progress: (d) => got.push(d) },
    onState: (s) => states.push(s),
    onReconnected,
    firstDelayMs: 1_000,
    maxDelayMs: 8_000,
    heartbeatMs: 50_000,
    ...extra,
  });
  return { states, got, onReconnected, stop, status: () => states.at(-1)?.status ?? 'connecting' };
}

describe('backoffDelay', () => {
  it('doubles from the first delay and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, 1_000, 30_000))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });
});

describe('openEventStream', () => {
  it('reports connecting, then live, and hands each event its data', () => {
    const s = subscribe();
    expect(s.status()).toBe('connecting');
    FakeEventSource.latest().emit('ready');
    expect(s.status()).toBe('live');
    FakeEventSource.latest().emit('progress', { items: 3 });
    expect(s.got).toEqual(['{"items":3}']);
    s.stop();
    expect(FakeEventSource.latest().closed).toBe(true);
  });

  it('waits for the browser while it retries by itself, saying it reconnects', () => {
    const s = subscribe();
    FakeEventSource.latest().emit('ready');
    FakeEventSource.latest().fail(false); // stream ended; the browser retries after retry:
    expect(s.status()).toBe('reconnecting');
    expect(s.states.at(-1)!.retryAt).toBeUndefined();
    vi.advanceTimersByTime(120_000);
    expect(FakeEventSource.all).toHaveLength(1); // no second stream of ours
    FakeEventSource.latest().emit('ready');
    expect(s.status()).toBe('live');
    expect(s.onReconnected).toHaveBeenCalledTimes(1);
  });

  it('reopens with capped exponential backoff when the browser gives up (a 5xx), and starts over once live', () => {
    const s = subscribe();
    FakeEventSource.latest().emit('ready');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const n = FakeEventSource.all.length;
      FakeEventSource.latest().fail(true); // 503 from a restarting server
      const st = s.states.at(-1)!;
      expect(st.status).toBe('reconnecting');
      expect(st.failures).toBe(i + 1);
      const delay = st.retryAt! - Date.now();
      delays.push(delay);
      vi.advanceTimersByTime(delay - 1);
      expect(FakeEventSource.all).toHaveLength(n);
      vi.advanceTimersByTime(1);
      expect(FakeEventSource.all).toHaveLength(n + 1);
      expect(FakeEventSource.all[n - 1]!.closed).toBe(true);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(s.onReconnected).not.toHaveBeenCalled();

    FakeEventSource.latest().emit('ready');
    expect(s.status()).toBe('live');
    expect(s.onReconnected).toHaveBeenCalledTimes(1);
    FakeEventSource.latest().fail(true);
    expect(s.states.at(-1)!.retryAt! - Date.now()).toBe(1_000);
  });

  it('takes a silent stream for dead and reopens it; pings keep it alive', () => {
    const s = subscribe();
    FakeEventSource.latest().emit('ready');
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(20_000);
      FakeEventSource.latest().emit('ping');
    }
    expect(FakeEventSource.all).toHaveLength(1);
    expect(s.status()).toBe('live');

    vi.advanceTimersByTime(50_000); // nothing at all: the connection died unnoticed
    expect(FakeEventSource.all[0]!.closed).toBe(true);
    expect(s.status()).toBe('reconnecting');
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.latest().emit('ready');
    expect(s.onReconnected).toHaveBeenCalledTimes(1);
  });

  it('ignores a replaced stream and stops for good', () => {
    const s = subscribe();
    const first = FakeEventSource.latest();
    first.emit('ready');
    first.fail(true);
    vi.advanceTimersByTime(1_000);
    first.emit('progress', { stale: true }); // a late event of the closed stream
    expect(s.got).toEqual([]);
    s.stop();
    FakeEventSource.latest().fail(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(2);
  });

  it('says connecting, not reconnecting, while the first connection cannot be made', () => {
    const s = subscribe();
    FakeEventSource.latest().fail(true);
    expect(s.status()).toBe('connecting');
    expect(s.states.at(-1)!.retryAt).toBe(Date.now() + 1_000);
  });
});

describe('shareEventStream', () => {
  const types = ['progress', 'done'];
  it('gives every subscriber of a URL one stream, its events and its state, and closes with the last one', () => {
    const a = { got: [] as string[], states: [] as string[], back: vi.fn() };
    const b = { got: [] as string[], states: [] as string[], back: vi.fn() };
    const sub = (s: typeof a, type: string) =>
      shareEventStream({
        url: '/api/v1/collect/events',
        open,
        types,
        events: { [type]: (d) => s.got.push(`${type} ${d}`) },
        onState: (st) => s.states.push(st.status),
        onReconnected: s.back,
      });
    const stopA = sub(a, 'progress');
    FakeEventSource.latest().emit('ready');
    const stopB = sub(b, 'done');
    expect(FakeEventSource.all).toHaveLength(1); // one connection for both
    expect(b.states).toEqual(['live']); // told the state at once
    FakeEventSource.latest().emit('progress', 1);
    FakeEventSource.latest().emit('done', 2);
    expect(a.got).toEqual(['progress 1']);
    expect(b.got).toEqual(['done 2']);

    FakeEventSource.latest().fail(true);
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.latest().emit('ready');
    expect(a.back).toHaveBeenCalledTimes(1);
    expect(b.back).toHaveBeenCalledTimes(1);
    expect(a.states).toEqual(['connecting', 'live', 'reconnecting', 'live']);

    stopA();
    expect(FakeEventSource.latest().closed).toBe(false); // b still follows
    stopB();
    expect(FakeEventSource.latest().closed).toBe(true);
    stopB(); // twice is harmless

    const stopC = sub(a, 'progress'); // a new subscriber opens a new stream
    expect(FakeEventSource.all).toHaveLength(3);
    stopC();
  });
});

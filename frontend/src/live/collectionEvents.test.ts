import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchCollections } from './collectionEvents';
import { FakeEventSource } from './fakeEventSource';

const open = (url: string) => new FakeEventSource(url);

beforeEach(() => {
  FakeEventSource.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('watchCollections', () => {
  it('reports each finished collection, not its progress', () => {
    const onDone = vi.fn();
    const stop = watchCollections({ open, onDone });
    const es = FakeEventSource.latest();
    expect(es.url).toBe('/api/v1/collect/events');
    es.emit('ready');
    es.emit('planned', { type: 'planned', collection: 'c1', total: 2 });
    es.emit('progress', { type: 'progress', collection: 'c1', items: 10 });
    expect(onDone).not.toHaveBeenCalled();
    es.emit('done', { type: 'done', collection: 'c1', total: 2, at: '2026-11-23T12:00:00Z' });
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ collection: 'c1', total: 2 }));
    stop();
    expect(es.closed).toBe(true);
  });

  it('leaves a dropped connection to the browser while it retries', () => {
    const stop = watchCollections({ open, onDone: vi.fn() });
    FakeEventSource.latest().fail(false);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(1);
    stop();
  });

  it('reopens with backoff when the browser gives up, and says when the stream is back', () => {
    const onDone = vi.fn();
    const onReconnected = vi.fn();
    const stop = watchCollections({ open, onDone, onReconnected, firstDelayMs: 100, maxDelayMs: 1000 });
    FakeEventSource.latest().emit('ready');
    expect(onReconnected).not.toHaveBeenCalled(); // the first connection is no reconnection

    FakeEventSource.latest().fail(true); // server restarting
    expect(FakeEventSource.all[0]!.closed).toBe(true);
    vi.advanceTimersByTime(99);
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(2);

    FakeEventSource.latest().fail(true); // still down: wait twice as long
    vi.advanceTimersByTime(199);
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(3);

    FakeEventSource.latest().emit('ready');
    expect(onReconnected).toHaveBeenCalledTimes(1);
    FakeEventSource.latest().emit('done', { type: 'done', collection: 'c2', at: '' });
    expect(onDone).toHaveBeenCalledTimes(1);

    // Backoff starts over after a good connection.
    FakeEventSource.latest().fail(true);
    vi.advanceTimersByTime(100);
    expect(FakeEventSource.all).toHaveLength(4);

    stop();
    FakeEventSource.latest().fail(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(4);
  });
});

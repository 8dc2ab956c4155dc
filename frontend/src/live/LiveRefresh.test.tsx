import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource } from './fakeEventSource';
import { LiveRefresh, NOTICE_MS, OFFLINE_NOTE_AFTER_MS } from './LiveRefresh';

const open = (url: string) => new FakeEventSource(url);

function Metric({ fetcher }: { fetcher: () => Promise<number> }) {
  const q = useQuery({ queryKey: ['metric', 'deployments', 'range=30d'], queryFn: fetcher, staleTime: Infinity });
  return <div data-testid="value">{q.data ?? '…'}</div>;
}

function setup() {
  let n = 0;
  const fetcher = vi.fn(async () => ++n);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider env="test">
      <QueryClientProvider client={client}>
        <Metric fetcher={fetcher} />
        <LiveRefresh open={open} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return fetcher;
}

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => vi.useRealTimers());

describe('LiveRefresh', () => {
  it('refetches the open dashboard when a collection finishes and says so', async () => {
    const fetcher = setup();
    expect(await screen.findByText('1')).toBeTruthy();
    expect(FakeEventSource.all).toHaveLength(1); // one subscription
    const es = FakeEventSource.latest();
    act(() => {
      es.emit('ready');
      es.emit('finished', { type: 'finished', collection: 'c1', status: 'succeeded' });
    });
    expect(fetcher).toHaveBeenCalledTimes(1); // a script's end is not the collection's
    expect(screen.queryByTestId('live-notice')).toBeNull();

    act(() => es.emit('done', { type: 'done', collection: 'c1', at: '2026-11-23T12:00:00Z' }));
    expect(await screen.findByText('2')).toBeTruthy();
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('live-notice').textContent).toMatch(/New data collected at .+: dashboards updated/);
  });

  it('hides the notice after a while', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    setup();
    act(() => FakeEventSource.latest().emit('done', { type: 'done', collection: 'c1', at: '' }));
    expect(screen.getByTestId('live-notice')).toBeTruthy();
    act(() => vi.advanceTimersByTime(NOTICE_MS + 10));
    expect(screen.queryByTestId('live-notice')).toBeNull();
  });

  it('refreshes quietly when the stream comes back after the server restarted', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetcher = setup();
    expect(await screen.findByText('1')).toBeTruthy();
    act(() => {
      FakeEventSource.latest().emit('ready');
      FakeEventSource.latest().fail(true);
    });
    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeEventSource.all).toHaveLength(2);
    act(() => FakeEventSource.latest().emit('ready'));
    expect(await screen.findByText('2')).toBeTruthy();
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId('live-notice')).toBeNull();
  });
});

describe('LiveRefresh while the stream is down', () => {
  it('says discreetly that it reconnects after a few seconds, and goes away once live', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    setup();
    act(() => {
      FakeEventSource.latest().emit('ready');
      FakeEventSource.latest().fail(false); // the browser retries by itself
    });
    act(() => vi.advanceTimersByTime(OFFLINE_NOTE_AFTER_MS - 100));
    expect(screen.queryByTestId('live-offline')).toBeNull(); // a quick restart goes unmentioned
    act(() => vi.advanceTimersByTime(200));
    expect(screen.getByTestId('live-offline').textContent).toBe('Reconnecting…');

    act(() => FakeEventSource.latest().fail(true)); // then the server answers 503: we retry
    expect(screen.getByTestId('live-offline').textContent).toMatch(/^Reconnecting in 1 s…$/);
    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeEventSource.all).toHaveLength(2);
    act(() => FakeEventSource.latest().emit('ready'));
    expect(screen.queryByTestId('live-offline')).toBeNull();
  });
});

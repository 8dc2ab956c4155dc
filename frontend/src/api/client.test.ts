import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api } from './client';

function answer(status: number, body: string, statusText = '') {
  return vi.fn(async () => new Response(body, { status, statusText, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('calls same-origin /api/v1 URLs with the query', async () => {
    const fetch = answer(200, JSON.stringify({ metric: 'commit-pr-activity', series: [] }));
    vi.stubGlobal('fetch', fetch);
    await api.commitPrActivity(new URLSearchParams({ range: '30d', group: 'week' }));
    expect(fetch).toHaveBeenCalledWith('/api/v1/metrics/commit-pr-activity?range=30d&group=week', expect.anything());
  });

  it('unwraps list endpoints', async () => {
    vi.stubGlobal('fetch', answer(200, JSON.stringify({ teams: [{ id: 1, name: 'Platform' }] })));
    expect(await api.teams()).toEqual([{ id: 1, name: 'Platform' }]);
  });

  it('throws an ApiError with the server message on 4xx/5xx', async () => {
    vi.stubGlobal('fetch', answer(400, JSON.stringify({ error: 'unknown range "banana"' })));
    const err = await api.metrics().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, message: 'unknown range "banana"', path: '/metrics' });

    vi.stubGlobal('fetch', answer(404, JSON.stringify({ error: 'unknown metric "nope"' })));
    await expect(api.metric('nope', new URLSearchParams())).rejects.toMatchObject({ status: 404, message: 'unknown metric "nope"' });
  });

  it('words errors without a JSON body', async () => {
    vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>', 'Bad Gateway'));
    await expect(api.health()).rejects.toMatchObject({ status: 502, message: '502 Bad Gateway from /api/v1/health' });
  });

  it('refuses a 200 that is not JSON', async () => {
    vi.stubGlobal('fetch', answer(200, '<!doctype html>'));
    await expect(api.health()).rejects.toMatchObject({ status: 200, message: expect.stringContaining('not JSON') });
  });

  it('reports an unreachable server as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(api.health()).rejects.toMatchObject({ status: 0, message: 'Cannot reach the Momentum server (Failed to fetch)' });
  });
});

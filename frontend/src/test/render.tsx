// Renders the whole app (router, React Query, Mantine) on a given hash URL, with fetch
// answered from a table of canned API responses.
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createMemoryHistory, RouterProvider } from '@tanstack/react-router';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { newQueryClient } from '../App';
import { createAppRouter } from '../router';

export type Routes = Record<string, unknown | ((url: URL, init?: RequestInit) => [number, unknown])>;

/** Stubs fetch: `routes` maps an API path (no query) to a body, or to a function of the URL (and the request). */
export function stubApi(routes: Routes) {
  const calls: URL[] = [];
  const fetch = vi.fn(async (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://momentum.test');
    calls.push(url);
    const route = routes[url.pathname];
    const [status, body] =
      route === undefined ? [404, { error: `no mock for ${url.pathname}` }] : typeof route === 'function' ? route(url, init) : [200, route];
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

export function renderApp(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  const client = newQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  const utils = render(
    <MantineProvider env="test">
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...utils, router };
}

// Test helper: fetch answered by a small in-memory Momentum API for saved views and teams
// (with the server's 400/404/409 rules that the UI must show), plus the lists the filters use.
import { vi } from 'vitest';
import type { SavedView } from '../api/views';
import type { TeamDetail } from '../api/teams';

export interface FakeApi {
  views: SavedView[];
  teams: TeamDetail[];
  requests: string[];
}

export function stubFakeApi(seed: Partial<FakeApi> = {}): FakeApi {
  const db: FakeApi = { views: structuredClone(seed.views ?? []), teams: structuredClone(seed.teams ?? []), requests: [] };
  let nextId = 100;
  const json = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const taken = (list: { id: number; name: string }[], name: string, id?: number) =>
    list.some((x) => x.id !== id && x.name.toLowerCase() === name.trim().toLowerCase());

  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, 'http://momentum.test');
      const method = init?.method ?? 'GET';
      const body = init?.body ? (JSON.parse(init.body as string) as Record<string, unknown>) : {};
      db.requests.push(`${method} ${url.pathname}${init?.body ? ` ${init.body as string}` : ''}`);
      const path = url.pathname.replace(/^\/api\/v1/, '');
      const m = /^\/(views|teams)(?:\/(\d+))?$/.exec(path);
      if (m) {
        const kind = m[1] as 'views' | 'teams';
        const id = m[2] ? Number(m[2]) : undefined;
        const list: (SavedView | TeamDetail)[] = db[kind];
        const item = list.find((x) => x.id === id);
        if (id !== undefined && !item) return json(404, { error: `no ${kind === 'views' ? 'saved view' : 'team'} ${id}: it may have been deleted` });
        const name = body.name as string | undefined;
        if (name !== undefined && taken(list, name, id)) return json(409, { error: `a ${kind === 'views' ? 'saved view' : 'team'} named "${name}" exists: choose another name` });
        if (method === 'GET') return json(200, id !== undefined ? item : { [kind]: list });
        if (method === 'DELETE') {
          db[kind] = list.filter((x) => x.id !== id) as never;
          return json(204);
        }
        if (kind === 'views') {
          const v = { ...(item as SavedView | undefined), ...body } as SavedView;
          if (method === 'POST') Object.assign(v, { id: nextId++, slug: 'x', created_at: 1, updated_at: 1 });
          else Object.assign(item!, v);
          if (method === 'POST') db.views.push(v);
          return json(method === 'POST' ? 201 : 200, v);
        }
        const t = { ...(item as TeamDetail | undefined), ...body } as TeamDetail;
        t.description ??= '';
        t.person_ids ??= [];
        t.repo_ids ??= [];
        t.members = t.person_ids.length;
        t.repos = t.repo_ids.length;
        if (method === 'POST') {
          t.id = nextId++;
          db.teams.push(t);
        } else Object.assign(item!, t);
        return json(method === 'POST' ? 201 : 200, t);
      }
      const lists: Record<string, unknown> = {
        '/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '', rollups_pending: 0 },
        '/metrics': { metrics: [] },
        '/repos': { repos: [{ id: 1, full_name: 'acme/api', source: 'github' }, { id: 2, full_name: 'acme/web', source: 'github' }] },
        '/people': {
          people: [
            { id: 5, name: 'Ada Lovelace', email: 'ada@acme.dev', is_bot: false },
            { id: 6, name: 'Grace Hopper', email: 'grace@acme.dev', is_bot: false },
            { id: 7, name: 'dependabot', email: 'bot@acme.dev', is_bot: true },
          ],
        },
      };
      if (path in lists) return json(200, lists[path]);
      return json(404, { error: `no fake for ${method} ${url.pathname}` });
    }),
  );
  return db;
}

// Saved views and URLs: what of the URL a view keeps, when the URL shows a saved view, and
// the link that shares one.
import type { SavedView, ViewPage } from '../api/views';
import { parseSearchString, stringifySearchRecord, type SearchRecord } from '../state/dashboard';

/** The search key of a share link that names a saved view by ID. */
export const VIEW_PARAM = 'view';

/** The query a view stores: everything in the URL but the view pointer itself. */
export function viewQuery(search: SearchRecord): string {
  const rest: SearchRecord = { ...search };
  delete rest[VIEW_PARAM];
  return stringifySearchRecord(rest).replace(/^\?/, '');
}

/** Query strings compared by content, whatever their encoding or key order. */
export function sameQuery(a: string, b: string): boolean {
  const norm = (q: string) => {
    const p = new URLSearchParams(q.replace(/^\?/, ''));
    p.sort();
    return p.toString();
  };
  return norm(a) === norm(b);
}

/**
 * The saved view the page currently shows exactly, if any. Several views may hold the same
 * filters: `prefer` (the one the user last opened or saved) wins among them.
 */
export function activeView(views: readonly SavedView[] | undefined, page: string, search: SearchRecord, prefer?: number | null): SavedView | undefined {
  const q = viewQuery(search);
  const matches = views?.filter((v) => v.page === page && sameQuery(v.query, q)) ?? [];
  return matches.find((v) => v.id === prefer) ?? matches[0];
}

/** The hash route that restores a view: its ID (so later edits reach the reader) and its filters (so the link still works if the view is deleted). */
export function viewHash(view: Pick<SavedView, 'id' | 'page' | 'query'>): string {
  const search = stringifySearchRecord({ [VIEW_PARAM]: String(view.id), ...parseSearchString(view.query) });
  return `#/${view.page}${search}`;
}

/** The absolute link to share, on the origin and path the app is served from. */
export function shareLink(view: Pick<SavedView, 'id' | 'page' | 'query'>, location: { origin: string; pathname: string }): string {
  return `${location.origin}${location.pathname}${viewHash(view)}`;
}

/** The view ID a URL names, or null. */
export function viewParam(search: SearchRecord): number | null {
  const raw = search[VIEW_PARAM];
  return raw && /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : null;
}

export function isViewPage(p: string): p is ViewPage {
  return p === 'organization' || p === 'individual';
}

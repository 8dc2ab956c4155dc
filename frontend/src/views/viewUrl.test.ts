import { describe, expect, it } from 'vitest';
import { activeView, sameQuery, shareLink, viewHash, viewParam, viewQuery } from './viewUrl';
import type { SavedView } from '../api/views';

const view = (over: Partial<SavedView>): SavedView => ({
  id: 7,
  name: 'Platform',
  slug: 'abc',
  page: 'organization',
  query: 'group=week&range=90d&repo=acme%2Fapi%2Cacme%2Fweb&team=2',
  created_at: 1,
  updated_at: 1,
  ...over,
});

describe('saved views and URLs', () => {
  it('stores the URL without the view pointer', () => {
    expect(viewQuery({ range: '90d', team: '2', view: '7', repo: 'acme/api,acme/web', group: 'week' })).toBe(
      'range=90d&team=2&repo=acme/api,acme/web&group=week',
    );
  });

  it('compares queries by content, not encoding or order', () => {
    expect(sameQuery('group=week&range=90d&repo=acme%2Fapi%2Cacme%2Fweb&team=2', 'range=90d&team=2&repo=acme/api,acme/web&group=week')).toBe(true);
    expect(sameQuery('range=90d&team=2', 'range=90d&team=3')).toBe(false);
    expect(sameQuery('range=90d', 'range=90d&compare=1')).toBe(false);
  });

  it('finds the view the page shows, on the same page only', () => {
    const views = [view({ id: 1, query: 'range=7d&group=day' }), view({ id: 7 }), view({ id: 9, page: 'individual', query: 'range=30d&group=day' })];
    const search = { range: '90d', team: '2', repo: 'acme/api,acme/web', group: 'week' };
    expect(activeView(views, 'organization', search)?.id).toBe(7);
    expect(activeView(views, 'organization', { ...search, compare: '1' })).toBeUndefined();
    expect(activeView(views, 'organization', { range: '30d', group: 'day' })).toBeUndefined();
    expect(activeView(views, 'individual', { range: '30d', group: 'day' })?.id).toBe(9);
    // Two views with the same filters: the one last chosen is the one shown.
    const twins = [...views, view({ id: 8, name: 'Same filters' })];
    expect(activeView(twins, 'organization', search)?.id).toBe(7);
    expect(activeView(twins, 'organization', search, 8)?.id).toBe(8);
    expect(activeView(twins, 'organization', search, 1)?.id).toBe(7);
  });

  it('shares a link with the view ID and its filters, readable', () => {
    expect(viewHash(view({}))).toBe('#/organization?view=7&group=week&range=90d&repo=acme/api,acme/web&team=2');
    expect(shareLink(view({ page: 'individual', query: 'range=7d' }), { origin: 'http://10.0.0.5:7420', pathname: '/' })).toBe(
      'http://10.0.0.5:7420/#/individual?view=7&range=7d',
    );
  });

  it('reads only a well-formed view ID from a URL', () => {
    expect(viewParam({ view: '12' })).toBe(12);
    for (const bad of [undefined, '', '0', '-3', '1.5', 'abc', '12x', '9999999999999999']) expect(viewParam({ view: bad })).toBeNull();
  });
});

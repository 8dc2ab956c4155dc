import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderApp } from '../test/render';
import { stubFakeApi } from './fakeApi';

vi.mock('../charts/EChart');

afterEach(() => vi.unstubAllGlobals());

// The whole app renders here; on a loaded machine that takes seconds.
const slow = { timeout: 10_000 };

const platform = { id: 3, name: 'Platform, 90 days', slug: 's', page: 'organization' as const, query: 'group=week&range=90d&team=2', created_at: 1, updated_at: 1 };

async function openMenu() {
  fireEvent.click(await screen.findByTestId('views-button', undefined, slow));
  return screen.findByTestId('views-menu', undefined, slow);
}

describe('saved views', { timeout: 30_000 }, () => {
  it('saves the current filters under a name and offers the share link', async () => {
    const db = stubFakeApi();
    renderApp('/organization?range=7d&repo=acme/api&group=week');
    const menu = await openMenu();
    expect(await within(menu).findByText(/No saved views yet/, undefined, slow)).toBeTruthy();
    fireEvent.click(within(menu).getByTestId('view-save'));

    const name = await screen.findByTestId('view-name', undefined, slow);
    fireEvent.click(screen.getByTestId('view-submit'));
    expect(await screen.findByText('Give the view a name.', undefined, slow)).toBeTruthy();

    fireEvent.change(name, { target: { value: 'API this week' } });
    fireEvent.click(screen.getByTestId('view-submit'));
    const link = (await screen.findByTestId('view-link', undefined, slow)) as HTMLInputElement;
    expect(db.requests).toContain('POST /api/v1/views {"name":"API this week","page":"organization","query":"range=7d&repo=acme/api&group=week"}');
    expect(link.value).toBe(`${window.location.origin}${window.location.pathname}#/organization?view=100&range=7d&repo=acme/api&group=week`);
    // The top bar now names the view the page shows.
    await waitFor(() => expect(screen.getByTestId('views-button').textContent).toBe('API this week'), slow);
  });

  it('shows the server saying a name is taken', async () => {
    stubFakeApi({ views: [platform] });
    renderApp('/organization?range=30d');
    fireEvent.click(within(await openMenu()).getByTestId('view-save'));
    fireEvent.change(await screen.findByTestId('view-name', undefined, slow), { target: { value: 'platform, 90 DAYS' } });
    fireEvent.click(screen.getByTestId('view-submit'));
    expect(await screen.findByText('a saved view named "platform, 90 DAYS" exists: choose another name', undefined, slow)).toBeTruthy();
  });

  it('opens, renames and deletes saved views', async () => {
    const db = stubFakeApi({ views: [platform] });
    const { router } = renderApp('/organization?range=30d');
    let menu = await openMenu();
    fireEvent.click(await within(menu).findByText('Platform, 90 days', undefined, slow));
    await waitFor(() => expect(router.state.location.search).toEqual({ group: 'week', range: '90d', team: '2' }), slow);
    await waitFor(() => expect(screen.getByTestId('views-button').textContent).toBe('Platform, 90 days'), slow);

    menu = await openMenu();
    fireEvent.click(within(menu).getByLabelText('Rename Platform, 90 days'));
    const name = (await screen.findByTestId('view-name', undefined, slow)) as HTMLInputElement;
    expect(name.value).toBe('Platform, 90 days');
    fireEvent.change(name, { target: { value: 'Platform quarter' } });
    fireEvent.click(screen.getByTestId('view-submit'));
    await waitFor(() => expect(screen.getByTestId('views-button').textContent).toBe('Platform quarter'), slow);
    expect(db.requests).toContain('PUT /api/v1/views/3 {"name":"Platform quarter"}');

    menu = await openMenu();
    fireEvent.click(within(menu).getByLabelText('Delete Platform quarter'));
    fireEvent.click(await screen.findByTestId('view-delete-confirm', undefined, slow));
    await waitFor(() => expect(screen.getByTestId('views-button').textContent).toBe('Saved views'), slow);
    expect(db.views).toHaveLength(0);
  });

  it('restores a view from a share link, replacing the filters the link carries', async () => {
    stubFakeApi({ views: [{ ...platform, query: 'group=month&range=60d&team=2&compare=1' }] });
    const { router } = renderApp('/organization?view=3&group=week&range=90d&team=2');
    await waitFor(() => expect(router.state.location.search).toEqual({ group: 'month', range: '60d', team: '2', compare: '1' }), slow);
    await waitFor(() => expect(screen.getByTestId('views-button').textContent).toBe('Platform, 90 days'), slow);
  });

  it('keeps the link’s filters and says so when its view was deleted', async () => {
    stubFakeApi();
    const { router } = renderApp('/organization?view=42&range=90d&team=2&group=week');
    expect((await screen.findByTestId('view-missing', undefined, slow)).textContent).toMatch(/Saved view #42 no longer exists: showing the filters in the link/);
    expect(router.state.location.search).toEqual({ range: '90d', team: '2', group: 'week' });
  });
});

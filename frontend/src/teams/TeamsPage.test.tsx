import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderApp } from '../test/render';
import { stubFakeApi } from '../views/fakeApi';

afterEach(() => vi.unstubAllGlobals());

const slow = { timeout: 10_000 };

/** Picks an option of a Mantine MultiSelect by its label. */
async function pick(testId: string, label: string) {
  const input = screen.getByTestId(testId);
  fireEvent.click(input);
  fireEvent.change(input, { target: { value: label.slice(0, 4) } });
  fireEvent.click(await screen.findByRole('option', { name: label }, slow));
}

describe('Teams page', { timeout: 30_000 }, () => {
  it('creates a team from people and repositories, and the dashboards’ filter offers it', async () => {
    const db = stubFakeApi();
    const { router } = renderApp('/teams?range=30d');
    expect(await screen.findByTestId('teams-empty', undefined, slow)).toBeTruthy();
    fireEvent.click(screen.getByTestId('team-new'));

    fireEvent.click(await screen.findByTestId('team-submit', undefined, slow));
    expect(await screen.findByText('Give the team a name.', undefined, slow)).toBeTruthy();

    fireEvent.change(screen.getByTestId('team-name'), { target: { value: 'Platform' } });
    await pick('team-people', 'Ada Lovelace <ada@acme.dev>');
    await pick('team-repos', 'acme/web');
    // Bots are not offered as members.
    fireEvent.change(screen.getByTestId('team-people'), { target: { value: 'depend' } });
    expect(screen.queryByRole('option', { name: /dependabot/ })).toBeNull();
    fireEvent.click(screen.getByTestId('team-submit'));

    const row = await screen.findByTestId('team-row-100', undefined, slow);
    expect(db.requests).toContain('POST /api/v1/teams {"name":"Platform","description":"","person_ids":[5],"repo_ids":[2]}');
    expect(within(row).getByText('Platform')).toBeTruthy();
    expect(row.textContent).toMatch(/Platform11/);

    fireEvent.click(within(row).getByText('Dashboard'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/organization'), slow);
    expect(router.state.location.search).toMatchObject({ range: '30d', team: '100' });
    // The filter shows the team by name.
    await waitFor(() => expect(within(screen.getByTestId('topbar')).getAllByText('Platform').length).toBeGreaterThan(0), slow);
    expect(within(screen.getByTestId('topbar')).queryByText('Team #100')).toBeNull();
  });

  it('edits a team, shows a taken name at the field, and deletes it', async () => {
    const db = stubFakeApi({
      teams: [
        { id: 1, name: 'Platform', description: 'infra', members: 1, repos: 1, person_ids: [5], repo_ids: [1] },
        { id: 2, name: 'Web', description: '', members: 0, repos: 0, person_ids: [], repo_ids: [] },
      ],
    });
    renderApp('/teams');
    const row = await screen.findByTestId('team-row-1', undefined, slow);
    fireEvent.click(within(row).getByLabelText('Edit Platform'));
    const name = (await screen.findByTestId('team-name', undefined, slow)) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Platform'), slow);
    // The pickers start from the team's people and repositories.
    const dialog = screen.getByTestId('team-dialog');
    expect(within(dialog).getByText('Ada Lovelace <ada@acme.dev>')).toBeTruthy();
    expect(within(dialog).getByText('acme/api')).toBeTruthy();

    fireEvent.change(name, { target: { value: 'web' } });
    fireEvent.click(screen.getByTestId('team-submit'));
    expect(await screen.findByText('a team named "web" exists: choose another name', undefined, slow)).toBeTruthy();

    fireEvent.change(name, { target: { value: 'Core platform' } });
    await pick('team-people', 'Grace Hopper <grace@acme.dev>');
    fireEvent.click(screen.getByTestId('team-submit'));
    await waitFor(() => expect(within(screen.getByTestId('team-row-1')).getByText('Core platform')).toBeTruthy(), slow);
    expect(db.requests).toContain('PUT /api/v1/teams/1 {"name":"Core platform","description":"infra","person_ids":[5,6],"repo_ids":[1]}');

    fireEvent.click(within(screen.getByTestId('team-row-1')).getByLabelText('Delete Core platform'));
    fireEvent.click(await screen.findByTestId('team-delete-confirm', undefined, slow));
    await waitFor(() => expect(screen.queryByTestId('team-row-1')).toBeNull(), slow);
    expect(db.teams.map((t) => t.name)).toEqual(['Web']);
  });
});

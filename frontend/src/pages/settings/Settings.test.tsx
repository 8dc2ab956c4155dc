import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, CollectSettings } from '../../api/sources';
import { renderApp, stubApi } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

// Whole-app renders in happy-dom on a shared 2-core machine: allow more than the 5 s default.
const SLOW = 20_000;

describe('Settings page', () => {
  it('previews and saves the schedule, depth and retention, and shows the change in the audit log', async () => {
    let settings: CollectSettings = {
      cron: '0 * * * *',
      next_run: '2030-01-01T10:00:00Z',
      history_days: 90,
      retention_days: 0,
      secret_store: 'keychain',
    };
    const audit: AuditEntry[] = [
      { id: 1, at: 1_790_000_000, via: 'cli', action: 'config.set', source: 'github', key: 'GITHUB_TOKEN', detail: 'secret (keychain)' },
    ];
    const puts: unknown[] = [];
    stubApi({
      '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '' },
      '/api/v1/settings/collect': (_: URL, init?: RequestInit) => {
        if (init?.method === 'PUT') {
          const body = JSON.parse(init.body as string) as Partial<CollectSettings>;
          puts.push(body);
          settings = { ...settings, ...body };
          audit.unshift({ id: 2, at: 1_790_000_100, via: 'api', action: 'settings.set', source: '', key: 'collect.cron', detail: body.cron ?? '' });
        }
        return [200, settings];
      },
      '/api/v1/settings/collect/cron': (url: URL) => {
        const expr = url.searchParams.get('expr');
        if (expr === '*/5 * * * *') return [200, { next_runs: ['2030-01-01T10:05:00Z', '2030-01-01T10:10:00Z', '2030-01-01T10:15:00Z'] }];
        return [200, { next_runs: [], error: `"${expr}" is not a valid schedule (cron: minute hour day month weekday)` }];
      },
      '/api/v1/audit': () => [200, { audit }],
    });
    renderApp('/settings');
    // The health section stays.
    await within(await screen.findByTestId('settings-health')).findByText('Database engine');
    const cron = (await screen.findByTestId('settings-cron')) as HTMLInputElement;
    expect(cron.value).toBe('0 * * * *');
    expect(screen.getByTestId('settings-next-run')).toBeTruthy();
    // Values are never in the audit log: a secret reads as where it went.
    const rows = await screen.findAllByTestId('audit-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.textContent).toMatch(/Configuration set.*github.*GITHUB_TOKEN.*secret \(keychain\)/);

    fireEvent.change(cron, { target: { value: 'every 5 min' } });
    expect(await screen.findByText(/"every 5 min" is not a valid schedule/)).toBeTruthy();
    fireEvent.change(cron, { target: { value: '*/5 * * * *' } });
    expect((await screen.findByTestId('settings-cron-preview')).textContent).toMatch(/Runs next at .*2030-01-01/);

    const retention = screen.getByTestId('settings-retention') as HTMLInputElement;
    fireEvent.change(retention, { target: { value: '30' } });
    expect(await screen.findByText(/Shorter than the history depth \(90 days\)/)).toBeTruthy();
    fireEvent.change(retention, { target: { value: '365' } });

    fireEvent.click(screen.getByTestId('settings-save'));
    await screen.findByTestId('settings-saved');
    expect(puts).toEqual([{ cron: '*/5 * * * *', retention_days: 365 }]);
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(2));
    expect(screen.getAllByTestId('audit-row')[0]!.textContent).toMatch(/api.*Setting changed.*Schedule.*\*\/5 \* \* \* \*/);
    // Saved: nothing left to save.
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);
  }, SLOW);

  it('shows the server refusing a value', async () => {
    stubApi({
      '/api/v1/health': { status: 'ok', version: '0.1.0', engine: 'sqlite', data_dir: '/d', database: 'sqlite', notice: '' },
      '/api/v1/settings/collect': (_: URL, init?: RequestInit) =>
        init?.method === 'PUT'
          ? [400, { error: 'history_days: a number of days from 1 to 36500' }]
          : [200, { cron: '0 * * * *', history_days: 90, retention_days: 0, secret_store: '' }],
      '/api/v1/settings/collect/cron': { next_runs: ['2030-01-01T11:00:00Z'] },
      '/api/v1/audit': { audit: [] },
    });
    renderApp('/settings');
    const history = (await screen.findByTestId('settings-history')) as HTMLInputElement;
    expect(screen.getByText(/No scheduler runs in this process/)).toBeTruthy();
    fireEvent.change(history, { target: { value: '0' } });
    expect(await screen.findByText('A number of days from 1 to 36500')).toBeTruthy();
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(history, { target: { value: '400' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-error')).textContent).toMatch(/history_days: a number of days/);
  }, SLOW);
});

import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newQueryClient } from '../App';
import { stubApi } from '../test/render';
import { StatusBar } from './StatusBar';

afterEach(() => vi.unstubAllGlobals());

const health = (pending: number) => ({
  status: 'ok',
  version: '0.1.0',
  engine: 'sqlite',
  data_dir: '/d',
  database: 'sqlite',
  notice: '',
  rollups_pending: pending,
});

function renderBar() {
  render(
    <MantineProvider env="test">
      <QueryClientProvider client={newQueryClient()}>
        <StatusBar />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

describe('StatusBar', () => {
  it('counts down the dashboard figures being prepared after an update, polling every few seconds', async () => {
    const left = [1240, 62, 0];
    let calls = 0;
    stubApi({ '/api/v1/health': () => [200, health(left[Math.min(calls++, left.length - 1)] ?? 0)] });
    renderBar();
    expect((await screen.findByTestId('status-preparing', undefined, { timeout: 5_000 })).textContent).toBe(
      'Preparing dashboards: 1,240 days of figures left',
    );
    // The next poll comes within seconds (not the idle 30 s) and updates the count.
    expect(await screen.findByText('Preparing dashboards: 62 days of figures left', undefined, { timeout: 6_000 })).toBeTruthy();
    await vi.waitFor(() => expect(screen.queryByTestId('status-preparing')).toBeNull(), { timeout: 6_000 });
    expect(screen.getByTestId('status-engine').textContent).toBe('SQLite');
  }, 20_000);

  it('says nothing about preparation when the figures are ready', async () => {
    stubApi({ '/api/v1/health': health(0) });
    renderBar();
    expect(await screen.findByText('SQLite', undefined, { timeout: 5_000 })).toBeTruthy();
    expect(screen.queryByTestId('status-preparing')).toBeNull();
  });
});

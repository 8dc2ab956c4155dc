// Drill-down, shared by the Organization and Individual views: a click on a bar, point or cell
// opens the items behind it (pull requests, commits, reviews, pipeline runs, deployments) in a
// drawer, a page at a time, each linked to its source.
import { Alert, Anchor, Badge, Drawer, Group, Pagination, ScrollArea, Skeleton, Stack, Table, Text } from '@mantine/core';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { ITEMS_PAGE_SIZE, useMetricItems, type DrillTarget, type ItemColumn } from '../api/organization';
import { formatDuration, formatMinutes } from './organization';
import { formatCount } from '../format';
import type { DashboardState } from '../state/dashboard';

type OpenDrill = (t: DrillTarget) => void;

const DrillContext = createContext<OpenDrill>(() => {});

interface ClickParams {
  componentType?: string;
  seriesName?: string;
  dataIndex?: number;
  value?: unknown;
  name?: string;
}

export type SeriesClick = Required<Pick<ClickParams, 'seriesName' | 'dataIndex'>> & ClickParams;

/** ECharts click events, narrowed to series items. */
export function onSeriesClick(fn: (p: SeriesClick) => void) {
  return (raw: unknown) => {
    const p = raw as ClickParams;
    if (p.componentType === 'series' && typeof p.dataIndex === 'number' && typeof p.seriesName === 'string') fn(p as SeriesClick);
  };
}

/** The function panels call to open the drawer on a bucket. */
export function useDrill(): OpenDrill {
  return useContext(DrillContext);
}

export function DrillProvider({ state, children }: { state: DashboardState; children: ReactNode }) {
  const [target, setTarget] = useState<DrillTarget | null>(null);
  const [page, setPage] = useState(0);
  const open: OpenDrill = (t) => {
    setPage(0);
    setTarget(t);
  };
  return (
    <DrillContext.Provider value={open}>
      {children}
      <Drawer
        opened={!!target}
        onClose={() => setTarget(null)}
        position="right"
        size="min(1100px, 92vw)"
        title={<Text fw={600}>{target?.title}</Text>}
        scrollAreaComponent={ScrollArea.Autosize}
        data-testid="drill-drawer"
      >
        {target && <DrillItems state={state} target={target} page={page} onPage={setPage} />}
      </Drawer>
    </DrillContext.Provider>
  );
}

const STATUS_COLORS: Record<string, string> = {
  success: 'teal',
  failure: 'red',
  cancelled: 'gray',
  merged: 'violet',
  open: 'blue',
  closed: 'gray',
  Draft: 'gray',
  'Waiting for review': 'orange',
  'In review': 'blue',
  Approved: 'teal',
};

export function formatCell(c: ItemColumn, v: string | number | null | undefined): ReactNode {
  if (v === null || v === undefined || v === '') return <Text span c="dimmed">—</Text>;
  switch (c.type) {
    case 'datetime':
      return new Date(String(v)).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
    case 'hours':
      return formatDuration(Number(v));
    case 'minutes':
      return formatMinutes(Number(v));
    case 'count':
      return formatCount(Number(v));
    case 'status':
      return (
        <Badge variant="light" color={STATUS_COLORS[String(v)] ?? 'gray'} size="sm">
          {String(v)}
        </Badge>
      );
    case 'url':
      return (
        <Anchor href={String(v)} target="_blank" rel="noopener noreferrer" size="sm">
          Open
        </Anchor>
      );
    default:
      return c.key === 'sha' ? <Text span ff="monospace" size="sm">{String(v).slice(0, 10)}</Text> : String(v);
  }
}

function DrillItems({ state, target, page, onPage }: { state: DashboardState; target: DrillTarget; page: number; onPage: (p: number) => void }) {
  const q = useMetricItems(state, target, page);
  const data = q.data;
  if (q.error) {
    return (
      <Alert color="red" variant="light" title="Could not load the items" role="alert">
        {q.error.message}
      </Alert>
    );
  }
  if (!data) return <Skeleton height={320} />;
  const pages = Math.ceil(data.total / ITEMS_PAGE_SIZE);
  return (
    <Stack gap="sm" data-testid="drill-items" data-total={data.total} data-from={data.from} data-to={data.to} data-kind={data.kind}>
      <Text size="sm" c="dimmed">
        {data.label} · {data.from === data.to ? data.from : `${data.from} – ${data.to}`} ·{' '}
        <Text span fw={600} c="var(--mantine-color-text)" data-testid="drill-total">
          {formatCount(data.total)}
        </Text>{' '}
        {data.total === 1 ? 'item' : 'items'}
      </Text>
      {data.total === 0 ? (
        <Text c="dimmed" py="lg" ta="center">
          Nothing here: this bucket holds no {data.label.toLowerCase()} under the current filters.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover verticalSpacing={6} fz="sm" style={{ opacity: q.isFetching ? 0.6 : 1 }}>
            <Table.Thead>
              <Table.Tr>
                {data.columns.map((c) => (
                  <Table.Th key={c.key} style={{ whiteSpace: 'nowrap' }}>
                    {c.label}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((it, i) => (
                <Table.Tr key={i} data-testid="drill-row">
                  {data.columns.map((c) => (
                    <Table.Td
                      key={c.key}
                      className={c.type === 'text' ? undefined : 'tabular'}
                      // Free text wraps; figures, dates and badges stay on one line.
                      style={c.type === 'text' ? { maxWidth: 320 } : { whiteSpace: 'nowrap' }}
                    >
                      {formatCell(c, it[c.key])}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Group justify="flex-end">
          <Pagination total={pages} value={page + 1} onChange={(p) => onPage(p - 1)} size="sm" />
        </Group>
      )}
    </Stack>
  );
}

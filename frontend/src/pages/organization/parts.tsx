// Building blocks of the Organization panels: a time-series chart with legend toggles, ghost
// series, zoom and drill-down; a table panel with export; the "what to configure" empty state.
import { Anchor, Button, Code, Group, Menu, Table, Text, useComputedColorScheme } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DrillTarget } from '../../api/organization';
import type { MetricInfo } from '../../api/types';
import { MetricChart, MetricPanel } from '../../charts/MetricPanel';
import { downloadText, toCsv, toJson, type ChartExport } from '../../charts/export';
import {
  bucketDays,
  isEmptySeries,
  ORG_COLORS,
  PREVIOUS_SUFFIX,
  timeLegend,
  timeSeriesExport,
  timeSeriesNames,
  timeSeriesOption,
  type OrgColors,
  type TimeChartSpec,
  type TimeData,
} from '../../charts/organization';
import { IconDownload } from '../../shell/icons';
import { formatBucketLong } from '../../format';
import { onSeriesClick, useDrill } from '../../charts/Drill';

export function useOrgColors(): OrgColors {
  return ORG_COLORS[useComputedColorScheme('light')];
}

/** The empty state: what is missing, what to configure, and a link to Data sources. */
export function ConfigureMessage({ what, hint, filtered }: { what: string; hint: ReactNode; filtered: boolean }) {
  return (
    <>
      <Text fw={500} ta="center">
        No {what} in this range
      </Text>
      <Text size="sm" c="dimmed" ta="center" maw={560}>
        {filtered && 'Widen the date range or clear some filters. '}
        {hint}{' '}
        <Anchor component={Link} to="/data-sources" size="sm">
          Open Data sources
        </Anchor>{' '}
        to configure one, or load demo data with <Code>momentum demo</Code>.
      </Text>
    </>
  );
}

export { onSeriesClick } from '../../charts/Drill';

export interface TimeSeriesPanelProps<P extends { bucket: string }> {
  testId: string;
  title: string;
  description?: string;
  metricId?: string;
  data: TimeData<P> | undefined;
  spec: TimeChartSpec<P>;
  loading: boolean;
  error: unknown;
  empty: ReactNode;
  filtered?: boolean;
  height?: number;
  header?: ReactNode;
  /** What a click on series `key` at a bucket lists; undefined: that series opens nothing. */
  drill?: (key: string, days: [string, string]) => Omit<DrillTarget, 'from' | 'to' | 'title'> | undefined;
}

/** A time chart from a spec: toggles kept across redraws, ghost series, zoom, export, drill-down. */
export function TimeSeriesPanel<P extends { bucket: string }>(props: TimeSeriesPanelProps<P>) {
  const { testId, data, spec, loading, error, empty, height = 300, header, drill, ...panel } = props;
  const colors = useOrgColors();
  const open = useDrill();
  // Toggles survive a redraw (new range, compare) without rebuilding the option on each
  // click, which would reset the user's zoom.
  const legendRef = useRef<Record<string, boolean>>({});
  const [userLegend, setUserLegend] = useState<Record<string, boolean>>({});
  const isEmpty = !!data && isEmptySeries(data, spec);
  const option = useMemo(
    () => (data && !isEmptySeries(data, spec) ? timeSeriesOption(data, spec, colors, timeLegend(data, spec, legendRef.current)) : undefined),
    [data, spec, colors],
  );
  const shown = useMemo(() => {
    if (!data) return undefined;
    const selected = timeLegend(data, spec, userLegend);
    return { names: timeSeriesNames(data, spec).filter((n) => selected[n]), exportData: timeSeriesExport(data, spec, selected) };
  }, [data, spec, userLegend]);

  const onEvents = useMemo(
    () => ({
      legendselectchanged: (e: unknown) => {
        legendRef.current = (e as { selected: Record<string, boolean> }).selected;
        setUserLegend(legendRef.current);
      },
      click: onSeriesClick((p) => {
        if (!data || !drill || p.seriesName.endsWith(PREVIOUS_SUFFIX)) return;
        const s = spec.series.find((x) => x.name === p.seriesName);
        const point = data.series[p.dataIndex];
        if (!s || !point) return;
        const days = bucketDays(point.bucket, data.group, data.from, data.to);
        const t = drill(s.key, days);
        if (t) open({ ...t, from: days[0], to: days[1], title: `${panel.title} · ${s.name} · ${formatBucketLong(point.bucket, data.group)}` });
      }),
    }),
    [data, spec, drill, open, panel.title],
  );

  return (
    <MetricChart
      testId={testId}
      {...panel}
      option={option}
      points={option ? data!.series.length : 0}
      series={shown?.names}
      loading={loading}
      error={error}
      empty={isEmpty && empty}
      exportData={shown?.exportData}
      height={height}
      header={header}
      onEvents={onEvents}
    />
  );
}

export interface TableColumn<R> {
  key: string;
  label: string;
  value: (r: R) => ReactNode;
  numeric?: boolean;
}

/** A table panel with CSV/JSON export of its rows, and the same empty state as charts. */
export function TablePanel<R>({
  testId,
  title,
  description,
  rows,
  columns,
  exportData,
  empty,
  onRowClick,
}: {
  testId: string;
  title: string;
  description?: string;
  rows: R[] | undefined;
  columns: TableColumn<R>[];
  exportData?: ChartExport;
  empty: ReactNode;
  onRowClick?: (r: R) => void;
}) {
  const ready = !!rows && rows.length > 0;
  const actions = (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <Button variant="default" size="compact-sm" leftSection={<IconDownload size={14} />} disabled={!ready || !exportData} aria-label={`Export ${title}`}>
          Export
        </Button>
      </Menu.Target>
      {exportData && (
        <Menu.Dropdown>
          <Menu.Label>{title}</Menu.Label>
          <Menu.Item onClick={() => downloadText(`${exportData.filename}.csv`, toCsv(exportData.columns, exportData.rows), 'text/csv')}>CSV</Menu.Item>
          <Menu.Item onClick={() => downloadText(`${exportData.filename}.json`, toJson(exportData), 'application/json')}>JSON</Menu.Item>
        </Menu.Dropdown>
      )}
    </Menu>
  );
  return (
    <MetricPanel title={title} description={description} actions={actions} testId={testId}>
      <div data-testid={`${testId}-table`} data-state={!rows ? 'loading' : ready ? 'ready' : 'empty'} data-rows={rows?.length ?? 0}>
        {rows && !ready && (
          <Group justify="center" py="xl" px="md" style={{ flexDirection: 'column', gap: 4 }} className="chart-empty">
            {empty}
          </Group>
        )}
        {ready && (
          <Table.ScrollContainer minWidth={360}>
            <Table highlightOnHover verticalSpacing={6} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  {columns.map((c) => (
                    <Table.Th key={c.key} ta={c.numeric ? 'right' : undefined} style={{ whiteSpace: 'nowrap' }}>
                      {c.label}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r, i) => (
                  <Table.Tr
                    key={i}
                    data-testid={`${testId}-row`}
                    // A link in the row opens its item at the source, not the drawer as well.
                    onClick={onRowClick && ((e) => !(e.target as HTMLElement).closest('a') && onRowClick(r))}
                    title={onRowClick ? 'Show the items behind this row' : undefined}
                    style={{ cursor: onRowClick ? 'pointer' : undefined }}
                  >
                    {columns.map((c) => (
                      <Table.Td key={c.key} ta={c.numeric ? 'right' : undefined} className={c.numeric ? 'tabular' : undefined} style={c.numeric ? { whiteSpace: 'nowrap' } : undefined}>
                        {c.value(r)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </div>
    </MetricPanel>
  );
}

/** The server's title and description of a metric, with a fallback while the list loads. */
export function infoOf(list: MetricInfo[] | undefined, id: string, title: string): Pick<MetricInfo, 'title' | 'description' | 'id'> {
  const m = list?.find((x) => x.id === id);
  return { id, title: m?.title ?? title, description: m?.description ?? '' };
}

/**
 * Renders (and so fetches) its children only once they come near the viewport: the page
 * opens with the first panels ready instead of waiting for all of them.
 */
export function Lazy({ id, minHeight, children }: { id: string; minHeight: number; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (shown || !el) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setShown(true), { rootMargin: '100px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  if (shown) return <>{children}</>;
  return <div ref={ref} style={{ minHeight }} data-testid={`lazy-${id}`} className="lazy-panel" />;
}

// The frame every metric shares: a titled card with the metric's definition behind an info
// icon, an actions slot (export menu), and honest states for loading, errors and no data.
import { ActionIcon, Alert, Anchor, Button, Code, Group, Menu, Paper, Skeleton, Stack, Text, Title, Tooltip, useComputedColorScheme } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useRef, type ReactNode } from 'react';
import { IconDownload, IconInfo } from '../shell/icons';
import { EChart, type EChartHandle } from './EChart';
import { PALETTES, type ChartOption } from './echarts';
import { downloadText, downloadUrl, toCsv, toJson, type ChartExport } from './export';

export interface MetricPanelProps {
  title: string;
  /** The metric's definition, shown in the info tooltip. */
  description?: string;
  /** Shown small beside the title, so users can find the same figure in the CLI. */
  metricId?: string;
  actions?: ReactNode;
  children?: ReactNode;
  testId?: string;
}

export function MetricPanel({ title, description, metricId, actions, children, testId }: MetricPanelProps) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId} className="metric-panel">
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="sm" gap="xs">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <Title order={4} fz="md" fw={600} lineClamp={1}>
            {title}
          </Title>
          {description && (
            <Tooltip label={description} multiline w={320} withArrow position="bottom-start" openDelay={100}>
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`About ${title}`}>
                <IconInfo size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          {metricId && (
            <Text size="xs" c="dimmed" ff="monospace" visibleFrom="sm">
              {metricId}
            </Text>
          )}
        </Group>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}

export interface MetricChartProps extends Omit<MetricPanelProps, 'actions' | 'children'> {
  testId: string;
  option: ChartOption | undefined;
  /** Number of points in the drawn series; 0 when nothing is drawn. Exposed as data-points. */
  points: number;
  /** Names of the drawn series, exposed as data-series (the e2e test reads them). */
  series?: string[];
  loading: boolean;
  error: unknown;
  /** When set, the data is empty: this message replaces the chart. */
  empty?: ReactNode;
  exportData?: ChartExport;
  height?: number;
  /** Rendered between the title and the chart, e.g. summary cards. */
  header?: ReactNode;
  onEvents?: Record<string, (params: unknown) => void>;
}

type ChartState = 'loading' | 'error' | 'empty' | 'ready';

export function MetricChart(props: MetricChartProps) {
  const { option, points, series, loading, error, empty, exportData, height = 320, header, onEvents, testId, ...panel } = props;
  const scheme = useComputedColorScheme('light');
  const chart = useRef<EChartHandle>(null);

  const state: ChartState = error ? 'error' : empty ? 'empty' : option ? 'ready' : loading ? 'loading' : 'empty';

  const exportPng = () => {
    const url = chart.current?.instance()?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: PALETTES[scheme].background });
    if (url && exportData) downloadUrl(`${exportData.filename}.png`, url);
  };

  const actions = (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <Button
          variant="default"
          size="compact-sm"
          leftSection={<IconDownload size={14} />}
          disabled={state !== 'ready' || !exportData}
          aria-label={`Export ${panel.title}`}
        >
          Export
        </Button>
      </Menu.Target>
      {exportData && (
        <Menu.Dropdown>
          <Menu.Label>{panel.title}</Menu.Label>
          <Menu.Item onClick={exportPng}>PNG image</Menu.Item>
          <Menu.Item onClick={() => downloadText(`${exportData.filename}.csv`, toCsv(exportData.columns, exportData.rows), 'text/csv')}>
            CSV (shown series)
          </Menu.Item>
          <Menu.Item onClick={() => downloadText(`${exportData.filename}.json`, toJson(exportData), 'application/json')}>
            JSON (shown series)
          </Menu.Item>
        </Menu.Dropdown>
      )}
    </Menu>
  );

  return (
    <MetricPanel {...panel} actions={actions}>
      {header}
      <div
        data-testid={`${testId}-chart`}
        data-state={state}
        data-points={state === 'ready' ? points : 0}
        data-series={state === 'ready' ? (series ?? []).join('|') : ''}
        style={{ minHeight: height, position: 'relative' }}
      >
        {state === 'loading' && <Skeleton height={height} radius="sm" />}
        {state === 'error' && (
          <Alert color="red" variant="light" title="Could not load this metric" role="alert">
            {error instanceof Error ? error.message : String(error)}
          </Alert>
        )}
        {state === 'empty' && (
          <Stack h={height} align="center" justify="center" gap={4} px="md" className="chart-empty">
            {empty ?? <Text c="dimmed">No data in this range.</Text>}
          </Stack>
        )}
        {state === 'ready' && option && (
          <div style={{ opacity: loading ? 0.55 : 1, transition: 'opacity 120ms' }}>
            <EChart ref={chart} option={option} scheme={scheme} height={height} onEvents={onEvents} />
          </div>
        )}
      </div>
    </MetricPanel>
  );
}

/** The standard "nothing here yet" text: what to do, with a link to Data sources. */
export function NoDataMessage({ what, filtered }: { what: string; filtered: boolean }) {
  return (
    <>
      <Text fw={500} ta="center">
        No {what} in this range
      </Text>
      <Text size="sm" c="dimmed" ta="center" maw={520}>
        {filtered ? 'Widen the date range or clear some filters, ' : 'Try a longer date range, '}
        load demo data with <Code>momentum demo</Code>, or{' '}
        <Anchor component={Link} to="/data-sources" size="sm">
          configure a data source
        </Anchor>
        .
      </Text>
    </>
  );
}

/** A metric the server lists but this version does not draw yet. */
export function NotBuiltPanel({ title, description, metricId }: { title: string; description?: string; metricId: string }) {
  return (
    <MetricPanel title={title} description={description} testId={`placeholder-${metricId}`}>
      <Text size="sm" c="dimmed">
        Not built yet in this version <Code>{metricId}</Code>
      </Text>
    </MetricPanel>
  );
}

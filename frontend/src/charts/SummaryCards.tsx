// The headline numbers above a chart, each with its change against the previous period.
import { Paper, SimpleGrid, Text, Tooltip } from '@mantine/core';
import { computeDelta, type DeltaKind } from '../format';

export interface SummaryItem {
  /** Stable key, used in test ids: summary-<key>, delta-<key>. */
  key: string;
  label: string;
  value: number | null | undefined;
  previous?: number | null;
  format: (n: number | null | undefined) => string;
  kind: DeltaKind;
  lowerIsBetter?: boolean;
  /** Small print under the value, e.g. "mean 30.2 h · p95 110.0 h". */
  hint?: string;
}

export function SummaryCards({ items, compare }: { items: SummaryItem[]; compare: boolean }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: items.length }} spacing="sm" mb="md">
      {items.map((it) => (
        <Paper key={it.key} withBorder radius="md" px="md" py="sm" data-testid={`summary-${it.key}`} className="summary-card">
          <Text size="sm" c="dimmed" fw={500} lineClamp={1}>
            {it.label}
          </Text>
          <Text fz={26} fw={650} lh={1.25} className="tabular" data-testid={`value-${it.key}`}>
            {it.format(it.value)}
          </Text>
          {compare && <DeltaLine item={it} />}
          {it.hint && (
            <Text size="xs" c="dimmed" lineClamp={1} title={it.hint}>
              {it.hint}
            </Text>
          )}
        </Paper>
      ))}
    </SimpleGrid>
  );
}

function DeltaLine({ item }: { item: SummaryItem }) {
  const d = computeDelta(item.value, item.previous, item.kind, item.lowerIsBetter);
  const color = d.good === null ? 'dimmed' : d.good ? 'teal' : 'red';
  const arrow = d.direction === 'up' ? '▲ ' : d.direction === 'down' ? '▼ ' : '';
  return (
    <Tooltip label={`Previous period: ${item.format(item.previous)}`} withArrow position="bottom-start" openDelay={150}>
      <Text size="xs" fw={600} c={color} className="tabular" data-testid={`delta-${item.key}`} data-good={String(d.good)}>
        {arrow}
        {d.text}
        <Text span size="xs" c="dimmed" fw={400}>
          {' '}
          vs previous
        </Text>
      </Text>
    </Tooltip>
  );
}

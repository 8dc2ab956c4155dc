// happy-dom has no canvas: tests see the option ECharts would get, as JSON, instead.
import type { EChartProps } from '../EChart';

export function EChart({ option }: EChartProps) {
  const series = (option.series ?? []) as { name?: string }[];
  return <div data-testid="echart" data-series-names={series.map((s) => s.name).join('|')} />;
}

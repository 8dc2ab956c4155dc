// happy-dom has no canvas: tests see the option ECharts would get, as JSON, instead. The
// chart's event handlers hang on the element (__onEvents) so a test can "click" a bar.
import type { EChartProps } from '../EChart';

export function EChart({ option, onEvents }: EChartProps) {
  const series = (option.series ?? []) as { name?: string }[];
  return (
    <div
      data-testid="echart"
      data-series-names={series.map((s) => s.name).join('|')}
      ref={(el) => {
        if (el) (el as HTMLElement & { __onEvents?: EChartProps['onEvents'] }).__onEvents = onEvents;
      }}
    />
  );
}

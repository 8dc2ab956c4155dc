// One ECharts canvas, themed after the current colour scheme. Tests replace this module
// (happy-dom has no canvas); everything above it is plain React.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useImperativeHandle, useMemo, useRef, type Ref } from 'react';
import { echarts, THEME_NAMES, type ChartInstance, type ChartOption, type ColorScheme } from './echarts';

export interface EChartHandle {
  instance(): ChartInstance | undefined;
}

export interface EChartProps {
  option: ChartOption;
  scheme: ColorScheme;
  height: number;
  onEvents?: Record<string, (params: unknown) => void>;
  ref?: Ref<EChartHandle>;
}

export function EChart({ option, scheme, height, onEvents, ref }: EChartProps) {
  const inner = useRef<ReactEChartsCore>(null);
  useImperativeHandle(ref, () => ({ instance: () => inner.current?.getEchartsInstance() }), []);
  // echarts-for-react re-creates the chart whenever onEvents is a new object (resetting zoom
  // and legend state); hand it stable handlers that call the latest ones.
  const latest = useRef(onEvents);
  latest.current = onEvents;
  const names = Object.keys(onEvents ?? {}).sort().join(',');
  const events = useMemo(
    () => (names ? Object.fromEntries(names.split(',').map((n) => [n, (params: unknown) => latest.current?.[n]?.(params)])) : undefined),
    [names],
  );
  return (
    <ReactEChartsCore
      ref={inner}
      echarts={echarts}
      option={option}
      // A new theme re-creates the chart; the option is rebuilt from scratch each time
      // (notMerge) so that series removed by a toggle really disappear.
      theme={THEME_NAMES[scheme]}
      notMerge
      onEvents={events}
      // End-to-end tests find the pixel of a bar or cell (convertToPixel) through the DOM.
      onChartReady={(chart: ChartInstance) => {
        (chart.getDom() as HTMLElement & { __echarts?: ChartInstance }).__echarts = chart;
      }}
      style={{ height, width: '100%' }}
    />
  );
}

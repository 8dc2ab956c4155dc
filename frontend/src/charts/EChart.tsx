// One ECharts canvas, themed after the current colour scheme. Tests replace this module
// (happy-dom has no canvas); everything above it is plain React.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useImperativeHandle, useRef, type Ref } from 'react';
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
  return (
    <ReactEChartsCore
      ref={inner}
      echarts={echarts}
      option={option}
      // A new theme re-creates the chart; the option is rebuilt from scratch each time
      // (notMerge) so that series removed by a toggle really disappear.
      theme={THEME_NAMES[scheme]}
      notMerge
      onEvents={onEvents}
      style={{ height, width: '100%' }}
    />
  );
}

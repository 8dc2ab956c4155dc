// ECharts, tree-shaken: register only what Momentum's charts use. A chart that needs another
// series type or component adds it here.
import {
  BarChart,
  BoxplotChart,
  HeatmapChart,
  LineChart,
  PieChart,
  type BarSeriesOption,
  type BoxplotSeriesOption,
  type HeatmapSeriesOption,
  type LineSeriesOption,
  type PieSeriesOption,
} from 'echarts/charts';
import {
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  type DataZoomComponentOption,
  type VisualMapComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import CanvasPainter from 'zrender/lib/canvas/Painter.js';

echarts.use([
  LineChart,
  BarChart,
  HeatmapChart,
  PieChart,
  BoxplotChart,
  VisualMapContinuousComponent,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  CanvasRenderer,
]);

// zrender paints a large layer over several animation frames and does not cancel the next
// frame when its chart is disposed (a page left, a theme switched mid-paint): that frame then
// throws "Cannot read properties of null (reading 'layerStack')" from the disposed painter
// (zrender 6.1.0, canvas/Painter.ts _paintList; the same crash is reported in
// getsentry/chartcuterie#237). A disposed painter has nothing left to paint.
type PaintList = (this: { _i: unknown }, ...args: unknown[]) => void;
const painter = CanvasPainter.prototype as unknown as { _paintList: PaintList };
const paintList = painter._paintList;
painter._paintList = function (this: { _i: unknown }, ...args: unknown[]) {
  if (this._i == null) return;
  paintList.apply(this, args);
};

export type ChartOption = echarts.ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | HeatmapSeriesOption
  | PieSeriesOption
  | BoxplotSeriesOption
  | VisualMapComponentOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | DataZoomComponentOption
>;

export type ChartInstance = echarts.ECharts;

export { echarts };

export type ColorScheme = 'light' | 'dark';

/** Colours the chart options use directly (series colours, ghost lines). */
export interface ChartPalette {
  commits: string;
  prsOpened: string;
  prsMerged: string;
  neutral: string;
  text: string;
  subtleText: string;
  grid: string;
  /** The previous-period line drawn over the commit bars. */
  ghost: string;
  /** Legend entries switched off. */
  inactive: string;
  background: string;
}

export const PALETTES: Record<ColorScheme, ChartPalette> = {
  light: {
    commits: '#4263eb',
    prsOpened: '#e8590c',
    prsMerged: '#0ca678',
    neutral: '#868e96',
    text: '#212529',
    subtleText: '#5c636a',
    grid: '#e9ecef',
    inactive: '#adb5bd',
    ghost: '#495057',
    background: '#ffffff',
  },
  dark: {
    commits: '#748ffc',
    prsOpened: '#ff922b',
    prsMerged: '#38d9a9',
    neutral: '#909296',
    text: '#e9ecef',
    subtleText: '#a6a7ab',
    grid: '#373a40',
    inactive: '#5c5f66',
    ghost: '#ced4da',
    background: '#242424',
  },
};

function themeFor(p: ChartPalette) {
  const axis = {
    axisLine: { lineStyle: { color: p.grid } },
    axisTick: { lineStyle: { color: p.grid } },
    axisLabel: { color: p.subtleText },
    splitLine: { lineStyle: { color: p.grid } },
    nameTextStyle: { color: p.subtleText },
  };
  return {
    color: [p.commits, p.prsOpened, p.prsMerged, '#ae3ec9', '#1098ad', '#f08c00'],
    backgroundColor: 'transparent',
    textStyle: { color: p.text, fontFamily: 'inherit' },
    categoryAxis: axis,
    valueAxis: axis,
    legend: { textStyle: { color: p.subtleText }, inactiveColor: p.inactive },
    tooltip: {
      backgroundColor: p.background,
      borderColor: p.grid,
      textStyle: { color: p.text },
      axisPointer: { lineStyle: { color: p.neutral }, crossStyle: { color: p.neutral } },
    },
    dataZoom: {
      borderColor: p.grid,
      textStyle: { color: p.subtleText },
      fillerColor: p === PALETTES.dark ? 'rgba(116,143,252,0.15)' : 'rgba(66,99,235,0.10)',
      handleStyle: { color: p.background, borderColor: p.neutral },
      moveHandleStyle: { color: p.neutral },
      dataBackground: { lineStyle: { color: p.neutral }, areaStyle: { color: p.grid } },
      selectedDataBackground: { lineStyle: { color: p.commits }, areaStyle: { color: p.commits, opacity: 0.2 } },
    },
  };
}

export const THEME_NAMES: Record<ColorScheme, string> = { light: 'momentum-light', dark: 'momentum-dark' };
echarts.registerTheme(THEME_NAMES.light, themeFor(PALETTES.light));
echarts.registerTheme(THEME_NAMES.dark, themeFor(PALETTES.dark));

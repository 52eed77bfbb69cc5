/**
 * The one module that imports the chart library (uCharts, @qiun/ucharts: a single file that draws
 * on a standard CanvasRenderingContext2D, so the same code draws in WeChat's `<canvas type="2d">`
 * and in the browser's canvas). Only the staff subpackage imports it, so residents never download it.
 */
import UCharts from '@qiun/ucharts';

export type ChartKind = 'line' | 'bar';

export interface ChartSeries {
  name: string;
  /** null: nothing to show for that point (a rate with nothing due); drawn as a gap. */
  data: (number | null)[];
  /** '%' values are 0..100; '件' values are counts (the right-hand axis in a line chart with both). */
  unit: '%' | '件';
  color: string;
}

export interface ChartSpec {
  kind: ChartKind;
  categories: string[];
  series: ChartSeries[];
  theme: 'light' | 'dark';
  /** CSS px of the labels before the device's pixel ratio (larger for the elderly mode and the big screen). */
  fontSize: number;
}

export interface CanvasSize {
  /** Device pixels: the canvas's width and height attributes. */
  width: number;
  height: number;
  pixelRatio: number;
}

const THEMES = {
  light: { font: '#424242', grid: '#e0e0e0', background: '#ffffff' },
  dark: { font: '#e3ecff', grid: '#2d3f66', background: '#0b1a33' },
} as const;

/** Draws the chart; uCharts clears the canvas itself just before it draws, so a redraw never flashes blank. */
export function drawChart(context: unknown, size: CanvasSize, spec: ChartSpec): void {
  const theme = THEMES[spec.theme];
  const units = [...new Set(spec.series.map((s) => s.unit))];
  const axisOf = (unit: ChartSeries['unit']) => Math.max(0, units.indexOf(unit));
  const pad = 12;
  // Counts on a bar chart's value axis: whole numbers (4 steps up to a multiple of 4), not 0.80, 1.60.
  const most = Math.max(0, ...spec.series.flatMap((s) => s.data.map((v) => v ?? 0)));
  const top = Math.max(4, Math.ceil(most / 4) * 4);
  new UCharts({
    type: spec.kind === 'bar' ? 'bar' : 'line',
    context,
    width: size.width,
    height: size.height,
    pixelRatio: size.pixelRatio,
    animation: false,
    background: theme.background,
    fontSize: spec.fontSize,
    fontColor: theme.font,
    padding: [pad, pad + 4, 4, pad],
    dataLabel: spec.kind === 'bar',
    dataPointShape: true,
    categories: spec.categories,
    series: spec.series.map((s) => ({ name: s.name, data: s.data, color: s.color, index: spec.kind === 'line' ? axisOf(s.unit) : 0, connectNulls: true, textColor: theme.font })),
    legend: { show: spec.series.length > 1, fontColor: theme.font, fontSize: spec.fontSize, itemGap: 12 },
    xAxis:
      spec.kind === 'bar'
        ? { boundaryGap: 'justify', gridColor: theme.grid, fontColor: theme.font, min: 0, max: top, splitNumber: 4 }
        : { disableGrid: true, fontColor: theme.font, labelCount: Math.min(spec.categories.length, 6), axisLineColor: theme.grid },
    yAxis:
      spec.kind === 'bar'
        ? { disableGrid: true, fontColor: theme.font }
        : {
            gridType: 'dash',
            gridColor: theme.grid,
            data: units.map((unit, i) => ({
              position: i === 0 ? 'left' : 'right',
              min: 0,
              ...(unit === '%' ? { max: 100 } : {}),
              unit: unit === '%' ? '%' : '',
              title: unit,
              fontColor: theme.font,
              titleFontColor: theme.font,
              axisLineColor: theme.grid,
            })),
          },
    extra: {
      line: { type: 'straight', width: 2 },
      bar: { type: 'group', width: Math.max(12, Math.round(spec.fontSize * 1.4)), categoryGap: 2, linearType: 'none' },
      tooltip: { showBox: false },
    },
  });
}

/**
 * A chart for the staff pages: a line chart (trends) or a bar chart (per category, per township),
 * drawn on a canvas by uCharts (./draw.ts), with the same figures as text for screen readers and for
 * anyone who prefers to read them: the canvas is hidden from assistive technology, the figures are
 * a table (visually hidden until 查看数据 shows it). Chinese labels; larger type in the elderly mode.
 */
import { useEffect, useMemo, useState } from 'react';
import { Canvas, Text, View } from '@tarojs/components';
import { isElderlyMode } from '../../../../store/elderly-mode';
import type { ChartKind, ChartSeries } from './draw';
import { paintCanvas } from './paint';
import './index.scss';

export type { ChartKind, ChartSeries };

export interface ChartProps {
  /** The canvas's id, unique on the page. */
  id: string;
  kind: ChartKind;
  title: string;
  /** The table's first column header (周, 类别, 乡镇). */
  categoryLabel: string;
  categories: string[];
  series: ChartSeries[];
  theme?: 'light' | 'dark';
  /** The big screen's larger type. */
  large?: boolean;
}

/** A figure as the table and the spoken summary say it: `85.7%`, `12件`, `—` when there is none. */
export function figureText(value: number | null, unit: ChartSeries['unit']): string {
  if (value === null) return '—';
  return unit === '%' ? `${value}%` : `${value}件`;
}

export default function Chart({ id, kind, title, categoryLabel, categories, series, theme = 'light', large = false }: ChartProps) {
  const [showTable, setShowTable] = useState(false);
  const fontSize = large ? 20 : isElderlyMode() ? 17 : 13;
  // Redraw only when what is drawn changed (a dashboard refresh with the same figures draws nothing).
  const spec = useMemo(() => ({ kind, categories, series, theme, fontSize }), [kind, categories, series, theme, fontSize]);
  const key = JSON.stringify(spec);
  useEffect(() => {
    if (categories.length > 0) void paintCanvas(id, spec);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, key]);

  const empty = categories.length === 0;
  const summary = `${title}：${empty ? '暂无数据' : `${categories.length}项，${series.map((s) => s.name).join('、')}`}`;

  return (
    <View className={`chart chart--${theme}${large ? ' chart--large' : ''}`}>
      <View className='chart__head'>
        <Text className='chart__title'>{title}</Text>
        {empty ? null : (
          <Text className='chart__toggle' onClick={() => setShowTable((v) => !v)}>
            {showTable ? '收起数据' : '查看数据'}
          </Text>
        )}
      </View>
      {empty ? (
        <Text className='chart__empty'>暂无数据</Text>
      ) : (
        <Canvas type='2d' id={id} canvasId={id} className={`chart__canvas chart__canvas--${kind}`} aria-hidden='true' />
      )}
      {empty ? null : (
        <View className={showTable ? 'chart__table' : 'chart__table chart__table--hidden'} aria-label={summary} role='table'>
          <View className='chart__row chart__row--head' role='row'>
            <View className='chart__cell chart__cell--name' role='columnheader'>
              {categoryLabel}
            </View>
            {series.map((s) => (
              <View className='chart__cell' role='columnheader' key={s.name}>
                {s.name}
              </View>
            ))}
          </View>
          {categories.map((c, i) => (
            <View className='chart__row' role='row' key={`${c}-${i}`}>
              <View className='chart__cell chart__cell--name' role='rowheader'>
                {c}
              </View>
              {series.map((s) => (
                <View className='chart__cell' role='cell' key={s.name}>
                  {figureText(s.data[i] ?? null, s.unit)}
                </View>
              ))}
            </View>
          ))}
        </View>
      )}
    </View>
  );
}

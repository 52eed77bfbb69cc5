/**
 * What the measures page and the county dashboard say about the figures: the rates' Chinese names
 * and formulas (server/measures/formulas.ts RATE_TEXT says the same in the API's words), how a rate
 * and its change read, and the periods the page offers, in China time.
 */
import type { Groups, RateFigure, RateName, Series } from '../../../api/types';
import type { ChartSeries } from './Chart/draw';
import { chinaIsoDate, chinaParts } from '../../../../common/china-time';

export const RATE_NAMES: readonly RateName[] = ['response', 'resolution', 'satisfaction', 'onTime'];

export const RATE_LABELS: Record<RateName, string> = { response: '响应率', resolution: '解决率', satisfaction: '满意率', onTime: '按期办结率' };

export const RATE_FORMULAS: Record<RateName, string> = {
  response: '响应率 = 在受理时限内处理（受理、不予受理、合并，或提交时直派）的诉求数 ÷ 本期受理时限已到（按时处理或超时未处理）的诉求数',
  resolution: '解决率 = 判定为已解决的答复数 ÷ 本期判定的答复数。以群众评价为准；答复后7天未评价自动办结的算已解决，重新办理的算未解决',
  satisfaction: '满意率 =（满意 + 基本满意）÷ 本期评价数。未评价的不计入；重新办理撤回的评价算不满意',
  onTime: '按期办结率 = 在办结时限内答复的办理数 ÷ 本期办结时限已到的办理数。每次重新办理重新计时；期限前不予受理或合并的不计入',
};

export const RANKING_FORMULA =
  '综合得分 = 100 ×（0.2 × 响应率 + 0.3 × 解决率 + 0.3 × 满意率 + 0.2 × 按期办结率）。某项本月无应计数时不计入，其余权重按比例放大；得分相同名次相同。变化为本月与上月相比。';

/** The chart colours of the four rates and of the received count. */
export const RATE_COLORS: Record<RateName, string> = { response: '#1565c0', resolution: '#2e7d32', satisfaction: '#ef6c00', onTime: '#6a1b9a' };
export const RECEIVED_COLOR = '#b71c1c';

/** A rate in percent with one decimal (85.7), or null when nothing was due. */
export const percent = (rate: RateFigure | { value: number | null }): number | null => (rate.value === null ? null : Math.round(rate.value * 1000) / 10);

/** `85.7%`, or `—` when nothing was due. */
export const rateText = (rate: { value: number | null }): string => {
  const p = percent(rate);
  return p === null ? '—' : `${p}%`;
};

export interface Change {
  /** up, down, same; none: one of the two periods has no value. */
  dir: 'up' | 'down' | 'same' | 'none';
  /** `↑ 2.3个百分点`, `↓ 1个百分点`, `持平`, `上期无数据`. */
  text: string;
}

/** How a rate moved from the previous period, in percentage points. */
export function rateChange(now: { value: number | null }, before: { value: number | null }): Change {
  const a = percent(now);
  const b = percent(before);
  if (a === null || b === null) return { dir: 'none', text: a === null ? '本期无数据' : '上期无数据' };
  const d = Math.round((a - b) * 10) / 10;
  if (d === 0) return { dir: 'same', text: '持平' };
  return d > 0 ? { dir: 'up', text: `↑ ${d}个百分点` } : { dir: 'down', text: `↓ ${-d}个百分点` };
}

/** A ranking's change of rank (positive: moved up) as `↑2`, `↓1`, `—` (same), `新` (not ranked last month). */
export function rankChangeText(change: number | null, previousRank: number | null): string {
  if (previousRank === null || change === null) return '新';
  if (change === 0) return '—';
  return change > 0 ? `↑${change}` : `↓${-change}`;
}

/** A score's change: `+3.2`, `-1.5`, `0`, `—` when either month has none. */
export function scoreChangeText(change: number | null): string {
  if (change === null) return '—';
  return change > 0 ? `+${change}` : String(change);
}

// ---- periods (China time) ----

export type PeriodKey = 'thisMonth' | 'lastMonth' | 'weeks12';
export const PERIOD_LABELS: Record<PeriodKey, string> = { thisMonth: '本月', lastMonth: '上月', weeks12: '近12周' };

export interface Period {
  from: string;
  to: string;
}
export interface PeriodPair {
  current: Period;
  previous: Period;
  /** The month whose ranking goes with the period, YYYY-MM. */
  month: string;
  /** `2026年12月1日—12月7日`. */
  label: string;
}

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const monthStart = (year: number, month: number) => {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-01`;
};
const monthEnd = (year: number, month: number) => addDays(monthStart(year, month + 1), -1);
const monthOf = (iso: string) => iso.slice(0, 7);

/** `12月1日`, or `2026年12月1日` with the year. */
function dayLabel(iso: string, withYear: boolean): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${withYear ? `${y}年` : ''}${m}月${d}日`;
}
export const periodLabel = (p: Period) => `${dayLabel(p.from, true)}—${dayLabel(p.to, monthOf(p.from).slice(0, 4) !== monthOf(p.to).slice(0, 4))}`;

/** 本月 (to today) beside all of last month; 上月 beside the month before; 近12周 (Monday 11 weeks ago to today) beside the 12 weeks before. */
export function periodOf(key: PeriodKey, now: number): PeriodPair {
  const today = chinaIsoDate(now);
  const { year, month } = chinaParts(now);
  let current: Period;
  let previous: Period;
  if (key === 'thisMonth') {
    current = { from: monthStart(year, month), to: today };
    previous = { from: monthStart(year, month - 1), to: monthEnd(year, month - 1) };
  } else if (key === 'lastMonth') {
    current = { from: monthStart(year, month - 1), to: monthEnd(year, month - 1) };
    previous = { from: monthStart(year, month - 2), to: monthEnd(year, month - 2) };
  } else {
    current = twelveWeeks(today);
    previous = { from: addDays(current.from, -84), to: addDays(current.from, -1) };
  }
  return { current, previous, month: key === 'lastMonth' ? monthOf(current.from) : monthOf(today), label: periodLabel(current) };
}

/** The 12 weeks (Monday to Sunday) up to today: this week's Monday back 11 weeks, to today. */
export function twelveWeeks(today: string): Period {
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return { from: addDays(today, -weekday - 77), to: today };
}

/** `12月1日` for a week's first day, the trend chart's labels. */
export const weekLabel = (from: string) => dayLabel(from, false);

/** `2026年12月` for `2026-12`. */
export const monthLabel = (month: string) => `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`;

// ---- charts ----

/** The trend chart's series: the four rates in percent (left axis) and the appeals received (right axis). */
export function trendSeries(trend: Series): { categories: string[]; series: ChartSeries[] } {
  return {
    categories: trend.items.map((w) => weekLabel(w.from)),
    series: [
      ...RATE_NAMES.map((r): ChartSeries => ({ name: RATE_LABELS[r], unit: '%', color: RATE_COLORS[r], data: trend.items.map((w) => percent(w.rates[r])) })),
      { name: '收到诉求', unit: '件', color: RECEIVED_COLOR, data: trend.items.map((w) => w.counts.received) },
    ],
  };
}

/** A bar chart of the appeals received per unit (category, township), most first. */
/**
 * Bars of appeals received per unit: the units that received any, most first, at most `limit`
 * bars, the rest summed into one (a county has a score of categories: more bars are unreadable).
 */
export function receivedBars(items: Groups['items'], limit = 8): { categories: string[]; series: ChartSeries[] } {
  const sorted = items.filter((g) => g.counts.received > 0).sort((a, b) => b.counts.received - a.counts.received);
  const shown = sorted.length > limit ? sorted.slice(0, limit - 1) : sorted;
  const rest = sorted.slice(shown.length);
  const bars = shown.map((g) => ({ name: g.name, n: g.counts.received }));
  if (rest.length > 0) bars.push({ name: `其余${rest.length}项`, n: rest.reduce((sum, g) => sum + g.counts.received, 0) });
  return { categories: bars.map((b) => b.name), series: [{ name: '收到诉求', unit: '件', color: RECEIVED_COLOR, data: bars.map((b) => b.n) }] };
}


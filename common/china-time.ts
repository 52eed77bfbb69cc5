/**
 * China time (UTC+8 all year, no daylight saving), the one way every part of Xianrong reads and
 * writes a date: the server (ticket numbers, day buckets, "once a day" rules, message texts), the
 * bot (`查询` answers) and the mini-program (labels), whatever the zone of the machine or phone.
 * Ticket numbers carry the China date, so a time shown beside a number never falls on another day.
 *
 * No imports: the mini-program bundles this file too.
 */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

const pad = (n: number) => String(n).padStart(2, '0');

export interface ChinaParts {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  hour: number;
  minute: number;
}

/** An instant's calendar fields in China time. */
export function chinaParts(at: Date | number): ChinaParts {
  const d = new Date((typeof at === 'number' ? at : at.getTime()) + OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Days since the epoch, counted in China time (for "today", "yesterday"). */
export const chinaDayIndex = (at: Date | number): number => Math.floor(((typeof at === 'number' ? at : at.getTime()) + OFFSET_MS) / DAY_MS);

/** `20261126` for any instant on 26 November 2026 in China. */
export function chinaDay(at: Date): string {
  const p = chinaParts(at);
  return `${p.year}${pad(p.month)}${pad(p.day)}`;
}

/** `2026-11-26`, the value of a date picker. */
export function chinaIsoDate(at: Date | number): string {
  const p = chinaParts(at);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `14:05`, the value of a time picker. */
export function chinaClock(at: Date | number): string {
  const p = chinaParts(at);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant a China-time day (`2026-11-26`) begins. */
export function chinaDayStart(isoDay: string): Date {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) - OFFSET_MS);
}

/** `11月26日` (no leading zeros: 12月7日, as people write it). */
export function chinaMonthDay(at: Date | number): string {
  const p = chinaParts(at);
  return `${p.month}月${p.day}日`;
}

/** `11月26日 14:05`, for messages and labels. */
export function chinaShortTime(at: Date | number): string {
  return `${chinaMonthDay(at)} ${chinaClock(at)}`;
}

/** `2026年11月26日`. */
export function chinaLongDate(at: Date | number): string {
  return `${chinaParts(at).year}年${chinaMonthDay(at)}`;
}

/** `2026年11月26日 14:05`: WeChat's subscribe-message `time` field takes a time with its year, not a month-day alone. */
export function chinaLongTime(at: Date | number): string {
  return `${chinaLongDate(at)} ${chinaClock(at)}`;
}

/** An ISO string (or anything Date parses) as a time, or null when it is missing or not a date. */
export function parseInstant(value: string | Date | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

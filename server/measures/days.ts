/** China days as numbers (days since the epoch in China time), their keys and their bounds. */
import { chinaDay, chinaDayIndex } from '../../common/china-time';

const DAY_MS = 24 * 3600_000;
const OFFSET_MS = 8 * 3600_000;

export { chinaDayIndex as dayIndexOf };
/** The instant China day `i` begins. */
export const dayStart = (i: number) => new Date(i * DAY_MS - OFFSET_MS);
/** `20261126` for day `i`. */
export const dayKey = (i: number) => chinaDay(dayStart(i));
/** Day `i` of `2026-11-26`. */
export const dayIndexOfIso = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

/** Runs of consecutive days, each at most `max` long: one read of the timelines per run. */
export function spans(days: readonly number[], max: number): [number, number][] {
  const out: [number, number][] = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && d === last[1] + 1 && d - last[0] < max) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

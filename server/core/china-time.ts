/**
 * The county works in China time (UTC+8, no daylight saving): ticket numbers, day buckets and
 * "once a day" rules follow the local calendar day, not the server's timezone.
 */
const OFFSET_MS = 8 * 3600 * 1000;

/** `20261126` for any instant on 26 November 2026 in China. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The instant a China-time day (`2026-11-26`) begins. */
export function chinaDayStart(isoDay: string): Date {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) - OFFSET_MS);
}

/** `11月26日 14:05` in China time, for messages. */
export function chinaShortTime(at: Date): string {
  const d = new Date(at.getTime() + OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

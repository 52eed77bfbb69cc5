import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../errors';
import { rateWindowModel, type RateWindowDoc } from './model';

/**
 * Fixed-window counters in the database. A limit names what it counts (`key`), how many in how
 * long; `hit` counts one event against several limits at once (e.g. per account and per address)
 * and says whether any of them is exhausted, and when to try again.
 *
 * The count is atomic ($inc on an upserted document), so concurrent attempts from several
 * processes can never all slip under the limit.
 */
export interface RateLimit {
  /** What is counted, e.g. `login:account:admin`. Keep personal data out: hash it if needed. */
  key: string;
  limit: number;
  windowMs: number;
  /**
   * Shifts where windows start: a window starts when (epoch ms + offsetMs) is a multiple of
   * `windowMs`. Default 0 (UTC). `CHINA_DAY_OFFSET_MS` with a day's window: China calendar days.
   */
  offsetMs?: number;
}

/** With `windowMs` of a day, windows that start at midnight China time (UTC+8). */
export const CHINA_DAY_OFFSET_MS = 8 * 60 * 60 * 1000;

/** How long to wait, in Chinese: `40秒` under a minute, else `3分钟`, `2小时` (rounded up). */
export function waitText(retryAfterSeconds: number): string {
  if (retryAfterSeconds < 60) return `${Math.max(1, Math.ceil(retryAfterSeconds))}秒`;
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return minutes >= 60 ? `${Math.ceil(minutes / 60)}小时` : `${minutes}分钟`;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the exhausted window ends (0 when allowed). */
  retryAfterSeconds: number;
  /** The first exhausted limit's key, for logs. */
  exceeded?: string;
}

/** The limiter on a connection's windows, with the clock of the app (`rateLimiter(ctx)`). */
export function rateLimiter({ conn, now }: { conn: Connection; now: () => Date }) {
  const Windows = rateWindowModel(conn);
  const windowOf = (l: RateLimit, t: number) => {
    const offset = l.offsetMs ?? 0;
    const start = Math.floor((t + offset) / l.windowMs) * l.windowMs - offset;
    return { id: `${l.key}|${start}`, end: start + l.windowMs };
  };

  async function increment(id: string, expiresAt: Date, by = 1): Promise<number> {
    // Upsert races: two first hits may both try to insert; the loser retries as an update.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await Windows.findOneAndUpdate({ _id: id }, { $inc: { count: by }, $setOnInsert: { expiresAt } }, { upsert: true, returnDocument: 'after' }).lean<RateWindowDoc>();
        return doc!.count;
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= 2) throw err;
      }
    }
  }

  /**
   * Count one event against every limit; allowed only if every count is within its limit. The
   * windows are counted at once (each its own atomic `$inc`), not one after the other.
   */
  async function hit(limits: RateLimit[]): Promise<RateDecision> {
    const t = now().getTime();
    let decision: RateDecision = { allowed: true, retryAfterSeconds: 0 };
    const windows = limits.map((l) => windowOf(l, t));
    const counts = await Promise.all(windows.map((w) => increment(w.id, new Date(w.end))));
    for (const [i, l] of limits.entries()) {
      const w = windows[i];
      const count = counts[i];
      if (count > l.limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil((w.end - t) / 1000));
        if (decision.allowed || retryAfterSeconds > decision.retryAfterSeconds) decision = { allowed: false, retryAfterSeconds, exceeded: l.key };
      }
    }
    return decision;
  }

  /** Whether any limit is already exhausted, without counting (e.g. before trying a password). */
  async function check(limits: RateLimit[]): Promise<RateDecision> {
    const t = now().getTime();
    const docs = await Windows.find({ _id: { $in: limits.map((l) => windowOf(l, t).id) } }).lean<RateWindowDoc[]>();
    const counts = new Map(docs.map((d) => [d._id, d.count]));
    for (const l of limits) {
      const w = windowOf(l, t);
      if ((counts.get(w.id) ?? 0) >= l.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.end - t) / 1000)), exceeded: l.key };
    }
    return { allowed: true, retryAfterSeconds: 0 };
  }

  return {
    hit,
    check,

    /**
     * Count one event only if no limit is spent yet: an attempt refused by a limit that is already
     * spent is not counted again, so one noisy caller does not eat a shared budget (a room's, the
     * bot's) on their own. Concurrent attempts still cannot slip past a limit: the count is `hit`.
     */
    async admit(limits: RateLimit[]): Promise<RateDecision> {
      const spent = await check(limits);
      if (!spent.allowed) return spent;
      return hit(limits);
    },

    /**
     * Amounts rather than events (bytes of photos a day): add `by` (negative to give back) to the
     * limit's current window and answer the new total, and when the window ends.
     */
    async add(l: RateLimit, by: number): Promise<{ total: number; retryAfterSeconds: number }> {
      const t = now().getTime();
      const w = windowOf(l, t);
      return { total: await increment(w.id, new Date(w.end), by), retryAfterSeconds: Math.max(1, Math.ceil((w.end - t) / 1000)) };
    },

    /** Seconds until the limit's current window ends. */
    secondsLeft(l: RateLimit): number {
      const t = now().getTime();
      return Math.max(1, Math.ceil((windowOf(l, t).end - t) / 1000));
    },

    /** The current windows' totals of these limits, in their order (0 for a window not begun). */
    async totals(limits: RateLimit[]): Promise<number[]> {
      const t = now().getTime();
      const ids = limits.map((l) => windowOf(l, t).id);
      const docs = await Windows.find({ _id: { $in: ids } }).lean<RateWindowDoc[]>();
      return ids.map((id) => docs.find((d) => d._id === id)?.count ?? 0);
    },

    /** Delete windows that have ended (called by the cleanup job). */
    async removeExpired(): Promise<number> {
      return (await Windows.deleteMany({ expiresAt: { $lte: now() } })).deletedCount;
    },
  };
}
export type RateLimiter = ReturnType<typeof rateLimiter>;


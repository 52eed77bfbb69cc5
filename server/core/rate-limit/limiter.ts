import { createHash } from 'node:crypto';
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
  /**
   * A longer limit counted with this one (one account's hour beside its minute): this limit's
   * windows are then kept in that limit's current window document, so a hit on both is one write.
   * Only when the windows nest (its length a multiple of this one's, their starts aligned);
   * otherwise this limit keeps documents of its own. Where a limit is kept depends on the limit
   * alone, never on the others of a call.
   */
  countedIn?: Pick<RateLimit, 'key' | 'windowMs' | 'offsetMs'>;
}

/** With `windowMs` of a day, windows that start at midnight China time (UTC+8). */
export const CHINA_DAY_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * One account's China day: the document every per-account limit is counted in (`countedIn`), the
 * default write limit's minute and hour (write-limits.ts) and a route's own per-account limits
 * (appeal filing's hour and day, appeals/limits.ts), so a request that counts the write limit with
 * its own (a filing: core/route.ts `'joined'`) writes one document. The windows of a limit that
 * ended are pruned from it as it is counted (`increment`), so it holds about the current windows,
 * not one field per minute of the day.
 */
export const accountDay = (accountId: string): NonNullable<RateLimit['countedIn']> => ({ key: `account:${accountId}:d`, windowMs: 24 * 60 * 60 * 1000, offsetMs: CHINA_DAY_OFFSET_MS });

/** Ended windows of the limits counted in a document, pruned together once there are this many. */
const PRUNE_AT = 16;

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

const startOf = (l: Pick<RateLimit, 'windowMs' | 'offsetMs'>, t: number) => {
  const offset = l.offsetMs ?? 0;
  return Math.floor((t + offset) / l.windowMs) * l.windowMs - offset;
};

/** Whether every window of `host` is a whole number of `l`'s windows, so none of l's crosses host's end. */
const nests = (l: RateLimit, host: NonNullable<RateLimit['countedIn']>) =>
  host.windowMs % l.windowMs === 0 && ((((host.offsetMs ?? 0) - (l.offsetMs ?? 0)) % l.windowMs) + l.windowMs) % l.windowMs === 0;

/** A limit's name inside another limit's document: a field name, whatever characters the key has. */
const fieldKey = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** The limiter on a connection's windows, with the clock of the app (`rateLimiter(ctx)`). */
export function rateLimiter({ conn, now }: { conn: Connection; now: () => Date }) {
  const Windows = rateWindowModel(conn);
  /**
   * Where the limit's current window is counted: document `id` (`<key>|<window start ms>`), in its
   * `count`, or in `w[field]` when it is counted in a longer limit's document (`countedIn`), and
   * when the document may go (the end of its window).
   */
  const windowOf = (l: RateLimit, t: number) => {
    const start = startOf(l, t);
    const end = start + l.windowMs;
    const host = l.countedIn;
    if (host && nests(l, host)) {
      const hostStart = startOf(host, t);
      const prefix = `${fieldKey(l.key)}_`;
      return { id: `${host.key}|${hostStart}`, field: `${prefix}${start}`, prefix, windowMs: l.windowMs, end, expiresAt: hostStart + host.windowMs };
    }
    return { id: `${l.key}|${start}`, field: null, prefix: null, windowMs: l.windowMs, end, expiresAt: end };
  };
  type Window = ReturnType<typeof windowOf>;
  const countIn = (w: Window, doc: RateWindowDoc | null | undefined) => (w.field ? (doc?.w?.[w.field] ?? 0) : (doc?.count ?? 0));

  /**
   * The fields of windows that ended (at `t`) of the limits in `ws`, in their document `doc`: no
   * count reads them again (a window is counted and read only while it runs).
   */
  function ended(ws: Window[], doc: RateWindowDoc, t: number): string[] {
    const out: string[] = [];
    for (const w of ws) {
      if (!w.prefix) continue;
      for (const f of Object.keys(doc.w ?? {})) if (f !== w.field && f.startsWith(w.prefix) && Number(f.slice(w.prefix.length)) + w.windowMs <= t) out.push(f);
    }
    return out;
  }

  /**
   * Adds `by` to each window (one write per document) and answers their new counts, in order. A
   * document that holds PRUNE_AT ended windows of these limits loses them in one more write.
   */
  async function increment(windows: Window[], t: number, by = 1): Promise<number[]> {
    const byDoc = new Map<string, Window[]>();
    for (const w of windows) byDoc.set(w.id, [...(byDoc.get(w.id) ?? []), w]);
    const docs = new Map<string, RateWindowDoc>();
    await Promise.all(
      [...byDoc].map(async ([id, ws]) => {
        const inc: Record<string, number> = {};
        for (const w of ws) {
          const path = w.field ? `w.${w.field}` : 'count';
          inc[path] = (inc[path] ?? 0) + by;
        }
        const update = { $inc: inc, $setOnInsert: { expiresAt: new Date(ws[0].expiresAt), ...('count' in inc ? {} : { count: 0 }) } };
        // Upsert races: two first hits may both try to insert; the loser retries as an update.
        for (let attempt = 0; ; attempt++) {
          try {
            const doc = (await Windows.findOneAndUpdate({ _id: id }, update, { upsert: true, returnDocument: 'after' }).lean<RateWindowDoc>())!;
            docs.set(id, doc);
            const gone = ended(ws, doc, t);
            if (gone.length >= PRUNE_AT) await Windows.updateOne({ _id: id }, { $unset: Object.fromEntries(gone.map((f) => [`w.${f}`, 1])) });
            return;
          } catch (err) {
            if (!isDuplicateKeyError(err) || attempt >= 2) throw err;
          }
        }
      }),
    );
    return windows.map((w) => countIn(w, docs.get(w.id)));
  }

  /** The current counts of these windows, in order (0 for one not begun), in one read. */
  async function read(windows: Window[]): Promise<number[]> {
    const docs = await Windows.find({ _id: { $in: [...new Set(windows.map((w) => w.id))] } }).lean<RateWindowDoc[]>();
    const byId = new Map(docs.map((d) => [d._id, d]));
    return windows.map((w) => countIn(w, byId.get(w.id)));
  }

  /** Counts one event against every limit and decides; also answers the windows and their new counts. */
  async function count(limits: RateLimit[], t: number): Promise<{ decision: RateDecision; windows: Window[]; counts: number[] }> {
    let decision: RateDecision = { allowed: true, retryAfterSeconds: 0 };
    const windows = limits.map((l) => windowOf(l, t));
    const counts = await increment(windows, t);
    for (const [i, l] of limits.entries()) {
      const w = windows[i];
      if (counts[i] > l.limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil((w.end - t) / 1000));
        if (decision.allowed || retryAfterSeconds > decision.retryAfterSeconds) decision = { allowed: false, retryAfterSeconds, exceeded: l.key };
      }
    }
    return { decision, windows, counts };
  }

  /**
   * Count one event against every limit; allowed only if every count is within its limit. Each
   * document is one atomic `$inc` (a limit and those counted in it together), all at once.
   */
  async function hit(limits: RateLimit[]): Promise<RateDecision> {
    return (await count(limits, now().getTime())).decision;
  }

  /**
   * Windows this limiter has seen spent (their count at or over the limit), by window and field,
   * with when the window ends. A window's count only grows until it ends (`admit`'s limits are
   * events, never given back with `add`; `giveBack` forgets the windows it gives back to), so one
   * seen spent stays spent: `admit` refuses it from here without a read. Per process: a window
   * spent by another process is not here, and is found by the count itself (below).
   */
  const spent = new Map<string, { end: number; limit: number }>();
  const spentKey = (w: Window) => `${w.id}#${w.field ?? ''}`;
  const SPENT_MAX = 10_000;
  function noteSpent(limits: RateLimit[], windows: Window[], counts: number[], t: number): void {
    for (const [i, l] of limits.entries()) if (counts[i] >= l.limit) spent.set(spentKey(windows[i]), { end: windows[i].end, limit: l.limit });
    if (spent.size > SPENT_MAX) for (const [k, v] of spent) if (v.end <= t || spent.size > SPENT_MAX) spent.delete(k);
  }

  /** Events claimed by `lease` and not yet handed out, by the windows they were claimed in; bounded like `spent`. */
  const leases = new Map<string, { left: number; end: number }>();
  const LEASES_MAX = 10_000;

  /** The refusal of a limit this process saw spent (`spent`), from memory; null when none is. */
  function knownSpent(limits: readonly RateLimit[], t: number): RateDecision | null {
    for (const l of limits) {
      const w = windowOf(l, t);
      const known = spent.get(spentKey(w));
      if (known && known.end > t && known.limit === l.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.end - t) / 1000)), exceeded: l.key };
    }
    return null;
  }

  /** Whether any limit is already exhausted, without counting (e.g. before trying a password). */
  async function check(limits: RateLimit[]): Promise<RateDecision> {
    const t = now().getTime();
    const windows = limits.map((l) => windowOf(l, t));
    const counts = await read(windows);
    for (const [i, l] of limits.entries()) {
      const w = windows[i];
      if (counts[i] >= l.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.end - t) / 1000)), exceeded: l.key };
    }
    return { allowed: true, retryAfterSeconds: 0 };
  }

  return {
    hit,
    check,

    /**
     * `admit`'s refusal from memory alone: a limit this process saw spent, or null (then only a
     * count decides). Counts nothing and reads nothing: for refusing before work that a later
     * `admit` of the same limits would refuse anyway.
     */
    refusedFromMemory: (limits: readonly RateLimit[]): RateDecision | null => knownSpent(limits, now().getTime()),

    /**
     * Count one event only if no limit is spent yet: an attempt refused by a limit that is already
     * spent is not counted again, so one noisy caller does not eat a shared budget (a room's, the
     * bot's) on their own. Concurrent attempts still cannot slip past a limit: the count is `hit`.
     *
     * Without a read first: the `$inc` alone decides whether an attempt is allowed (exact across
     * processes), and the windows this limiter has seen reach their limit are refused from memory
     * until they end (`spent`), uncounted. A read would only tell this process of a window another
     * process spent: then the first attempt here is counted (refused, by its own count) against
     * the call's other limits too, once per process and window, and the later ones are not.
     */
    async admit(limits: RateLimit[]): Promise<RateDecision> {
      const t = now().getTime();
      const known = knownSpent(limits, t);
      if (known) return known;
      const { decision, windows, counts } = await count(limits, t);
      noteSpent(limits, windows, counts, t);
      return decision;
    },

    /**
     * Like `admit`, for frequent reads that cost CPU but write nothing (a suggestion asked as the
     * resident types): the windows are counted `block` events at a time, and this process hands
     * out what it claimed from memory, so one account's burst costs one database write per
     * `block` events instead of one each.
     *
     * Never over the limit across processes: a claim is an atomic `$inc` by `block`, and only the
     * part of it that fits under every limit is granted (`granted` below), so the events granted
     * in all processes together stay within each limit. The price is the other way: events this
     * process claimed and did not use before the window ends are lost to the caller, at most
     * `block - 1` per process and window (state it where the limit is set).
     */
    async lease(limits: RateLimit[], block: number): Promise<RateDecision> {
      const t = now().getTime();
      const windows = limits.map((l) => windowOf(l, t));
      // The key names the current windows, so a window's end starts a new lease by itself.
      const key = windows.map(spentKey).join(',');
      const held = leases.get(key);
      if (held && held.end > t && held.left > 0) {
        held.left--;
        return { allowed: true, retryAfterSeconds: 0 };
      }
      for (const [i, l] of limits.entries()) {
        const known = spent.get(spentKey(windows[i]));
        if (known && known.end > t && known.limit === l.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windows[i].end - t) / 1000)), exceeded: l.key };
      }
      const counts = await increment(windows, t, block);
      // What this claim may hand out under each limit: the events below the limit before the claim, at most the block.
      const fits = limits.map((l, i) => Math.min(block, Math.max(0, l.limit - (counts[i] - block))));
      const granted = Math.min(...fits);
      noteSpent(limits, windows, counts, t);
      if (granted === 0) {
        let decision: RateDecision = { allowed: false, retryAfterSeconds: 0 };
        for (const [i, l] of limits.entries()) {
          const retryAfterSeconds = Math.max(1, Math.ceil((windows[i].end - t) / 1000));
          if (fits[i] === 0 && retryAfterSeconds > decision.retryAfterSeconds) decision = { allowed: false, retryAfterSeconds, exceeded: l.key };
        }
        return decision;
      }
      if (leases.size >= LEASES_MAX) for (const [k, v] of leases) if (v.end <= t || leases.size >= LEASES_MAX) leases.delete(k);
      // Claims that overlapped in this process add up: a later one must not drop what an earlier one left.
      const current = leases.get(key);
      if (current && current.end > t) current.left += granted - 1;
      else leases.set(key, { left: granted - 1, end: Math.min(...windows.map((w) => w.end)) });
      return { allowed: true, retryAfterSeconds: 0 };
    },

    /**
     * Takes back one event `admit` counted against `limits`, for an event that turned out not to
     * be one (a filing's retry, caught by its unique index after it was admitted). In the current
     * windows: when one ended in between, its next window starts one lower. The windows this
     * process had seen spent are forgotten, as they may have room again. Another process that saw
     * one of them spent refuses it from memory until it ends: at most one event of that window
     * lost to the caller there.
     */
    async giveBack(limits: RateLimit[]): Promise<void> {
      const t = now().getTime();
      const windows = limits.map((l) => windowOf(l, t));
      for (const w of windows) spent.delete(spentKey(w));
      await increment(windows, t, -1);
    },

    /**
     * Amounts rather than events (bytes of photos a day): add `by` (negative to give back) to the
     * limit's current window and answer the new total, and when the window ends.
     */
    async add(l: RateLimit, by: number): Promise<{ total: number; retryAfterSeconds: number }> {
      const t = now().getTime();
      const w = windowOf(l, t);
      return { total: (await increment([w], t, by))[0], retryAfterSeconds: Math.max(1, Math.ceil((w.end - t) / 1000)) };
    },

    /** Seconds until the limit's current window ends. */
    secondsLeft(l: RateLimit): number {
      const t = now().getTime();
      return Math.max(1, Math.ceil((windowOf(l, t).end - t) / 1000));
    },

    /** The current windows' totals of these limits, in their order (0 for a window not begun). */
    async totals(limits: RateLimit[]): Promise<number[]> {
      const t = now().getTime();
      return read(limits.map((l) => windowOf(l, t)));
    },

    /** Delete windows that have ended (called by the cleanup job). */
    async removeExpired(): Promise<number> {
      return (await Windows.deleteMany({ expiresAt: { $lte: now() } })).deletedCount;
    },
  };
}
export type RateLimiter = ReturnType<typeof rateLimiter>;


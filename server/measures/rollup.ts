/**
 * The daily rollup: each China day's figures, per cell, written once after the day has ended, so
 * a period's figures are a read of one document per day (`measurepacks`: its cells packed into
 * one string, pack.ts) instead of a walk of every appeal's timeline.
 *
 * Why this shape: every fact is counted on the day of its own time (formulas.ts), and a fact is
 * written only when it is certain (a deadline counts when it is met or has passed). Nothing that
 * happens after a day has ended adds a fact to it or changes one, so a rolled-up day never
 * changes and never needs rolling up again: no per-move bookkeeping in the appeals' writes, no
 * recount when an appeal moves later. Today (and any day not rolled up yet) is computed from the
 * timelines at each request with the same code (formulas.ts), so the two agree by construction:
 * a day's facts are read as of the day's end, from its events (the rating a `rate` event gave,
 * the department and category before a move changed them), not from what the appeal holds now,
 * so a day rolled up late (the minutes before the next run, a server that was down, days
 * forgotten by an import, days older than the catch-up) has the figures it had when it ended.
 *
 * Several server processes: a day is claimed with a lease in `measuredays` (one document per day,
 * `_id` the day, so two claims of one day cannot both insert), its pack is written, and then the
 * day is marked done (two processes writing one day write the same values). A process
 * that dies mid-day leaves the lease to expire; the next run rolls the day up again. Each run
 * catches up every day of the last CATCH_UP_DAYS not done yet (a server that was down, a new
 * installation); older days are computed from the timelines when asked.
 */
import type { AppContext } from '../context';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { isDuplicateKeyError } from '../core/errors';
import { appealTimelines } from '../appeals';
import { addAppeal, type CellKey, type Tally } from './formulas';
import { MEASURE_DAYS_CACHE, measureModels } from './model';
import { packCells, type PackedCell } from './pack';
import { bumpStamp } from '../core/cache/stamps';
import { dayIndexOf, dayKey, dayStart, spans } from './days';

/** A year and a month of margin: the longest period the API answers (366 days) is all rolled up. */
export const CATCH_UP_DAYS = 400;
/** At most this many days per read of the timelines. */
export const SPAN_DAYS = 31;
export const DEFAULT_ROLLUP_INTERVAL_MS = 10 * 60 * 1000;
const LEASE_MS = 10 * 60 * 1000;
/** Where an older version kept rolled-up cells, one document each (see unpackedToRollAgain). */
const LEGACY_CELLS = 'measurecells';

export type DayCells = Map<string, { day: string; cell: CellKey; tally: Tally }>;

/** The cells of days [first, last] as the timelines say now, facts up to `until`. */
export async function computeDays(ctx: AppContext, first: number, last: number, until: Date): Promise<DayCells> {
  const from = dayStart(first);
  const to = dayStart(last + 1);
  const out: DayCells = new Map();
  for await (const a of appealTimelines(ctx).between(from, to)) addAppeal(out, a, from, to, until);
  return out;
}

export function measureRollup(ctx: AppContext) {
  const { MeasureDay, MeasurePack } = measureModels(ctx.conn);

  /** Claim day `i` for this run: false when it is done or another process holds a live lease. */
  async function claim(i: number, now: Date): Promise<boolean> {
    try {
      const got = await MeasureDay.findOneAndUpdate(
        { _id: dayKey(i), done: false, leaseUntil: { $lte: now } },
        { $set: { done: false, leaseUntil: new Date(now.getTime() + LEASE_MS) } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return !!got;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Writes day `i`'s cells packed, then the day done: a done day always has its pack. */
  async function write(i: number, cells: DayCells, now: Date): Promise<number> {
    const day = dayKey(i);
    const ofDay: PackedCell[] = [];
    for (const c of cells.values()) if (c.day === day) ofDay.push(c);
    await MeasurePack.replaceOne({ _id: day }, { _id: day, pack: packCells(ofDay) }, { upsert: true });
    await MeasureDay.updateOne({ _id: day }, { $set: { done: true, packed: true, rolledAt: now, cells: ofDay.length } });
    return ofDay.length;
  }

  /**
   * Days an older version rolled up kept their cells as documents of their own (`measurecells`)
   * and are not `packed`: they are marked not done, so this run rolls them up again from the
   * timelines (the same figures: a rolled-up day never changes), and the old cells are dropped.
   * Readers compute those days from the timelines until then (cells.ts reads packed days only).
   */
  async function unpackedToRollAgain(first: number, today: number): Promise<void> {
    const old = await MeasureDay.find({ _id: { $gte: dayKey(first), $lt: dayKey(today) }, done: true, packed: { $ne: true } }, { _id: 1 }).lean<{ _id: string }[]>();
    if (old.length === 0) return;
    // No process holds a lease on a done day: the lease it had is cleared with it.
    await MeasureDay.updateMany({ _id: { $in: old.map((d) => d._id) } }, { $set: { done: false, leaseUntil: new Date(0) } });
    await ctx.conn.db!.dropCollection(LEGACY_CELLS).catch(() => {});
  }

  /**
   * Drops the days in `range` of ids with their packs. The small day documents are found by the
   * range, the packs by their ids: a range of string ids makes the embedded database decode
   * every pack.
   */
  async function drop(range: { $gte: string } | { $lt: string }): Promise<void> {
    const ids = (await MeasureDay.find({ _id: range }, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id);
    if (ids.length === 0) return;
    await MeasureDay.deleteMany({ _id: { $in: ids } });
    await MeasurePack.deleteMany({ _id: { $in: ids } });
  }

  return {
    /**
     * Forgets the rolled-up days (all of them, or from `since` on), so they are computed from the
     * timelines until the next run rolls them up again. For history written into days that have
     * ended (the demo seed, an import): the one case where an ended day gains facts.
     */
    async forget(since?: Date): Promise<void> {
      if (since) await drop({ $gte: dayKey(dayIndexOf(since)) });
      else await Promise.all([MeasureDay.deleteMany({}), MeasurePack.deleteMany({})]);
      await bumpStamp(ctx.conn, MEASURE_DAYS_CACHE);
    },

    /**
     * Rolls up every ended day of the last CATCH_UP_DAYS not done yet; returns how many it did.
     * With `signal` aborted it stops before its next span of days (a shutdown during a new
     * installation's catch-up of 400 days); the next run takes up the rest.
     */
    async run(opts: { signal?: AbortSignal } = {}): Promise<{ days: number; cells: number }> {
      const now = ctx.now();
      const today = dayIndexOf(now);
      const first = today - CATCH_UP_DAYS;
      await unpackedToRollAgain(first, today);
      // Days before the last CATCH_UP_DAYS are read from the timelines (cells.ts): their packs would
      // only take room, about 50 MB a year at 100k appeals a year.
      await drop({ $lt: dayKey(first) });
      const done = new Set(
        (await MeasureDay.find({ _id: { $gte: dayKey(first), $lt: dayKey(today) }, done: true, packed: true }, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id),
      );
      const missing: number[] = [];
      for (let i = first; i < today; i++) if (!done.has(dayKey(i))) missing.push(i);
      let days = 0;
      let cells = 0;
      for (const [a, b] of spans(missing, SPAN_DAYS)) {
        if (opts.signal?.aborted) break;
        const claimed: number[] = [];
        for (let i = a; i <= b; i++) if (await claim(i, now)) claimed.push(i);
        if (claimed.length === 0) continue;
        const computed = await computeDays(ctx, claimed[0], claimed[claimed.length - 1], now);
        for (const i of claimed) {
          cells += await write(i, computed, now);
          days++;
        }
      }
      // Readers hold which days are rolled up (cells.ts): until this bump they read the new ones
      // live, which gives the same figures.
      if (days > 0) await bumpStamp(ctx.conn, MEASURE_DAYS_CACHE);
      return { days, cells };
    },
  };
}


export function startMeasureRollup(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const rollup = measureRollup(ctx);
  return startPeriodicJob(
    ctx.logger,
    'measures rollup',
    async (signal) => {
      const r = await rollup.run({ signal });
      if (r.days > 0) ctx.logger.info(r, 'measures: rolled up ended days');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_ROLLUP_INTERVAL_MS, schedule: opts.schedule },
  );
}

/**
 * A period's figures, tallied per key (the whole period, a unit, a step of a series): the
 * rolled-up days from their packed cells (`measurepacks`, pack.ts), the rest (today, days not rolled up yet) from the timelines,
 * both tallied by formulas.ts. The figures, the groupings, the series and the rankings all read a
 * period through here, so they agree.
 *
 * Memos keep a county's figures fast at 100k appeals and under many callers at once:
 * - A rolled-up day never changes (rollup.ts), so what a request tallied from rolled-up days is
 *   kept (ROLLED_MEMO_ENTRIES, least recently used dropped) under the question asked: the scope,
 *   the filters, how it is keyed, and which days were rolled up. Several server processes each
 *   keep their own and agree, because the days are final. The memo holds the reading while it
 *   runs, so a hundred callers asking at once read the cells once.
 * - The live days are computed from the timelines at most once per LIVE_TTL_MS for everyone (the
 *   computation is the same for every caller; scope and filters apply after). Today's figures are
 *   at most LIVE_STALE_MS old: between the two, the last figures are answered while new ones are
 *   computed.
 * - Which days are rolled up is kept in the read cache (core/cache) under MEASURE_DAYS_CACHE,
 *   which every write of `measuredays` bumps: one stamp read per request instead of a query, and
 *   every process sees a day rolled up or forgotten (rollup.ts `forget`) at once.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { readScopePaths } from '../users';
import type { Role } from '../../common/roles';
import { addTally, emptyTally, type CellKey, type Tally } from './formulas';
import { MEASURE_DAYS_CACHE, measureModels, type MeasurePackDoc } from './model';
import { unpackCells } from './pack';
import { CATCH_UP_DAYS, computeDays, SPAN_DAYS, type DayCells } from './rollup';
import { dayIndexOf, dayKey, spans } from './days';

const REGION_ROLES: readonly Role[] = ['grid_worker', 'community_staff', 'dispatcher'];
/**
 * Questions kept. An entry holds a few tallies and the durations behind the medians (three numbers
 * per appeal in its period): a county-wide year at 100k appeals is about 2.4 MB, a month a tenth.
 */
export const ROLLED_MEMO_ENTRIES = 100;
export const LIVE_TTL_MS = 60_000;
/** Days' packs kept: two months, about 9 MB at 100k appeals (pack.ts). */
export const PACK_MEMO_DAYS = 62;
/** Days' packs per read: a year's first read holds a month of packs at a time, not a year. */
const PACK_READ_DAYS = 31;
/** How old the live days' figures may be when answered while they are computed again (liveCells). */
export const LIVE_STALE_MS = 2 * LIVE_TTL_MS;

/** One computation of live days: when it started, its cells, and the one that will replace it. */
interface LiveEntry {
  at: number;
  cells: Promise<DayCells>;
  ready: DayCells | null;
  next: Promise<void> | null;
}

/** Who sees which cells: null for everything (admins), else region subtrees and a department. */
export interface Scope {
  paths: string[];
  departmentId: string | null;
}

export function scopeOf(user: AuthUser): Scope | null {
  if (user.roles.includes('admin')) return null;
  const paths = readScopePaths(user, REGION_ROLES);
  // Every appeal lies under the county: a county-wide dispatcher sees everything.
  if (paths.some((p) => p.split('/').filter(Boolean).length === 1)) return null;
  return { paths: [...paths].sort(), departmentId: user.roles.includes('department_staff') ? user.departmentId : null };
}

export const inScope = (s: Scope | null, c: CellKey) => !s || s.paths.some((p) => c.regionPath.startsWith(p)) || (!!s.departmentId && c.departmentId === s.departmentId);

/** A period as China day numbers, both included. */
export interface DaySpan {
  first: number;
  last: number;
}

/** How a period was read: days from the rollup, days computed from the timelines now. */
export interface DaysRead {
  rolledUp: number;
  live: number;
}

/** What a request asks of a period's cells: which it keeps and under which key it tallies each. */
export interface CellQuestion {
  scope: Scope | null;
  /** The filters (and any other condition on a cell); `key` must name all of them. */
  wanted: (c: CellKey) => boolean;
  /** The key a (day, cell) is tallied under; null leaves it out. */
  keyOf: (day: string, c: CellKey) => string | null;
  /** Names the question (filters and keying) for the memo: equal names, equal answers. */
  key: string;
}

export function periodCells(ctx: AppContext) {
  const { MeasureDay, MeasurePack } = measureModels(ctx.conn);
  const rolledMemo = new Map<string, Promise<Map<string, Tally>>>();
  const packMemo = new Map<string, Promise<string | null>>();
  const liveMemo = new Map<string, LiveEntry>();

  function remember(key: string, value: Promise<Map<string, Tally>>): void {
    rolledMemo.delete(key);
    rolledMemo.set(key, value);
    if (rolledMemo.size > ROLLED_MEMO_ENTRIES) rolledMemo.delete(rolledMemo.keys().next().value!);
  }

  function computeLive(key: string, a: number, b: number, now: Date): LiveEntry {
    const entry: LiveEntry = { at: now.getTime(), cells: computeDays(ctx, a, b, now), ready: null, next: null };
    // A failed computation is not kept: the next request computes again.
    entry.cells.then(
      (c) => void (entry.ready = c),
      () => liveMemo.get(key) === entry && liveMemo.delete(key),
    );
    return entry;
  }

  /**
   * The live days' cells, computed at most once per LIVE_TTL_MS for the same days. Past that, and
   * up to LIVE_STALE_MS, the last computation is answered at once while the next one runs (which
   * then replaces it): today's figures at 100k appeals take seconds to compute from the
   * timelines, and without this, whoever asked first after each minute waited for them (p99 9 s).
   */
  function liveCells(a: number, b: number, now: Date): Promise<DayCells> {
    const key = `${a}-${b}`;
    const t = now.getTime();
    const hit = liveMemo.get(key);
    if (hit && t - hit.at < LIVE_TTL_MS) return hit.cells;
    if (hit?.ready && t - hit.at < LIVE_STALE_MS) {
      if (!hit.next) {
        const fresh = computeLive(key, a, b, now);
        hit.next = fresh.cells.then(
          () => void liveMemo.set(key, fresh),
          () => void (hit.next = null),
        );
      }
      return Promise.resolve(hit.ready);
    }
    for (const [k, v] of liveMemo) if (t - v.at >= LIVE_STALE_MS) liveMemo.delete(k);
    const entry = computeLive(key, a, b, now);
    liveMemo.set(key, entry);
    return entry.cells;
  }

  /**
   * The rolled-up days of the last CATCH_UP_DAYS (older ones are computed from the timelines), each
   * with when it was rolled up: a day forgotten and rolled up again (history imported into ended
   * days) is a new version, so no memo answers it with what it held before.
   */
  function rolledUpDays(now: Date): Promise<Map<string, string>> {
    const today = dayIndexOf(now);
    const first = today - CATCH_UP_DAYS;
    return ctx.cache.value({ namespace: MEASURE_DAYS_CACHE, key: `${first}-${today}` }, async () => {
      const days = await MeasureDay.find({ _id: { $gte: dayKey(first), $lt: dayKey(today) }, done: true, packed: true }, { _id: 1, rolledAt: 1 }).lean<{ _id: string; rolledAt: Date | null }[]>();
      return new Map(days.map((d) => [d._id, `${d._id}@${d.rolledAt?.getTime() ?? 0}`]));
    });
  }

  /**
   * The packs of these days (versioned ids from rolledUpDays), in order, the missing ones in one
   * read, and kept (PACK_MEMO_DAYS, least recently used dropped): the questions a dashboard asks
   * at once (the month's total, per category, per township, the ranking) read the month once.
   */
  function packsOf(versions: string[]): Promise<Array<string | null>> {
    const missing = versions.filter((v) => !packMemo.has(v));
    if (missing.length > 0) {
      // Asked by their ids: the embedded database finds a list of string ids on its index, but
      // reads a range of them by decoding every pack.
      const reading = MeasurePack.find({ _id: { $in: missing.map((v) => v.split('@')[0]) } })
        .lean<MeasurePackDoc[]>()
        .then((docs) => new Map(docs.map((d) => [d._id, d.pack])));
      for (const v of missing) {
        const pack = reading.then((m) => m.get(v.split('@')[0]) ?? null);
        // A failed read is not kept: the next question reads again.
        pack.catch(() => packMemo.get(v) === pack && packMemo.delete(v));
        packMemo.set(v, pack);
      }
    }
    const out = versions.map((v) => {
      const pack = packMemo.get(v)!;
      packMemo.delete(v);
      packMemo.set(v, pack);
      return pack;
    });
    while (packMemo.size > PACK_MEMO_DAYS) packMemo.delete(packMemo.keys().next().value!);
    return Promise.all(out);
  }

  const into = (out: Map<string, Tally>, key: string | null, t: Tally) => {
    if (key === null) return;
    let to = out.get(key);
    if (!to) out.set(key, (to = emptyTally()));
    addTally(to, t);
  };

  return {
    /** Waits for the live days' computations running behind an answer (tests). */
    async refreshed(): Promise<void> {
      await Promise.all([...liveMemo.values()].map((e) => e.next));
    },

    /**
     * The period's tallies by the question's key, and how its days were read. Days after today have
     * nothing yet. Read-only: for a period of rolled-up days they are the memo's, shared by callers.
     */
    async tally(span: DaySpan, q: CellQuestion): Promise<{ tallies: Map<string, Tally>; days: DaysRead }> {
      const out = new Map<string, Tally>();
      const now = ctx.now();
      const today = dayIndexOf(now);
      const { first } = span;
      const { scope } = q;
      const last = Math.min(span.last, today);
      if (first > last || (scope && scope.paths.length === 0 && !scope.departmentId)) return { tallies: out, days: { rolledUp: 0, live: 0 } };
      const keep = (c: CellKey) => inScope(scope, c) && q.wanted(c);
      const rolledUp = await rolledUpDays(now);
      const rolled = new Set([...rolledUp.keys()].filter((d) => d >= dayKey(first) && d <= dayKey(Math.min(last, today - 1))));
      const rolledDays = [...rolled].sort().map((d) => rolledUp.get(d)!);
      const live: number[] = [];
      for (let i = first; i <= last; i++) if (!rolled.has(dayKey(i))) live.push(i);

      if (rolled.size > 0) {
        const memoKey = JSON.stringify([q.key, scope, rolledDays]);
        let part = rolledMemo.get(memoKey);
        if (!part) {
          const reading = (async () => {
            const tallies = new Map<string, Tally>();
            // Whole days, whatever the scope: a day is one document (pack.ts), and its cells are
            // kept or left out here.
            // PACK_READ_DAYS at a time: a year's first read holds a month of packs, not a year.
            for (let i = 0; i < rolledDays.length; i += PACK_READ_DAYS) {
              const versions = rolledDays.slice(i, i + PACK_READ_DAYS);
              const packs = await packsOf(versions);
              for (const [j, pack] of packs.entries()) {
                // Only when the day was forgotten since (rollup.ts `forget`): the next request, after
                // the stamp's bump, reads it from the timelines.
                if (pack === null) continue;
                const day = versions[j].split('@')[0];
                for (const { cell, tally } of unpackCells(pack)) if (keep(cell)) into(tallies, q.keyOf(day, cell), tally);
              }
            }
            return tallies;
          })();
          // A failed reading is not kept: the next request reads again.
          reading.catch(() => rolledMemo.delete(memoKey));
          part = reading;
        }
        remember(memoKey, part);
        // Every day of the period rolled up: the memo's tallies themselves, not a sum into new ones.
        // A month's figures or a ranking at 100 connections then costs no copying of the duration
        // lists per request (bench/measures.ts at 100k: 203 req/s for a month before). Callers only
        // read them.
        if (live.length === 0) return { tallies: await part, days: { rolledUp: rolled.size, live: 0 } };
        for (const [k, t] of await part) into(out, k, t);
      }
      for (const [a, b] of spans(live, SPAN_DAYS)) {
        for (const { day, cell, tally } of (await liveCells(a, b, now)).values()) if (keep(cell)) into(out, q.keyOf(day, cell), tally);
      }
      return { tallies: out, days: { rolledUp: rolled.size, live: live.length } };
    },
  };
}

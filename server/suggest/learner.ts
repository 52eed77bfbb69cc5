/**
 * Learning: the texts of appeals whose category staff confirmed are counted for that category,
 * incrementally, a few seconds after the confirmation, with no retraining pause.
 *
 * A periodic job reads the appeals written since its checkpoint through the appeals face
 * (`categoryConfirmations`: the appeal's text and the category staff stand behind, or none), and
 * for each compares it with what it learned before (`suggestlearned`, one document per appeal):
 * the same category, nothing to do (a re-read is free of effect); another one, the text is
 * unlearned from the old category and learned for the new one; none any more, unlearned. Counts
 * change with `$inc` only (model.ts), so they are the sum of what is learned now.
 *
 * Several processes: one learner at a time, by a lease in `suggeststate` (claimed with a
 * conditional upsert, renewed as a batch writes and after it, released at the end). Each run takes a run number
 * `s` that its writes carry and marks it `committed` when all are in; the tables in every process
 * catch up on the runs they have not seen (table.ts) once the run bumps the read-cache stamp.
 * The checkpoint is the newest `updatedAt` read; each run reads again from OVERLAP_MS before it,
 * so a write that landed late with an older time is not missed (re-reads change nothing).
 *
 * A process that dies between recording an appeal as learned and adding its counts loses that one
 * appeal's counts (the record is written first, so a retry never counts a text twice); counts are
 * floored at zero when read.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { bumpStamp } from '../core/cache/stamps';
import { isDuplicateKeyError } from '../core/errors';
import { realSchedule, startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { categoryConfirmations, type CategoryConfirmation } from '../appeals';
import { SUGGEST_CACHE, suggestModels, type SuggestLearnedDoc, type SuggestStateDoc } from './model';
import { bucketCounts, FEATURES_VERSION } from './text';
import { byChunk, chunkUpsert } from './counts';

export const LEARNER_ID = 'learner';
/** How often the learner looks for confirmations: a confirmed category improves suggestions within seconds. */
export const DEFAULT_LEARN_INTERVAL_MS = 5_000;
const LEASE_MS = 2 * 60 * 1000;
const OVERLAP_MS = 60 * 1000;
/**
 * Confirmations learned per batch (one `$inc` per chunk touched, counts.ts): a batch costs about
 * the chunks it touches, so bigger batches learn more per second when many wait (the first run
 * after an upgrade, a busy morning); 1,000 texts on a full model (100k learned) took 20 to 40 s on
 * a loaded machine (counts.ts), inside the 2-minute lease, which every bulk command renews anyway.
 */
const BATCH = 1000;

export interface LearnRun {
  /** False when another process holds the lease. */
  ran: boolean;
  read: number;
  learned: number;
  unlearned: number;
}

/** A text counted for (+1) or taken back from (-1) a category. */
export interface TextChange {
  categoryId: string;
  text: string;
  sign: 1 | -1;
}

/**
 * Bulk writes of at most BULK_OPS operations each, one after the other. Found by bench/suggest.ts:
 * the embedded database hung for good on one update command of 100 or more statements matching
 * existing documents (FerretDB kept each statement's SQLite connection until the command ended, and
 * its pool holds 100; fixed in db/ferretdb's msg_update.go patch). Chunks of 50 run at the same
 * speed, keep each command's hold on the collection's write lock short, and stay within any
 * MongoDB deployment's limits.
 */
const BULK_OPS = 50;
async function inChunks<T>(ops: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_OPS) await write(ops.slice(i, i + BULK_OPS));
}

/**
 * The counts of texts learned and unlearned, with `$inc` only, marked with run `run` so every
 * process's table catches up on them: shared by the learner and the import of past appeals
 * (import-job.ts), so an imported row counts exactly as a confirmed appeal does. The whole
 * batch's changes are summed per chunk first (counts.ts): one `$inc` per chunk it touches, at most
 * CHUNKS_PER_CATEGORY per category however many texts, then one per category for its totals.
 * `renew` runs between bulk commands: a big batch on a full model can take tens of seconds, and
 * the caller's lease must outlast its writes (the run is committed only after them).
 */
export async function writeCounts(ctx: AppContext, changes: readonly TextChange[], run: number, renew?: () => Promise<unknown>): Promise<void> {
  const { SuggestCount, SuggestCategory } = suggestModels(ctx.conn);
  const buckets = new Map<string, Map<number, number>>();
  const cats = new Map<string, { docs: number; grams: number }>();
  for (const { categoryId, text, sign } of changes) {
    let grams = 0;
    let mine = buckets.get(categoryId);
    if (!mine) buckets.set(categoryId, (mine = new Map()));
    for (const [b, n] of bucketCounts(text)) {
      mine.set(b, (mine.get(b) ?? 0) + sign * n);
      grams += n;
    }
    const c = cats.get(categoryId) ?? { docs: 0, grams: 0 };
    c.docs += sign;
    c.grams += sign * grams;
    cats.set(categoryId, c);
  }
  const countOps = [...buckets].flatMap(([c, deltas]) =>
    byChunk(deltas).map(([k, list]) => {
      const { filter, update } = chunkUpsert(c, k, list, run);
      return { updateOne: { filter, update, upsert: true } };
    }),
  );
  await inChunks(countOps, async (ops) => {
    await SuggestCount.bulkWrite(ops, { ordered: false });
    await renew?.();
  });
  const catOps = [...cats].map(([c, d]) => ({ updateOne: { filter: { _id: new Types.ObjectId(c) }, update: { $inc: { docs: d.docs, grams: d.grams }, $set: { s: run } }, upsert: true } }));
  await inChunks(catOps, (ops) => SuggestCategory.bulkWrite(ops, { ordered: false }));
}

/**
 * Moves `owner`'s hold on the learner's lease on by LEASE_MS. Throws when another process holds it
 * now: its run commits a later number, so writes of this run still to come would be missed by the
 * tables that catch up to it.
 */
export async function renewLearnerLease(ctx: AppContext, owner: string): Promise<void> {
  const { SuggestState } = suggestModels(ctx.conn);
  const r = await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: new Date(ctx.now().getTime() + LEASE_MS) } });
  if (r.matchedCount === 0) throw new Error("the category suggestion learner's lease was taken over by another process");
}

/**
 * The learner's lease and a new run number for `owner`, or null when another process holds a
 * live lease. The import of past appeals takes it too, one batch at a time, so its counts are
 * written in runs of their own that the tables catch up on like the learner's.
 */
export async function claimLearnerRun(ctx: AppContext, owner: string): Promise<SuggestStateDoc | null> {
  const { SuggestState } = suggestModels(ctx.conn);
  try {
    return await SuggestState.findOneAndUpdate(
      { _id: LEARNER_ID, leaseUntil: { $lte: ctx.now() } },
      { $set: { leaseUntil: new Date(ctx.now().getTime() + LEASE_MS), owner }, $inc: { seq: 1 }, $setOnInsert: { committed: 0, checkpoint: null } },
      { upsert: true, returnDocument: 'after' },
    ).lean<SuggestStateDoc>();
  } catch (err) {
    // The document exists with a live lease: the upsert's insert clashed on `_id`.
    if (isDuplicateKeyError(err)) return null;
    throw err;
  }
}

export function suggestLearner(ctx: AppContext) {
  const { SuggestLearned, SuggestState } = suggestModels(ctx.conn);
  const owner = randomUUID();
  const leaseEnd = () => new Date(ctx.now().getTime() + LEASE_MS);

  const claim = () => claimLearnerRun(ctx, owner);

  /** Learns and unlearns one batch; answers how many texts were learned and unlearned. */
  async function apply(batch: CategoryConfirmation[], run: number): Promise<{ learned: number; unlearned: number }> {
    const ids = batch.map((a) => new Types.ObjectId(a.id));
    const before = new Map((await SuggestLearned.find({ _id: { $in: ids } }).lean<SuggestLearnedDoc[]>()).map((l) => [String(l._id), l]));
    const changes: TextChange[] = [];
    const add = (categoryId: string, text: string, sign: 1 | -1) => changes.push({ categoryId, text, sign });
    const records: Parameters<typeof SuggestLearned.bulkWrite>[0] = [];
    let learned = 0;
    let unlearned = 0;
    for (const a of batch) {
      const had = before.get(a.id);
      const hadCategory = had ? String(had.c) : null;
      if (hadCategory === a.categoryId && (!had || had.v === FEATURES_VERSION)) continue;
      // Counted with other features: those counts cannot be taken back by text, so they stay.
      if (had && had.v === FEATURES_VERSION) {
        add(hadCategory!, a.text, -1);
        unlearned++;
      }
      if (a.categoryId) {
        add(a.categoryId, a.text, 1);
        learned++;
        records.push({ updateOne: { filter: { _id: a.id }, update: { $set: { c: new Types.ObjectId(a.categoryId), v: FEATURES_VERSION } }, upsert: true } });
      } else {
        records.push({ deleteOne: { filter: { _id: a.id } } });
      }
    }
    if (records.length === 0) return { learned, unlearned };
    // The record first: a crash after it loses this batch's counts, never counts a text twice.
    await inChunks(records, (ops) => SuggestLearned.bulkWrite(ops, { ordered: false }));
    await writeCounts(ctx, changes, run, () => renewLearnerLease(ctx, owner));
    return { learned, unlearned };
  }

  return {
    /** One run: everything confirmed since the checkpoint is learned when it returns. */
    async runOnce(): Promise<LearnRun> {
      const state = await claim();
      if (!state) return { ran: false, read: 0, learned: 0, unlearned: 0 };
      const run = state.seq;
      const since = state.checkpoint ? new Date(state.checkpoint.getTime() - OVERLAP_MS) : new Date(0);
      let checkpoint = state.checkpoint;
      const out: LearnRun = { ran: true, read: 0, learned: 0, unlearned: 0 };
      let batch: CategoryConfirmation[] = [];
      const flush = async () => {
        const r = await apply(batch, run);
        out.learned += r.learned;
        out.unlearned += r.unlearned;
        batch = [];
        await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: leaseEnd(), checkpoint } });
      };
      try {
        for await (const a of categoryConfirmations(ctx).changedSince(since)) {
          batch.push(a);
          out.read++;
          if (!checkpoint || a.updatedAt > checkpoint) checkpoint = a.updatedAt;
          if (batch.length >= BATCH) await flush();
        }
        if (batch.length) await flush();
        await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { committed: run, checkpoint, leaseUntil: ctx.now() } });
      } catch (err) {
        // Let the next run (any process) take over at once; what this one wrote stays counted.
        await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: ctx.now() } }).catch(() => {});
        throw err;
      }
      if (out.learned || out.unlearned) await bumpStamp(ctx.conn, SUGGEST_CACHE);
      return out;
    },
  };
}

export function startSuggestLearner(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const learner = suggestLearner(ctx);
  const intervalMs = opts.intervalMs ?? DEFAULT_LEARN_INTERVAL_MS;
  // The first run after one interval, not at once: a server starting (and a demo seeding) is busy enough.
  const base = opts.schedule ?? realSchedule;
  let first = true;
  const schedule: Schedule = (run, ms) => {
    const wait = first ? intervalMs : ms;
    first = false;
    return base(run, wait);
  };
  return startPeriodicJob(ctx.logger, 'category suggestion learner', async () => void (await learner.runOnce()), { intervalMs, schedule });
}

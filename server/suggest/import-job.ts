/**
 * The import job: counts an import's rows for their mapped categories, or (an import being
 * deleted) takes them back, in batches, exactly as the learner counts confirmed appeals
 * (`writeCounts`, `claimLearnerRun` in learner.ts): each batch is a learner run of its own, under
 * the learner's lease, committed and announced with the same read-cache stamp, so every process's
 * table has the rows within seconds of the batch.
 *
 * Idempotent per (import, row): a row's `l` is set (conditionally, on `l: null`) before its
 * counts are added, so a batch retried after a crash never counts a row twice (a crash between
 * the two loses that batch's counts, as the learner does). Resumable: the work left is the rows
 * whose `l` is not set yet; one process at a time works on an import, by a lease on it renewed as
 * each batch writes and after it; another process takes over when it expires.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { bumpStamp } from '../core/cache/stamps';
import { realSchedule, startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { claimLearnerRun, LEARNER_ID, renewLearnerLease, writeCounts, type TextChange } from './learner';
import { SUGGEST_CACHE, suggestModels } from './model';
import { suggestImportModels, type SuggestImportDoc, type SuggestImportRowDoc } from './import-model';
import { FEATURES_VERSION } from './text';

const LEASE_MS = 2 * 60 * 1000;
/**
 * Rows per batch (one learner run each). The counts of a batch are written as one `$inc` per
 * chunk it touches (counts.ts), so a batch costs about the chunks it touches, not its rows: 2,000
 * real appeals (about 400 characters each) touch nearly every chunk of their categories, and
 * writing them costs about as much as 200 would: on the model of 100k learned appeals, batches of
 * 2,000 rows took 40 to 50 s, 47 rows/s (bench/suggest.ts --memory 100000 --import-after 6000;
 * one upsert per bucket learned 2.6 rows/s).
 * The lease (the learner's and the import's) is renewed as the batch writes, so a batch never
 * outlives it even on a full model on a loaded machine.
 */
const BATCH = 2000;
/** How long one run works before it lets the learner and the other imports have a turn. */
const RUN_BUDGET_MS = 20_000;
export const DEFAULT_IMPORT_INTERVAL_MS = 2_000;

export interface ImportRun {
  /** The import worked on (null: nothing to do or all leased), rows counted and taken back. */
  importId: string | null;
  learned: number;
  unlearned: number;
  finished: boolean;
}

/**
 * The rows' records, one conditional updateMany per category (as many as the batch maps to), not
 * one updateOne per row: fewer statements (an update command of 100 matching statements used to
 * hang the embedded database, see learner.ts's BULK_OPS), and an updateMany of 500 rows takes about
 * a second. Each row is still conditional on its `l`.
 */
async function byCategory(rows: SuggestImportRowDoc[], categoryOf: (r: SuggestImportRowDoc) => string, write: (categoryId: string, ids: string[]) => Promise<unknown>): Promise<void> {
  const groups = new Map<string, string[]>();
  for (const r of rows) groups.set(categoryOf(r), [...(groups.get(categoryOf(r)) ?? []), r._id]);
  for (const [categoryId, ids] of groups) await write(categoryId, ids);
}

export function suggestImportJob(ctx: AppContext) {
  const { SuggestImport, SuggestImportRow } = suggestImportModels(ctx.conn);
  const { SuggestState } = suggestModels(ctx.conn);
  const owner = randomUUID();
  const leaseEnd = () => new Date(ctx.now().getTime() + LEASE_MS);

  /** One batch as one learner run; false when the learner's lease is held elsewhere (try again later). */
  async function counted(importId: Types.ObjectId, changes: TextChange[], record: () => Promise<unknown>): Promise<boolean> {
    const run = await claimLearnerRun(ctx, owner);
    if (!run) return false;
    try {
      // The record first: a crash after it loses this batch's counts, never counts a row twice.
      await record();
      await writeCounts(ctx, changes, run.seq, async () => {
        await renewLearnerLease(ctx, owner);
        await SuggestImport.updateOne({ _id: importId, owner }, { $set: { leaseUntil: leaseEnd() } });
      });
      await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { committed: run.seq, leaseUntil: ctx.now() } });
    } catch (err) {
      await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: ctx.now() } }).catch(() => {});
      throw err;
    }
    await bumpStamp(ctx.conn, SUGGEST_CACHE);
    return true;
  }

  /** One batch of a running import: 'finished' when no row is left, 'busy' when the learner holds its lease. */
  async function learnBatch(imp: SuggestImportDoc, out: ImportRun, after: { r: number }): Promise<'more' | 'finished' | 'busy'> {
    const mapped = new Map(imp.names.filter((n) => n.categoryId).map((n) => [n.name, String(n.categoryId)]));
    // From the last row this run read: rows whose name is skipped stay uncounted and are passed over once per run.
    const read = await SuggestImportRow.find({ i: imp._id, l: null, k: 'ok', r: { $gt: after.r } })
      .sort({ r: 1 })
      .limit(BATCH)
      .lean<SuggestImportRowDoc[]>();
    if (read.length) after.r = read[read.length - 1].r;
    const rows = read.filter((r) => mapped.has(r.n!));
    if (read.length && rows.length === 0) return 'more';
    if (rows.length === 0) {
      const done = await SuggestImportRow.countDocuments({ i: imp._id, l: { $ne: null } });
      await SuggestImport.updateOne({ _id: imp._id, owner, state: 'running' }, { $set: { state: 'done', done, finishedAt: ctx.now(), leaseUntil: ctx.now() } });
      return 'finished';
    }
    const changes = rows.map((r) => ({ categoryId: mapped.get(r.n!)!, text: r.t!, sign: 1 as const }));
    const ok = await counted(imp._id, changes, () =>
      byCategory(rows, (r) => mapped.get(r.n!)!, (categoryId, ids) =>
        SuggestImportRow.updateMany({ _id: { $in: ids }, l: null }, { $set: { l: new Types.ObjectId(categoryId), v: FEATURES_VERSION } }),
      ),
    );
    if (!ok) return 'busy';
    out.learned += rows.length;
    const done = await SuggestImportRow.countDocuments({ i: imp._id, l: { $ne: null } });
    await SuggestImport.updateOne({ _id: imp._id, owner }, { $set: { done, leaseUntil: leaseEnd() } });
    return 'more';
  }

  /** One batch of an import being deleted: its counted rows taken back; at the end, the import and its rows removed. */
  async function unlearnBatch(imp: SuggestImportDoc, out: ImportRun): Promise<'more' | 'finished' | 'busy'> {
    const rows = await SuggestImportRow.find({ i: imp._id, l: { $ne: null } }).limit(BATCH).lean<SuggestImportRowDoc[]>();
    if (rows.length === 0) {
      await SuggestImportRow.deleteMany({ i: imp._id });
      await SuggestImport.deleteOne({ _id: imp._id, owner, state: 'deleting' });
      return 'finished';
    }
    // Counted with other features: those counts cannot be taken back by text, so they stay (as in the learner).
    const changes = rows.filter((r) => r.v === FEATURES_VERSION).map((r) => ({ categoryId: String(r.l), text: r.t!, sign: -1 as const }));
    const ok = await counted(imp._id, changes, () => byCategory(rows, (r) => String(r.l), (categoryId, ids) => SuggestImportRow.updateMany({ _id: { $in: ids }, l: new Types.ObjectId(categoryId) }, { $set: { l: null } })));
    if (!ok) return 'busy';
    out.unlearned += changes.length;
    await SuggestImport.updateOne({ _id: imp._id, owner }, { $set: { done: Math.max(0, imp.done - rows.length), leaseUntil: leaseEnd() } });
    return 'more';
  }

  return {
    /** Takes one import that has work (oldest first) and works on it for up to RUN_BUDGET_MS. */
    async runOnce(): Promise<ImportRun> {
      const out: ImportRun = { importId: null, learned: 0, unlearned: 0, finished: false };
      let imp = await SuggestImport.findOneAndUpdate(
        { state: { $in: ['running', 'deleting'] }, leaseUntil: { $lte: ctx.now() } },
        { $set: { leaseUntil: leaseEnd(), owner } },
        { sort: { createdAt: 1 }, returnDocument: 'after' },
      ).lean<SuggestImportDoc>();
      if (!imp) return out;
      out.importId = String(imp._id);
      const started = Date.now();
      const after = { r: 0 };
      try {
        while (imp && Date.now() - started < RUN_BUDGET_MS) {
          const step = imp.state === 'deleting' ? await unlearnBatch(imp, out) : await learnBatch(imp, out, after);
          if (step === 'finished') {
            out.finished = true;
            return out;
          }
          if (step === 'busy') break;
          // Re-read: an admin may have asked for its deletion meanwhile.
          imp = await SuggestImport.findOne({ _id: imp._id, owner }).lean<SuggestImportDoc>();
        }
      } finally {
        if (!out.finished) await SuggestImport.updateOne({ _id: out.importId, owner }, { $set: { leaseUntil: ctx.now() } }).catch(() => {});
      }
      return out;
    },
  };
}

export function startSuggestImportJob(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const job = suggestImportJob(ctx);
  return startPeriodicJob(ctx.logger, 'category suggestion import', async () => void (await job.runOnce()), {
    intervalMs: opts.intervalMs ?? DEFAULT_IMPORT_INTERVAL_MS,
    schedule: opts.schedule ?? realSchedule,
  });
}

/**
 * The follow rows (model.ts AppealFollowDoc): one `{appealId, userId}` per follower of an appeal,
 * so "my appeals" finds a resident's followed appeals by an index range instead of reading every
 * appeal someone joined (the embedded database has no per-element index on `followerIds`).
 *
 * The appeal's `followerIds` stays the truth. The follow and the merge push the follower first
 * and write the row after (an upsert of the unique pair: a retry, two processes or the backfill
 * write the same row), so a row never names a follow the appeal lacks. A row lost between the
 * two writes (a crash, a dropped connection) comes back when the resident follows again (the
 * retry path writes it too) and at the next start (the backfill below).
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { appealModels, type AppealDoc } from './model';

/** Appeals read per round of the backfill, and their rows asked for at once. */
const BATCH = 500;
/** The backfill's checkpoint (a Counter document: `seq` is the time its last run started, in ms). */
const CHECKPOINT_ID = 'appeal-follows-backfill';
/**
 * How far before its last start the next backfill looks: covers clocks of several server
 * processes that disagree and a follow in flight while the last backfill ran.
 */
const CHECKPOINT_MARGIN_MS = 15 * 60 * 1000;

export function appealFollows(ctx: Pick<AppContext, 'conn'>) {
  const { AppealFollow } = appealModels(ctx.conn);
  return {
    /** Writes the row of a follow the appeal already holds; the same row again when it exists. */
    async record(appealId: Types.ObjectId, userId: Types.ObjectId): Promise<void> {
      await AppealFollow.updateOne({ appealId, userId }, { $setOnInsert: { appealId, userId } }, { upsert: true });
    },
    /** The appeals the user follows (their rows: one index range). */
    async followedBy(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
      return (await AppealFollow.find({ userId }, { appealId: 1 }).lean()).map((r) => r.appealId);
    },
  };
}

/**
 * A start-up step (server.ts): every follower an appeal holds gets its row. Idempotent and safe
 * in several processes at once (it only adds missing rows of follows the appeals hold, by upserts
 * of the unique pair). After the first complete run a start reads only the joined appeals written
 * since the last run began (less a margin): a follow sets the appeal's `updatedAt`, so a row lost
 * to a crash is found by the restart that follows it. `full` reads every joined appeal (after
 * appeals were written around the models, as the benches load them).
 */
export async function backfillAppealFollows(ctx: Pick<AppContext, 'conn' | 'logger'>, opts: { full?: boolean } = {}): Promise<{ appeals: number; rows: number }> {
  const { Appeal, AppealFollow, Counter } = appealModels(ctx.conn);
  // The clock mongoose stamps `updatedAt` with (the checkpoint is compared to it), not ctx.now().
  const started = Date.now();
  const checkpoint = opts.full ? null : await Counter.findById(CHECKPOINT_ID).lean();
  const filter: Record<string, unknown> = { followersCount: { $gt: 0 } };
  if (checkpoint) filter.updatedAt = { $gte: new Date(checkpoint.seq - CHECKPOINT_MARGIN_MS) };
  const done = { appeals: 0, rows: 0 };
  let after: Types.ObjectId | null = null;
  for (;;) {
    const page: Pick<AppealDoc, '_id' | 'followerIds'>[] = await Appeal.find(after ? { ...filter, _id: { $gt: after } } : filter, { followerIds: 1 })
      .sort({ _id: 1 })
      .limit(BATCH)
      .lean<Pick<AppealDoc, '_id' | 'followerIds'>[]>();
    if (page.length === 0) break;
    after = page[page.length - 1]._id;
    done.appeals += page.length;
    const have = new Set((await AppealFollow.find({ appealId: { $in: page.map((a) => a._id) } }, { appealId: 1, userId: 1 }).lean()).map((r) => `${r.appealId}:${r.userId}`));
    const missing = page.flatMap((a) => (a.followerIds ?? []).filter((u) => !have.has(`${a._id}:${u}`)).map((userId) => ({ appealId: a._id, userId })));
    if (missing.length > 0) {
      await AppealFollow.bulkWrite(
        missing.map((row) => ({ updateOne: { filter: row, update: { $setOnInsert: row }, upsert: true } })),
        { ordered: false },
      );
      done.rows += missing.length;
    }
    if (page.length < BATCH) break;
  }
  // Only forward: a process whose clock is behind never moves the checkpoint back.
  await Counter.updateOne({ _id: CHECKPOINT_ID, seq: { $lt: started } }, { $set: { seq: started } }).catch(() => undefined);
  if (!checkpoint) await Counter.updateOne({ _id: CHECKPOINT_ID }, { $setOnInsert: { seq: started } }, { upsert: true }).catch(() => undefined);
  if (done.rows > 0) ctx.logger.info(done, 'appeal follow rows written from the appeals');
  return done;
}

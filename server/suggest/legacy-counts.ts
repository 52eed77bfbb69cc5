/**
 * A start-up step (server.ts): an installation from before the chunked counts (counts.ts) keeps
 * what it learned. Its `suggestterms` collection, one document per (category, bucket)
 * `{ _id: '<categoryId>|<bucket>', c, b, n, s }`, is folded into the chunk documents of
 * `suggestcounts` and dropped. Re-learning instead would need every confirmed appeal read again
 * and every import's rows counted again (an hour and more at 100k); folding reads the old
 * documents once.
 *
 * Under the learner's lease, as one learner run of its own: the folded chunks carry its number, so
 * every process's table reads them once it is committed, and no learner run commits a later number
 * while the fold still writes (table.ts relies on that). The old documents are read in one pass
 * and summed per category in memory (a Int32Array of HASH_BUCKETS per category, the bound the
 * table has); each chunk then gets all its old counts in one `$inc` that also sets `f`, on the
 * condition that `f` is not set yet. So:
 * - crash-safe and resumable: a chunk is folded whole or not at all; a start after a crash reads
 *   the old documents again (nothing is deleted before the end), skips the chunks already folded
 *   (the conditional upsert collides on `_id`) and folds the rest; the collection is dropped only
 *   after every chunk is folded, so no count is added twice or lost;
 * - safe in several processes starting together: the lease lets one fold at a time; one that
 *   comes later finds the old collection gone, or only chunks already folded;
 * - once done, a start costs one read of a collection that does not exist.
 * Its cost, once: 770,940 old documents (7 categories, a model as full as at 100k learned appeals)
 * folded into 896 chunks in 157 s on a loaded machine (load average 5 to 8), the sums equal, the
 * lease renewed on the way; the first start after the upgrade waits for it before it listens.
 * Counts learned meanwhile with the chunks are `$inc`s too, so they add up with the folded ones.
 * Counts of a category without a `suggestcategories` document are left out: they are what a
 * database reset (the demo seed empties the models' collections, and `suggestterms` is no model any
 * more) left behind, not the counts of anything learned now.
 * Old-version processes must be stopped before the first new one starts (as for any upgrade): a
 * count they add to `suggestterms` after the fold read it would be dropped with it.
 */
import type { AppContext } from '../context';
import { bumpStamp } from '../core/cache/stamps';
import { isDuplicateKeyError } from '../core/errors';
import { byChunk, chunkUpsert } from './counts';
import { claimLearnerRun, LEARNER_ID, renewLearnerLease } from './learner';
import { SUGGEST_CACHE, suggestModels } from './model';
import { HASH_BUCKETS } from './text';

/** The collection of the counts before issue 18's chunks. */
export const LEGACY_TERMS = 'suggestterms';
/** How long the fold waits for the learner's lease (a dead holder's lapses within its 2 minutes). */
const LEASE_WAIT_MS = 3 * 60 * 1000;
const RENEW_EVERY_MS = 20_000;

interface LegacyTerm {
  c: unknown;
  b: number;
  n: number;
}

export async function foldLegacyCounts(ctx: AppContext, opts: { leaseWaitMs?: number } = {}): Promise<{ terms: number; chunks: number }> {
  const done = { terms: 0, chunks: 0 };
  const old = ctx.conn.collection<LegacyTerm>(LEGACY_TERMS);
  if (!(await old.findOne({}, { projection: { _id: 1 } }))) return done;
  const { SuggestCount, SuggestCategory, SuggestState } = suggestModels(ctx.conn);
  const owner = `fold-legacy-counts-${process.pid}-${Date.now()}`;
  let run = await claimLearnerRun(ctx, owner);
  for (const started = Date.now(); !run; run = await claimLearnerRun(ctx, owner)) {
    if (Date.now() - started > (opts.leaseWaitMs ?? LEASE_WAIT_MS)) throw new Error('the category suggestion learner lease stayed taken: the old counts were not folded (the next start tries again)');
    await new Promise((r) => setTimeout(r, 1000));
  }
  let renewed = Date.now();
  const renew = async () => {
    if (Date.now() - renewed < RENEW_EVERY_MS) return;
    await renewLearnerLease(ctx, owner);
    renewed = Date.now();
  };
  try {
    const learned = new Set((await SuggestCategory.find({}, { _id: 1 }).lean<{ _id: unknown }[]>()).map((c) => String(c._id)));
    const sums = new Map<string, Int32Array>();
    for await (const t of old.find({}, { projection: { _id: 0, c: 1, b: 1, n: 1 } })) {
      done.terms++;
      const c = String(t.c);
      if (!learned.has(c) || !Number.isInteger(t.b) || t.b < 0 || t.b >= HASH_BUCKETS || !t.n) continue;
      let sum = sums.get(c);
      if (!sum) sums.set(c, (sum = new Int32Array(HASH_BUCKETS)));
      sum[t.b] += t.n;
      if (done.terms % 10_000 === 0) await renew();
    }
    for (const [c, sum] of sums) {
      const deltas = new Map<number, number>();
      sum.forEach((n, b) => void (n !== 0 && deltas.set(b, n)));
      for (const [k, list] of byChunk(deltas)) {
        const { filter, update } = chunkUpsert(c, k, list, run.seq, { f: true });
        try {
          await SuggestCount.updateOne({ ...filter, f: { $ne: true } }, update, { upsert: true });
          done.chunks++;
        } catch (err) {
          // Folded by an earlier start that stopped before the end: its counts are in already.
          if (!isDuplicateKeyError(err)) throw err;
        }
        await renew();
      }
    }
    await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { committed: run.seq, leaseUntil: ctx.now() } });
  } catch (err) {
    await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: ctx.now() } }).catch(() => {});
    throw err;
  }
  await bumpStamp(ctx.conn, SUGGEST_CACHE);
  // Last: until here a restart reads the old documents again and skips what is folded.
  await old.drop().catch((err: { codeName?: string }) => {
    if (err.codeName !== 'NamespaceNotFound') throw err;
  });
  ctx.logger.info(done, 'category suggestion counts folded into chunks');
  return done;
}

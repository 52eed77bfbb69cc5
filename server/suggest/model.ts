import { Schema, ownModel, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

/** The read-cache namespace the learner bumps after each run that changed counts (table.ts refreshes on it). */
export const SUGGEST_CACHE = 'suggest';

/** The read-cache namespace of the suggestion's settings (direct dispatch's threshold): bumped by every write of `suggestsettings`. */
export const SUGGEST_SETTINGS_CACHE = 'suggest-settings';

/**
 * The suggestion model's counts, kept in the database so a restart loses nothing and every server
 * process reads the same model (text.ts: what a bucket is).
 *
 * - `suggestcounts`: `{ _id: '<categoryId>|<chunk>', c, k, n: { b<bucket>: count, ... }, s }`: how
 *   often each bucket of chunk `k` (CHUNK_BUCKETS buckets, counts.ts) occurred in the texts learned
 *   for category `c`; changed only with `$inc` on `n.b<bucket>` (bulkWrite, one statement per chunk
 *   a batch touches), `s` the learner run that last changed it, so a process catches up with
 *   `{ s: { $gt: seen } }` (index on s) and reads absolute counts for every bucket of the chunk.
 *   Until issue 18's chunks, `suggestterms` held one document per (category, bucket); a start-up
 *   step folds what an older installation left there into these (legacy-counts.ts).
 * - `suggestcategories`: `{ _id: categoryId, docs, grams, s }`: texts learned for the category and
 *   their grams in total.
 * - `suggestlearned`: `{ _id: appealId, c, v }`: the category an appeal's text is counted for now
 *   (at most one per appeal), so learning is idempotent and a new category unlearns the old.
 * - `suggeststate`: `{ _id: 'learner' }`: the learner's lease (one learner at a time among the
 *   processes), its run counter and the `updatedAt` checkpoint in the appeals it has read up to.
 * - `suggestsettings`: `{ _id: 'direct-dispatch', enabled, threshold, version }`: the admins'
 *   setting of direct dispatch by suggestion (direct-dispatch.ts), one document, read through the
 *   read cache (SUGGEST_SETTINGS_CACHE) so every process applies the same threshold.
 *
 * Memory bound: the counts are per (category, bucket), in chunks, so the collection holds at most
 * categories × CHUNKS_PER_CATEGORY documents (128 per category, each at most CHUNK_BUCKETS = 1024
 * counts), and a process's table (table.ts) at most 4 × HASH_BUCKETS bytes (512 KB) per category
 * that has learned anything, plus a bucket flag array (128 KB): about 11 MB for the demo county's
 * 21 categories, the same at 100k or 1M appeals. Reading them all (a process's first suggestion)
 * reads those documents: 896 for 7 categories at 100k learned appeals (bench/README.md).
 * `suggestlearned` grows by one small document per confirmed appeal (tens of bytes; 1M appeals:
 * tens of MB on disk, never in memory).
 */
export interface SuggestCountDoc {
  _id: string;
  c: Types.ObjectId;
  /** The chunk: buckets k × CHUNK_BUCKETS up to the next chunk's (counts.ts). */
  k: number;
  /** `b<bucket>`: the bucket's count (counts.ts fieldOf). */
  n: Record<string, number>;
  s: number;
  /** Set by the fold of the old per-bucket documents into this chunk (legacy-counts.ts), so it is folded once. */
  f?: boolean;
}
export interface SuggestCategoryDoc {
  _id: Types.ObjectId;
  docs: number;
  grams: number;
  s: number;
}
export interface SuggestLearnedDoc {
  _id: Types.ObjectId;
  c: Types.ObjectId;
  v: number;
}
export interface SuggestStateDoc {
  _id: string;
  /** The last run number handed out, and the last run whose writes are all in. */
  seq: number;
  committed: number;
  /** The appeals read up to this `updatedAt` (the next run reads again from a little before it). */
  checkpoint: Date | null;
  leaseUntil: Date;
  owner: string | null;
}

export interface SuggestSettingsDoc {
  _id: string;
  enabled: boolean;
  /** 0.5..0.99: a suggestion at least this sure is filed as the appeal's category. */
  threshold: number;
  /** Bumped by every edit; an edit names the version it was made on (409 when stale). */
  version: number;
  updatedAt: Date | null;
}

const options = { versionKey: false, autoIndex: false } as const;

// No defaults: an upsert would add them with $setOnInsert, and `n` beside `$inc` on `n.b…` conflicts.
const countSchema = new Schema<SuggestCountDoc>(
  { _id: { type: String, required: true }, c: { type: Schema.Types.ObjectId, required: true }, k: { type: Number, required: true }, n: { type: Schema.Types.Mixed }, s: { type: Number }, f: { type: Boolean } },
  { ...options, collection: 'suggestcounts', minimize: false },
);
// A process catching up with the runs since the last one it saw (table.ts refresh).
countSchema.index({ s: 1 });

const categorySchema = new Schema<SuggestCategoryDoc>(
  { _id: { type: Schema.Types.ObjectId, required: true }, docs: { type: Number, default: 0 }, grams: { type: Number, default: 0 }, s: { type: Number, default: 0 } },
  { ...options, collection: 'suggestcategories' },
);
categorySchema.index({ s: 1 });

const learnedSchema = new Schema<SuggestLearnedDoc>(
  { _id: { type: Schema.Types.ObjectId, required: true }, c: { type: Schema.Types.ObjectId, required: true }, v: { type: Number, required: true } },
  { ...options, collection: 'suggestlearned' },
);

const stateSchema = new Schema<SuggestStateDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, default: 0 },
    committed: { type: Number, default: 0 },
    checkpoint: { type: Date, default: null },
    leaseUntil: { type: Date, required: true },
    owner: { type: String, default: null },
  },
  { ...options, collection: 'suggeststate' },
);

const settingsSchema = new Schema<SuggestSettingsDoc>(
  {
    _id: { type: String, required: true },
    enabled: { type: Boolean, required: true },
    threshold: { type: Number, required: true },
    version: { type: Number, required: true },
    updatedAt: { type: Date, default: null },
  },
  { ...options, collection: 'suggestsettings' },
);
settingsSchema.plugin(cacheStampPlugin(SUGGEST_SETTINGS_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function suggestModels(conn: Connection) {
  return {
    SuggestCount: ownModel(conn, 'SuggestCount', countSchema),
    SuggestCategory: ownModel(conn, 'SuggestCategory', categorySchema),
    SuggestLearned: ownModel(conn, 'SuggestLearned', learnedSchema),
    SuggestState: ownModel(conn, 'SuggestState', stateSchema),
    SuggestSettings: ownModel(conn, 'SuggestSettings', settingsSchema),
  };
}

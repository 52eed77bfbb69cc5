/**
 * How the learned counts lie in the database (`suggestcounts`, model.ts): one document per
 * category and range of CHUNK_BUCKETS buckets, `{ _id: '<categoryId>|<chunk>', c, k, n, s }`,
 * `n` holding the count of each bucket of the range that ever occurred, as `b<bucket>` (the
 * bucket's absolute number: `n.b4711`). Changed only with `$inc` on those dotted paths.
 *
 * Why chunks, not one document per (category, bucket): the embedded database (FerretDB on
 * SQLite) runs each update statement as a read, a decode, an encode and a write of one document,
 * some milliseconds whatever it changes. A text of 300 characters has about 500 buckets, so
 * counting it one document per bucket took 500 upserts (2.6 texts/s learning, 770k documents to
 * read when a process starts at 100k learned appeals). In chunks, a batch of texts is summed per
 * chunk first and written with one `$inc` per chunk it touches: at most HASH_BUCKETS /
 * CHUNK_BUCKETS statements per category, however many texts the batch holds.
 *
 * Why 1024 buckets a chunk (128 documents per category): measured on the embedded database with
 * the bench's texts (400 characters on average) and counts as full as at 100k learned appeals (84%
 * of the buckets filled, 7 categories, 770k counts), a throwaway script, on a machine shared with
 * other work (load average 4 to 12, so the runs differ by up to 2×). A statement costs more the
 * bigger its document (FerretDB decodes and rewrites all of it, and looks fields up one by one),
 * so a batch that touches every chunk costs about one rewrite of the whole model whatever the size
 * of a chunk, plus a cost per statement; a text alone touches up to one chunk per bucket.
 *   buckets a chunk (chunks per category)   256 (512)  512 (256)  1024 (128)  2048 (64)  4096 (32)
 *   1,000 texts in one batch                    53 s    28-31 s     21-41 s    26-43 s      81 s
 *   2,000 texts in one batch                       -       33 s        31 s       27 s         -
 *   one 400-character text                     2.3 s    1.5-7 s     3.7-7 s    3.2-4 s     6.5 s
 *   reading all counts (a fresh process)       13 s     6-32 s      9-17 s     10 s       23 s
 * From 512 to 2048 the differences are within the noise; 256 pays for its statements and 4096 for
 * its document size. 1024 keeps the documents small enough (some 40 KB stored) and few enough.
 * Per-bucket documents, for comparison: 2.6 texts/s learning and 52 s to read 770k documents on a
 * quieter day (bench/README.md); reading 340k of them took 115 s on this loaded one. The price: a
 * text learned alone on a full model rewrites up to 128 chunks of its category (seconds, where its
 * 500 upserts took a fraction of one); the learner batches what waits, so it keeps up at any rate.
 * Field names carry a letter: a purely numeric path component (`n.4711`) means an array index
 * to MongoDB when the field holds an array, and FerretDB 1.24 treats such paths differently
 * around arrays; `b4711` is a plain field name on both.
 */
import { Types } from 'mongoose';
import { HASH_BUCKETS } from './text';

/** Buckets per chunk document. HASH_BUCKETS is a multiple of it. */
export const CHUNK_BUCKETS = 1024;
/** Chunk documents per category at most (128). */
export const CHUNKS_PER_CATEGORY = HASH_BUCKETS / CHUNK_BUCKETS;

const PREFIX = 'b';

export const chunkOf = (bucket: number): number => Math.floor(bucket / CHUNK_BUCKETS);
export const chunkIdOf = (categoryId: string, chunk: number): string => `${categoryId}|${chunk}`;
export const fieldOf = (bucket: number): string => `${PREFIX}${bucket}`;

/** The bucket a field of `n` counts, or null for a name this layout does not write. */
export function bucketOfField(name: string): number | null {
  if (!name.startsWith(PREFIX)) return null;
  const b = Number(name.slice(PREFIX.length));
  return Number.isInteger(b) && b >= 0 && b < HASH_BUCKETS ? b : null;
}

/** One `$inc` upsert of a chunk: its non-zero changes, the run that made them (`s`), who it belongs to on insert. */
export function chunkUpsert(categoryId: string, chunk: number, deltas: Iterable<[number, number]>, run: number, set: Record<string, unknown> = {}) {
  const inc: Record<string, number> = {};
  for (const [b, d] of deltas) if (d !== 0) inc[`n.${fieldOf(b)}`] = d;
  return {
    filter: { _id: chunkIdOf(categoryId, chunk) },
    update: { $inc: inc, $set: { s: run, ...set }, $setOnInsert: { c: new Types.ObjectId(categoryId), k: chunk } },
    changes: Object.keys(inc).length,
  };
}

/** Per category, the bucket changes grouped by chunk (chunks in order, so the writes of one batch go in a stable order). */
export function byChunk(deltas: ReadonlyMap<number, number>): Array<[number, Array<[number, number]>]> {
  const chunks = new Map<number, Array<[number, number]>>();
  for (const [b, d] of deltas) {
    if (d === 0) continue;
    const k = chunkOf(b);
    let list = chunks.get(k);
    if (!list) chunks.set(k, (list = []));
    list.push([b, d]);
  }
  return [...chunks].sort((x, y) => x[0] - y[0]);
}

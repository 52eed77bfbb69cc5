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
 * Why 1024 buckets a chunk (128 documents per category), measured on the embedded database with
 * the bench's texts and counts as full as at 100k learned appeals (84% of the buckets; 7
 * categories; a loaded machine): a statement costs more the bigger its document (FerretDB decodes
 * and rewrites all of it, and its field lookups are linear), so a batch that touches every chunk
 * costs about one rewrite of the whole model whatever the size, plus a fixed cost per statement.
 *               chunks per category   1,000 texts in one batch   one 400-character text   reading all counts
 *   256 buckets        512                 53 s                       2.3 s (219 chunks)       13.1 s
 *   512                256                 28 s                       1.5 s (179)               6.4 s
 *   1024               128                 21 s                       3.7 s (119)               9.0 s
 *   2048                64                 43 s                       3.2 s (64)                9.7 s
 *   4096                32                 81 s                       6.5 s (32)               22.8 s
 * 1024 learns the big batches of an import fastest and reads the whole model in seconds (770k
 * documents took 52 s); past it the cost per statement grows faster than the statements fall.
 *
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

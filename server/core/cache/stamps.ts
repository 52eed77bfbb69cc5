import { randomUUID } from 'node:crypto';
import type { Connection, Schema } from 'mongoose';
import { isDuplicateKeyError } from '../errors';

/**
 * Version stamps for read-mostly data, kept in the database so that every server process sharing
 * it sees a write at once: one small document `{ _id: 'read-cache', epoch, v: { <namespace>: n } }`.
 * A write bumps its namespace with `$inc` after it lands; a reader reads the stamp before it
 * loads (see read-cache.ts). The epoch is new whenever the document is created, so a dropped and
 * rebuilt database never reuses a version number that a process still holds in memory.
 */
export const STAMPS_COLLECTION = 'cachestamps';
const STAMP_ID = 'read-cache';

export interface Stamps {
  epoch: string;
  v: Record<string, number>;
}
interface StampDoc extends Stamps {
  _id: string;
}

const stamps = (conn: Connection) => conn.collection<StampDoc>(STAMPS_COLLECTION);

/** An upsert racing another upsert of the same `_id` may fail once with a duplicate key on MongoDB. */
async function upsertStamp(conn: Connection, update: Record<string, unknown>): Promise<void> {
  const write = () => stamps(conn).updateOne({ _id: STAMP_ID }, update, { upsert: true });
  try {
    await write();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await write();
  }
}

export async function bumpStamp(conn: Connection, namespace: string): Promise<void> {
  await upsertStamp(conn, { $inc: { [`v.${namespace}`]: 1 }, $setOnInsert: { epoch: randomUUID() } });
}

/** One read of one small document by `_id`; creates it on first use. */
export async function readStamps(conn: Connection): Promise<Stamps> {
  const found = await stamps(conn).findOne({ _id: STAMP_ID });
  if (found) return { epoch: found.epoch, v: found.v ?? {} };
  await upsertStamp(conn, { $setOnInsert: { epoch: randomUUID(), v: {} } });
  const created = await stamps(conn).findOne({ _id: STAMP_ID });
  if (!created) throw new Error('the cache stamp document vanished right after it was written');
  return { epoch: created.epoch, v: created.v ?? {} };
}

/** Every mongoose operation that writes documents, by the middleware kind mongoose runs for it. */
const QUERY_WRITES = ['updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete'] as const;
const DOCUMENT_WRITES = ['save', 'deleteOne', 'updateOne'] as const;
const MODEL_WRITES = ['insertMany', 'bulkWrite'] as const;

/** The connection behind a middleware's `this`: a query, a document or a model. */
function connectionOf(self: unknown): Connection {
  const s = self as { model?: { db?: Connection }; db?: Connection; constructor?: { db?: Connection } };
  const conn = (typeof self === 'function' ? s.db : (s.model?.db ?? s.constructor?.db ?? s.db));
  if (!conn) throw new Error('cache stamp plugin: no connection on the middleware context');
  return conn;
}

/**
 * Schema plugin: every write through this model (documents, queries, insertMany, bulkWrite; the
 * seed, admin commands and the API alike) bumps `namespace` once the write has landed, and also
 * when it failed, since a failed multi-document write may have applied in part. Mongoose awaits
 * the bump before the write resolves, so a caller that saw its write finish will see it through
 * every server process. Writes through the raw driver (`Model.collection`) bypass this.
 */
export function cacheStampPlugin(namespace: string) {
  return (schema: Schema): void => {
    const bump = async function (this: unknown) {
      await bumpStamp(connectionOf(this), namespace);
    };
    const bumpOnError = async function (this: unknown) {
      // Returning without throwing keeps mongoose's original error.
      await bumpStamp(connectionOf(this), namespace);
    };
    // Mongoose's typings spell each middleware kind separately; the runtime takes the lists as given.
    const s = schema as unknown as {
      post(names: readonly string[], opts: Record<string, boolean>, fn: (...args: unknown[]) => Promise<void>): void;
    };
    s.post(QUERY_WRITES, { document: false, query: true }, bump);
    s.post(QUERY_WRITES, { document: false, query: true, errorHandler: true }, bumpOnError);
    s.post(DOCUMENT_WRITES, { document: true, query: false }, bump);
    s.post(DOCUMENT_WRITES, { document: true, query: false, errorHandler: true }, bumpOnError);
    s.post(MODEL_WRITES, {}, bump);
    s.post(MODEL_WRITES, { errorHandler: true }, bumpOnError);
  };
}

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

/** Per connection and namespace: the bump not sent yet (callers join it) and the one in flight. */
interface BumpState {
  queued?: Promise<void>;
  running?: Promise<void>;
}
const bumps = new WeakMap<Connection, Map<string, BumpState>>();

/**
 * Bump a namespace after a write landed. Writes landing together share a bump: a caller joins the
 * bump that has not been sent yet (it is sent after this caller's write landed, so it covers it),
 * or queues the next one behind the bump in flight (which may have been sent before this write
 * landed). So concurrent writes cost one bump per round trip, not one each, and every caller
 * resolves only once a bump sent after its write has landed.
 */
export function bumpStamp(conn: Connection, namespace: string): Promise<void> {
  let perConn = bumps.get(conn);
  if (!perConn) bumps.set(conn, (perConn = new Map()));
  let state = perConn.get(namespace);
  if (!state) perConn.set(namespace, (state = {}));
  if (state.queued) return state.queued;
  const s = state;
  const prev = s.running;
  const queued: Promise<void> = (async () => {
    // (Always a tick first: `s.queued` is this bump by then.)
    await (prev ? prev.catch(() => {}) : undefined);
    // Sent from here on: a write landing later queues the next bump.
    s.queued = undefined;
    const sent = upsertStamp(conn, { $inc: { [`v.${namespace}`]: 1 }, $setOnInsert: { epoch: randomUUID() } });
    s.running = sent;
    try {
      await sent;
    } finally {
      if (s.running === sent) s.running = undefined;
    }
  })();
  s.queued = queued;
  return queued;
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

/**
 * A new epoch: every entry any process holds is stale at its next stamp read. For writes past the
 * models (their plugin bumps nothing): a reset that empties the collections with the driver.
 */
export async function renewEpoch(conn: Connection): Promise<void> {
  await stamps(conn).updateOne({ _id: STAMP_ID }, { $set: { epoch: randomUUID(), v: {} } }, { upsert: true });
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
 * Which writes change what a namespace's readers read, when not every write does (a user's sign-in
 * time is written at every sign-in; the identity cache reads the roles, never that time).
 */
export interface StampWatch {
  /**
   * The top-level fields the readers depend on. An update bumps the stamp only when it may set,
   * unset or change one of them (any update operator naming one, a replacement, an aggregation
   * pipeline); a save only when one of them was modified. Deletes always bump.
   */
  paths: readonly string[];
  /**
   * Whether a new document can change what readers hold (default true). False when readers only
   * hold entries for documents that exist (a miss is never cached): a new document is then
   * nobody's stale entry.
   */
  inserts?: boolean;
  /**
   * Narrows a query write the paths say may change them: relevant only when this says so, given
   * its filter (deletes and replacements always bump). For readers of a part of the collection
   * that a write's filter can rule out (the appeals settled before today: a move's filter names
   * the open state it starts from).
   */
  query?: (filter: Record<string, unknown>) => boolean;
  /** Narrows inserts (with `inserts` true): a new document is relevant only when this says so. */
  insert?: (doc: Record<string, unknown>) => boolean;
}

const topField = (path: string) => path.split('.')[0];

/** Whether an update (operators or a replacement or a pipeline) may touch one of `paths`. */
export function updateTouches(update: unknown, paths: ReadonlySet<string>): boolean {
  if (!update || typeof update !== 'object') return true;
  if (Array.isArray(update)) return true;
  for (const [key, value] of Object.entries(update as Record<string, unknown>)) {
    if (!key.startsWith('$')) {
      // A replacement or a shorthand `$set`.
      if (paths.has(topField(key))) return true;
      continue;
    }
    if (!value || typeof value !== 'object') return true;
    for (const [field, target] of Object.entries(value as Record<string, unknown>)) {
      if (paths.has(topField(field))) return true;
      if (key === '$rename' && typeof target === 'string' && paths.has(topField(target))) return true;
    }
  }
  return false;
}

/**
 * Schema plugin: every write through this model (documents, queries, insertMany, bulkWrite; the
 * seed, admin commands and the API alike) bumps `namespace` once the write has landed, and also
 * when it failed, since a failed multi-document write may have applied in part. Mongoose awaits
 * the bump before the write resolves, so a caller that saw its write finish will see it through
 * every server process. Writes through the raw driver (`Model.collection`) bypass this.
 * With `watch`, only the writes that may change the watched fields bump (StampWatch).
 */
export function cacheStampPlugin(namespace: string, watch?: StampWatch) {
  const watched = watch ? new Set(watch.paths) : null;
  const insertsBump = watch?.inserts ?? true;
  // Per namespace: a schema may carry several stamps, each watching its own fields (users: identity and rosters).
  const flagKey = `stampRelevant:${namespace}`;
  const insertRelevant = (doc: unknown) => watch?.insert?.(doc as Record<string, unknown>) ?? true;
  return (schema: Schema): void => {
    /** Whether this write may change what readers hold (query, document or model middleware). */
    const relevant = (self: unknown, kind: 'query' | 'document' | 'model'): boolean => {
      if (!watched) return true;
      if (kind === 'query') {
        const q = self as { op?: string; getUpdate(): unknown; getFilter(): Record<string, unknown> };
        if (q.op && /delete/i.test(q.op)) return true;
        if (q.op && /replace/i.test(q.op)) return true;
        return updateTouches(q.getUpdate(), watched) && (watch?.query?.(q.getFilter()) ?? true);
      }
      if (kind === 'document') {
        // Set by the pre-save hook for this save only: a later doc.updateOne or deleteOne bumps.
        const d = self as { $locals?: Record<string, unknown> };
        const flag = d.$locals?.[flagKey];
        if (d.$locals) delete d.$locals[flagKey];
        return flag !== false;
      }
      return true;
    };
    const bumpIf = (kind: 'query' | 'document' | 'model') =>
      async function (this: unknown) {
        // An error handler returning without throwing keeps mongoose's original error.
        if (relevant(this, kind)) await bumpStamp(connectionOf(this), namespace);
      };
    /** insertMany's documents (mongoose hands them to its post hook), when `insert` narrows; on an error, always. */
    const bumpIfInserted = async function (this: unknown, docs: unknown) {
      if (!Array.isArray(docs) || docs.some(insertRelevant)) await bumpStamp(connectionOf(this), namespace);
    };
    // Mongoose's typings spell each middleware kind separately; the runtime takes the lists as given.
    const s = schema as unknown as {
      pre(name: string, opts: Record<string, boolean>, fn: (this: unknown) => void): void;
      post(names: readonly string[], opts: Record<string, boolean>, fn: (...args: unknown[]) => Promise<void>): void;
    };
    if (watched) {
      // Decided before the save, while isNew and the modified paths still say what it writes.
      s.pre('save', { document: true, query: false }, function (this: unknown) {
        const d = this as { isNew: boolean; $locals: Record<string, unknown>; isModified(path: string): boolean };
        d.$locals[flagKey] = d.isNew ? insertsBump && insertRelevant(d) : [...watched].some((p) => d.isModified(p));
      });
    }
    s.post(QUERY_WRITES, { document: false, query: true }, bumpIf('query'));
    s.post(QUERY_WRITES, { document: false, query: true, errorHandler: true }, bumpIf('query'));
    s.post(DOCUMENT_WRITES, { document: true, query: false }, bumpIf('document'));
    s.post(DOCUMENT_WRITES, { document: true, query: false, errorHandler: true }, bumpIf('document'));
    if (watch?.insert && insertsBump) {
      s.post(['insertMany'], {}, bumpIfInserted);
      s.post(['insertMany'], { errorHandler: true }, bumpIf('model'));
      s.post(['bulkWrite'], {}, bumpIf('model'));
      s.post(['bulkWrite'], { errorHandler: true }, bumpIf('model'));
    } else if (insertsBump || !watched) {
      s.post(MODEL_WRITES, {}, bumpIf('model'));
      s.post(MODEL_WRITES, { errorHandler: true }, bumpIf('model'));
    } else {
      // insertMany only inserts; bulkWrite may update or delete.
      s.post(['bulkWrite'], {}, bumpIf('model'));
      s.post(['bulkWrite'], { errorHandler: true }, bumpIf('model'));
    }
  };
}

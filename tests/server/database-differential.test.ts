/**
 * Differential test of the patched embedded database (db/ferretdb with its _patches) against stock
 * FerretDB 1.24.2 (the same wrapper, no patches): the same generated documents, indexes, queries and
 * writes go to both, and every answer of the patched build must be one the stock build could give.
 * This is the gate for the patches that push filters, sorts and counts down to SQLite: pushed-down SQL
 * must select a superset of the matching rows and FerretDB must still filter, sort, skip and limit.
 *
 * Seeded: the seed is printed; `DIFF_SEED=<seed> npx jest tests/server/database-differential.test.ts`
 * replays a run. DIFF_DOCS and DIFF_QUERIES change the sizes (defaults below). DIFF_PATCHED_BINARY
 * tests another build of the patched database instead of the one scripts/build-db.ts makes from
 * the working tree (e.g. a binary built from a given commit).
 *
 * Shown to fail: a build whose pushdown drops the array branch (`{f: 'a'}` no longer finds
 * `{f: ['a', 'b']}`) gave 29 query, 2 write and 57 after-write mismatches at 300 documents and 80
 * specs. The `$or` rounds (seeds 12345, 777, 4242) failed on builds whose `$or` joined branches
 * with AND (63 mismatches), pushed the other branches when one pushes nothing (22, 52), counted an
 * inexact `$or` in SQL (9), or checked no stored type on an `_id` range (3, 2: counts of the string
 * `_id`s varyIds adds); an array branch that looked for an ObjectID's hex in upper case gave 5 + 3.
 * The defaults keep the suite at one to two minutes on a 2-core machine; run deeper before changing
 * the patches, e.g. `DIFF_DOCS=1500 DIFF_QUERIES=500 DIFF_OR_QUERIES=300`.
 *
 * Mismatch classes (each is a bug it catches; the class names the check in a failure message):
 * - error:           one build rejects a query or write the other accepts (or with another code);
 *                    e.g. a pushdown that cannot translate a value and fails instead of falling back.
 * - find:            the patched full result is not the reference's multiset of documents: SQL that is
 *                    not a superset (array elements, int/double 5 = 5.0, null vs missing, mixed types,
 *                    LIKE's case-insensitivity or % _ wildcards in a prefix regex), or rows not re-checked.
 * - order:           sort keys in another order: a sort done in SQL on JSON values that does not follow
 *                    BSON order (types, arrays by min/max, missing = null, empty array lowest, desc).
 * - window:          skip/limit applied before the filter or the sort, or off by some rows.
 * - countDocuments / count: a pushed-down count that counts rows the filter rejects, or ignores skip/limit.
 * - findOne:         findOne with a sort (and skip) returns a document that is not first.
 * - write:           updateMany/deleteMany/findOneAndUpdate/findOneAndDelete change other documents,
 *                    or the collections differ afterwards (index maintenance on type changes).
 * - model:           the stock build's own result breaks this test's model of the sort order: a bug in
 *                    tests/helpers/random-docs.ts, not in the database.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureDbBinary } from '../../scripts/build-db';
import { startEmbeddedDb, withDbName, type EmbeddedDb } from '../../server/db/embedded';
import {
  INDEXES,
  Rng,
  docKey,
  makeDocs,
  makeFilter,
  makeSort,
  show,
  sortDoc,
  sortOrderProblem,
  windowProblem,
  type Doc,
  type Filter,
  type SortSpec,
} from '../helpers/random-docs';

type MongoClient = InstanceType<typeof mongoose.mongo.MongoClient>;
type Collection = ReturnType<ReturnType<MongoClient['db']>['collection']>;

const SEED = Number(process.env.DIFF_SEED) || Math.floor(Math.random() * 2 ** 31);
const DOC_COUNT = Number(process.env.DIFF_DOCS) || 400;
/** Query specs per round; each runs as several operations (find, window, counts, findOne) on each build. */
const QUERY_COUNT = Number(process.env.DIFF_QUERIES) || 100;
/** `$or` query specs per round (scope filters and _id paging); DIFF_OR_QUERIES changes it. */
const OR_QUERY_COUNT = Number(process.env.DIFF_OR_QUERIES) || 60;
const IN_FLIGHT = 3;
const COLL = 'diff';
/** Typed numbers (Int32/Double/Long) in results, so 5 and 5.0 stay different documents. */
const RAW = { promoteValues: false } as const;

interface Side {
  name: 'stock' | 'patched';
  db: EmbeddedDb;
  dataDir: string;
  client: MongoClient;
  coll: Collection;
}

let stock: Side;
let patched: Side;

async function startSide(name: Side['name']): Promise<Side> {
  const binary =
    (name === 'patched' && process.env.DIFF_PATCHED_BINARY) ||
    (await ensureDbBinary({ variant: name, log: (s) => process.stderr.write(`[build-db] ${s}\n`) }));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-diff-${name}-`));
  const db = await startEmbeddedDb({ dataDir, port: 0, binary, log: (line) => process.stderr.write(`[ferretdb ${name}] ${line}\n`) });
  const client = new mongoose.mongo.MongoClient(withDbName(db.uri, 'differential'), { maxPoolSize: IN_FLIGHT + 2 });
  await client.connect();
  return { name, db, dataDir, client, coll: client.db().collection(COLL) };
}

async function stopSide(side: Side | undefined) {
  if (!side) return;
  await side.client.close();
  await side.db.stop();
  await fs.rm(side.dataDir, { recursive: true, force: true });
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const e = err as { code?: unknown; codeName?: unknown; message?: unknown };
    return { ok: false, error: `code ${String(e.code)} ${String(e.codeName ?? '')}: ${String(e.message)}` };
  }
}

/** Runs one operation on both builds at once. */
async function both<T>(fn: (c: Collection, side: Side) => Promise<T>): Promise<[Outcome<T>, Outcome<T>]> {
  return Promise.all([attempt(() => fn(stock.coll, stock)), attempt(() => fn(patched.coll, patched))]);
}

/** The error codes of two failed outcomes agree (messages may differ in wording). */
function errorProblem<T>(s: Outcome<T>, p: Outcome<T>): string | null {
  if (s.ok && p.ok) return null;
  const code = (o: Outcome<T>) => (o.ok ? 'success' : o.error.replace(/:.*$/s, ''));
  if (code(s) === code(p)) return null;
  return `stock: ${s.ok ? 'success' : s.error}; patched: ${p.ok ? 'success' : p.error}`;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

interface QuerySpec {
  filter: Filter;
  supported: boolean;
  sort: SortSpec | null;
  skip: number;
  limit: number;
}

function makeSpec(rng: Rng): QuerySpec {
  const { filter, supported } = makeFilter(rng);
  const sort = makeSort(rng);
  const skip = rng.chance(0.3) ? rng.pick([1, 2, 3, 10, 50, 400]) : 0;
  const limit = rng.chance(0.5) ? rng.pick([1, 2, 5, 20, 100]) : 0;
  return { filter, supported, sort, skip, limit };
}

// ---------------------------------------------------------------------------------------------
// $or specs: the shapes of appeal lists by scope ({$or: [{reporterId: me}, {submittedById: me},
// {followerIds: me}]}, a staff member's {$or: [{regionPath: /^\/a\//}, {departmentId: X}]}),
// combined with other conditions and with _id paging ({_id: {$lt: cursor}} sorted by _id).

const { ObjectId } = mongoose.mongo;
type ObjectIdT = InstanceType<typeof ObjectId>;

/** ObjectId _ids of stored documents: exact bounds for _id ranges ($lt vs $lte at a document). */
const knownIds: ObjectIdT[] = [];

/**
 * Gives a few documents an _id of another type: strings of 24 hex digits (their JSON text lies
 * among the ObjectIds' and sorts with them, so a pushed _id range that forgets the stored type
 * returns them), other strings and numbers. Records the ObjectIds for _id bounds.
 */
function varyIds(rng: Rng, docs: Doc[]): Doc[] {
  for (const d of docs) {
    if (rng.chance(0.06)) d._id = rng.pick([() => rng.hex(24), () => `id-${rng.hex(6)}`, () => rng.int(1, 1e9)])();
    else knownIds.push(d._id as ObjectIdT);
  }
  return docs;
}

/** An _id bound: a stored document's _id half the time, else a random ObjectId (or rarely another type). */
function idBound(rng: Rng): unknown {
  if (knownIds.length && rng.chance(0.5)) return rng.pick(knownIds);
  if (rng.chance(0.05)) return rng.pick([rng.hex(24), 5]);
  return new ObjectId(rng.hex(24));
}

/** {_id: {$lt|$lte|$gt|$gte: bound}}, sometimes with both ends. */
function idRange(rng: Rng): Filter {
  const ops = ['$lt', '$lte', '$gt', '$gte'] as const;
  const cond: Record<string, unknown> = { [rng.pick(ops)]: idBound(rng) };
  if (rng.chance(0.25)) cond[rng.pick(ops)] = idBound(rng);
  return { _id: cond };
}

/** A filter the pushdown translates (at least one condition): retried from makeFilter's supported shapes. */
function pushableFilter(rng: Rng): Filter {
  for (let k = 0; k < 20; k++) {
    const f = makeFilter(rng);
    if (f.supported && Object.keys(f.filter).length) return f.filter;
  }
  return { st: rng.pick(['new', 'closed']) };
}

/**
 * A condition on `i` (a field that never holds an array) or an _id range: pushed exactly, so a
 * filter made only of these is counted in SQL, where a pushed condition that is not exact shows.
 */
function exactFilter(rng: Rng): Filter {
  if (rng.chance(0.4)) return idRange(rng);
  const n = rng.int(-5, DOC_COUNT + 50);
  return { i: rng.pick<unknown>([n, { $gte: n }, { $lt: n }, { $in: [n, n + 1, n + 7] }]) };
}

/** A branch the pushdown cannot translate at all: such a $or must push nothing. */
function unpushableFilter(rng: Rng): Filter {
  const field = rng.pick(['s', 'n', 'st', 'dep', 't', 'i']);
  return rng.pick<Filter>([
    {},
    { [field]: { $ne: rng.pick(['new', 'a', 3, null]) } },
    { [field]: { $nin: ['closed', 2] } },
    { [field]: { $exists: false } },
    { 'o.x': rng.int(0, 5) },
    { s: /b/ },
    { n: { $not: { $gt: 2 } } },
    { $nor: [{ st: 'new' }] },
    { _id: { $ne: idBound(rng) } },
  ]);
}

/** One $or branch; pushable tells whether the pushdown translates it. */
function orBranch(rng: Rng, depth: number): { filter: Filter; pushable: boolean } {
  const r = rng.next();
  if (r < 0.35) return { filter: pushableFilter(rng), pushable: true };
  if (r < 0.55) return { filter: exactFilter(rng), pushable: true };
  if (r < 0.65) return { filter: { $and: [pushableFilter(rng), rng.chance(0.5) ? idRange(rng) : pushableFilter(rng)] }, pushable: true };
  if (r < 0.72 && depth < 2) return makeOr(rng, depth + 1);
  if (r < 0.82) return { filter: unpushableFilter(rng), pushable: false };
  // Anything makeFilter gives, $ne/$nin/$exists/dotted paths/$not included: pushed only in part or not at all.
  const f = makeFilter(rng);
  return { filter: f.filter, pushable: f.supported && Object.keys(f.filter).length > 0 };
}

/** {$or: [two or three branches]}; rarely an empty $or, which both builds must reject alike. */
function makeOr(rng: Rng, depth = 0): { filter: Filter; pushable: boolean } {
  if (depth === 0 && rng.chance(0.03)) return { filter: { $or: [] }, pushable: false };
  const branches = Array.from({ length: rng.pick([2, 2, 3]) }, () => orBranch(rng, depth));
  return { filter: { $or: branches.map((b) => b.filter) }, pushable: branches.every((b) => b.pushable) };
}

/** A query spec around a $or, or an _id-paged list; `supported` = the whole $or is pushed. */
function makeOrSpec(rng: Rng): QuerySpec {
  const or = makeOr(rng);
  const r = rng.next();
  let filter: Filter;
  let supported = or.pushable;
  if (r < 0.3) filter = or.filter;
  else if (r < 0.45) filter = { ...pushableFilter(rng), ...or.filter }; // top-level $or beside other fields
  else if (r < 0.8) {
    const clauses = [or.filter, ...(rng.chance(0.6) ? [pushableFilter(rng)] : []), ...(rng.chance(0.6) ? [idRange(rng)] : [])];
    filter = { $and: clauses };
  } else {
    supported = true;
    if (r < 0.85) filter = { $and: [pushableFilter(rng), idRange(rng)] }; // paging without $or
    else filter = rng.chance(0.5) ? idRange(rng) : { ...exactFilter(rng), ...idRange(rng) }; // exact: counted in SQL
  }
  // Lists page by _id descending; other sorts (and ties) as in the main specs.
  const sort: SortSpec | null = rng.chance(0.45) ? [['_id', rng.chance(0.75) ? -1 : 1]] : makeSort(rng);
  const skip = rng.chance(0.2) ? rng.pick([1, 2, 10]) : 0;
  const limit = rng.chance(0.6) ? rng.pick([1, 5, 20]) : 0;
  return { filter, supported, sort, skip, limit };
}

function describeSpec(q: QuerySpec): string {
  return `filter ${show(q.filter)}${q.supported ? '' : ' (unsupported shape)'} sort ${q.sort ? show(sortDoc(q.sort)) : 'none'} skip ${q.skip} limit ${q.limit}`;
}

function findOptions(q: QuerySpec, window: boolean) {
  return {
    ...RAW,
    ...(q.sort ? { sort: sortDoc(q.sort) } : {}),
    ...(window && q.skip ? { skip: q.skip } : {}),
    ...(window && q.limit ? { limit: q.limit } : {}),
  };
}

/** Checks one query spec through find, find with skip/limit, countDocuments, count and findOne; returns mismatches. */
async function checkSpec(q: QuerySpec, rng: Rng): Promise<string[]> {
  const out: string[] = [];
  const fail = (cls: string, detail: string) => out.push(`[${cls}] ${describeSpec(q)}\n    ${detail}`);

  // find, no skip/limit: the reference result F (stock) and the patched one.
  const [fs_, fp] = await both((c) => c.find(q.filter, findOptions(q, false)).toArray() as Promise<Doc[]>);
  const err = errorProblem(fs_, fp);
  if (err) return fail('error', `find: ${err}`), out;
  if (!fs_.ok || !fp.ok) return out; // both rejected the query alike
  const full = fs_.value;
  if (q.sort) {
    const model = sortOrderProblem(full, q.sort);
    if (model) fail('model', model);
  }
  const fullProblem = windowProblem(fp.value, full, q.sort, 0, 0);
  if (fullProblem) fail(q.sort && /sort keys/.test(fullProblem) ? 'order' : 'find', fullProblem);
  const expectedLen = Math.max(0, Math.min(q.limit > 0 ? q.limit : Infinity, full.length - q.skip));

  // find with skip/limit.
  if (q.skip || q.limit) {
    const [ws, wp] = await both((c) => c.find(q.filter, findOptions(q, true)).toArray() as Promise<Doc[]>);
    const e = errorProblem(ws, wp);
    if (e) fail('error', `find with skip/limit: ${e}`);
    else if (ws.ok && wp.ok) {
      const sp = windowProblem(ws.value, full, q.sort, q.skip, q.limit);
      if (sp) fail('model', `stock window vs stock full result: ${sp}`);
      const pp = windowProblem(wp.value, full, q.sort, q.skip, q.limit);
      if (pp) fail('window', pp);
    }
  }

  // countDocuments = aggregate [$match, $skip, $limit, $group {_id: 1, n: {$sum: 1}}].
  {
    const opts = { ...(q.skip ? { skip: q.skip } : {}), ...(q.limit ? { limit: q.limit } : {}) };
    const [cs, cp] = await both((c) => c.countDocuments(q.filter, opts));
    const e = errorProblem(cs, cp);
    if (e) fail('error', `countDocuments: ${e}`);
    else if (cs.ok && cp.ok && (toNumber(cs.value) !== expectedLen || toNumber(cp.value) !== expectedLen)) {
      fail('countDocuments', `expected ${expectedLen}; stock ${toNumber(cs.value)}, patched ${toNumber(cp.value)}`);
    }
  }

  // The count command, on some specs (with and without skip/limit).
  if (rng.chance(0.5)) {
    const cmd = { count: COLL, query: q.filter, ...(q.skip ? { skip: q.skip } : {}), ...(q.limit ? { limit: q.limit } : {}) };
    const [cs, cp] = await both((_c, side) => side.client.db().command(cmd));
    const e = errorProblem(cs, cp);
    if (e) fail('error', `count: ${e}`);
    else if (cs.ok && cp.ok && (toNumber(cs.value.n) !== expectedLen || toNumber(cp.value.n) !== expectedLen)) {
      fail('count', `expected ${expectedLen}; stock ${toNumber(cs.value.n)}, patched ${toNumber(cp.value.n)}`);
    }
  }

  // findOne with the sort and skip: the first document of the window.
  if (rng.chance(0.4)) {
    const opts = { ...RAW, ...(q.sort ? { sort: sortDoc(q.sort) } : {}), ...(q.skip ? { skip: q.skip } : {}) };
    const [os_, op] = await both((c) => c.findOne(q.filter, opts) as Promise<Doc | null>);
    const e = errorProblem(os_, op);
    if (e) fail('error', `findOne: ${e}`);
    else if (os_.ok && op.ok) {
      const sp = windowProblem(os_.value ? [os_.value] : [], full, q.sort, q.skip, 1);
      if (sp) fail('model', `stock findOne vs stock full result: ${sp}`);
      const pp = windowProblem(op.value ? [op.value] : [], full, q.sort, q.skip, 1);
      if (pp) fail('findOne', pp);
    }
  }
  return out;
}

/** Runs `count` query specs, IN_FLIGHT at a time; returns every mismatch. */
async function runQueries(
  rng: Rng,
  count: number,
  make: (rng: Rng) => QuerySpec = makeSpec,
): Promise<{ mismatches: string[]; specs: number; supported: number }> {
  const specs = Array.from({ length: count }, () => make(rng));
  // Each spec gets its own generator, so the order in which specs finish does not change the run.
  const seeds = specs.map(() => rng.int(1, 2 ** 30));
  const mismatches: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < specs.length) {
        const k = next++;
        mismatches.push(...(await checkSpec(specs[k], new Rng(seeds[k]))));
      }
    }),
  );
  return { mismatches, specs: specs.length, supported: specs.filter((s) => s.supported).length };
}

async function dump(side: Side): Promise<string[]> {
  return (await side.coll.find({}, { ...RAW, sort: { _id: 1 } }).toArray()).map(docKey);
}

/** The two collections hold the same documents, byte for byte in Extended JSON. */
async function collectionsProblem(): Promise<string | null> {
  const [s, p] = await Promise.all([dump(stock), dump(patched)]);
  if (s.length !== p.length) return `stock has ${s.length} documents, patched ${p.length}`;
  for (let j = 0; j < s.length; j++) if (s[j] !== p[j]) return `document ${j} differs:\n    stock   ${s[j]}\n    patched ${p[j]}`;
  return null;
}

function report(title: string, mismatches: string[]): string[] {
  if (!mismatches.length) return [];
  const shown = mismatches.slice(0, 12);
  return [
    `${title}: ${mismatches.length} mismatch(es), seed ${SEED} (replay: DIFF_SEED=${SEED} npx jest tests/server/database-differential.test.ts)`,
    ...shown,
    ...(mismatches.length > shown.length ? [`... and ${mismatches.length - shown.length} more`] : []),
  ];
}

// The first run builds both binaries (a few minutes each); later runs start them in well under a second.
beforeAll(async () => {
  process.stdout.write(`database differential: seed ${SEED}${process.env.DIFF_PATCHED_BINARY ? `, patched binary ${process.env.DIFF_PATCHED_BINARY}` : ''}, ${DOC_COUNT} documents, ${QUERY_COUNT} query specs per round\n`);
  stock = await startSide('stock');
  patched = await startSide('patched');
}, 15 * 60_000);

afterAll(async () => {
  await stopSide(stock);
  await stopSide(patched);
});

jest.setTimeout(10 * 60_000);

describe('patched embedded database vs stock FerretDB', () => {
  const rng = new Rng(SEED);

  // Bug caught: an index definition or insert path the patches change (a failing createIndex or
  // insert, or documents stored differently) before any query runs.
  it('stores the same documents and indexes', async () => {
    const docs = varyIds(rng, makeDocs(rng, DOC_COUNT));
    for (let k = 0; k < docs.length; k += 200) {
      const [s, p] = await both((c) => c.insertMany(docs.slice(k, k + 200), { ordered: true }));
      expect(errorProblem(s, p)).toBeNull();
      expect(s.ok).toBe(true);
    }
    for (const keys of INDEXES) {
      const [s, p] = await both((c) => c.createIndex(keys));
      expect(errorProblem(s, p)).toBeNull();
    }
    const [is, ip] = await both((c) => c.indexes());
    expect(ip.ok && ip.value.map((i) => i.name)).toEqual(is.ok && is.value.map((i) => i.name));
    expect(await collectionsProblem()).toBeNull();
  });

  // Bugs caught: every class in the file comment, on the freshly inserted collection.
  it('answers generated queries like stock FerretDB', async () => {
    const r = await runQueries(rng, QUERY_COUNT);
    expect(r.supported).toBeGreaterThan(r.specs / 2);
    expect(report('queries', r.mismatches)).toEqual([]);
  });

  // Bugs caught: a pushed $or that is not a superset of its branches (an array branch dropped in a
  // branch, a branch's unpushed condition treated as false, branches joined with AND, an empty
  // branch pushed as "no condition"), arguments bound in the wrong order across branches, a $or
  // counted in SQL while a branch is inexact, an _id range that returns string _ids whose text sorts
  // among the ObjectIds', and a sort on the _id column over _ids of other types.
  it('answers generated $or queries (scope filters, _id paging) like stock FerretDB', async () => {
    const r = await runQueries(rng, OR_QUERY_COUNT, makeOrSpec);
    expect(r.supported).toBeGreaterThan(r.specs / 4);
    expect(report('$or queries', r.mismatches)).toEqual([]);
  });

  // Bug caught: writes that select documents through a pushed-down filter or sort (updateMany,
  // deleteMany, findOneAndUpdate/Delete with a sort) touching other documents than stock does.
  it('applies the same writes: type changes, arrays gained and lost, deletes, sorted findOneAnd*', async () => {
    const problems: string[] = [];
    let nextI = DOC_COUNT;
    const values = (r: Rng): unknown => {
      const d = makeDocs(r, 1, -1)[0];
      return d[r.pick(['s', 'n', 'd', 'b', 't', 'm', 'o', 'st', 'w'])] ?? null;
    };
    for (let op = 0; op < 160; op++) {
      const kind = rng.int(0, 8);
      const field = rng.pick(['s', 'n', 'd', 'b', 'st', 'rp', 'dep', 't', 'm', 'o', 'w']);
      let label: string;
      let outcomes: [Outcome<unknown>, Outcome<unknown>];
      if (kind <= 2) {
        // Bounded to a range of i: FerretDB rewrites every matched document one by one.
        const lo = rng.int(0, nextI);
        const filter = { $and: [makeFilter(rng).filter, { i: { $gte: lo, $lt: lo + 60 } }] };
        const update = rng.chance(0.8) ? { $set: { [field]: values(rng) } } : { $unset: { [field]: '' } };
        label = `updateMany ${show(filter)} ${show(update)}`;
        outcomes = await both((c) => c.updateMany(filter, update).then((r) => [r.matchedCount, r.modifiedCount]));
      } else if (kind === 3) {
        const i = rng.int(0, nextI - 1);
        const update: Filter = rng.pick<Filter>([{ $push: { t: values(rng) } }, { $inc: { n: rng.pick([1, -2, 0.5]) } }, { $set: { t: [] } }, { $pop: { t: 1 } }]);
        label = `updateOne {i: ${i}} ${show(update)}`;
        outcomes = await both((c) => c.updateOne({ i }, update).then((r) => [r.matchedCount, r.modifiedCount]));
      } else if (kind === 4) {
        const { filter } = makeFilter(rng);
        const lo = rng.int(0, nextI);
        const f = { $and: [filter, { i: { $gte: lo, $lt: lo + 40 } }] };
        label = `deleteMany ${show(f)}`;
        outcomes = await both((c) => c.deleteMany(f).then((r) => r.deletedCount));
      } else if (kind === 5) {
        const docs = makeDocs(rng, 15, nextI);
        nextI += docs.length;
        label = `insertMany of ${docs.length}`;
        outcomes = await both((c) => c.insertMany(docs).then((r) => r.insertedCount));
      } else {
        // A sort ending in _id picks one document, so both builds must pick the same one.
        const { filter } = makeFilter(rng);
        const sort = sortDoc([...(makeSort(rng) ?? []).filter(([f]) => f !== '_id'), ['_id', rng.chance(0.5) ? 1 : -1]]);
        if (kind === 8) {
          label = `findOneAndDelete ${show(filter)} sort ${show(sort)}`;
          outcomes = await both((c) => c.findOneAndDelete(filter, { ...RAW, sort }).then((d) => (d ? docKey(d) : null)));
        } else {
          const update = { $set: { [field]: values(rng), fu: op } };
          const returnDocument = rng.chance(0.5) ? 'before' : 'after';
          label = `findOneAndUpdate ${show(filter)} ${show(update)} sort ${show(sort)} returnDocument ${returnDocument}`;
          outcomes = await both((c) => c.findOneAndUpdate(filter, update, { ...RAW, sort, returnDocument }).then((d) => (d ? docKey(d) : null)));
        }
      }
      const [s, p] = outcomes;
      const e = errorProblem(s, p);
      if (e) problems.push(`[error] ${label}\n    ${e}`);
      else if (s.ok && p.ok && show(s.value) !== show(p.value)) problems.push(`[write] ${label}\n    stock ${show(s.value)}, patched ${show(p.value)}`);
      if (problems.length) break; // later writes would only repeat the divergence
    }
    const after = await collectionsProblem();
    if (after) problems.push(`[write] collections differ after the writes: ${after}`);
    expect(report('writes', problems)).toEqual([]);
  });

  // Bugs caught: stale or missing index entries after documents changed type, gained or lost arrays
  // or were deleted (a pushed-down query reading an index that no longer matches the rows).
  it('answers generated queries like stock FerretDB after the writes', async () => {
    const r = await runQueries(rng, QUERY_COUNT);
    expect(report('queries after writes', r.mismatches)).toEqual([]);
  });

  // Bugs caught: as for $or above, on documents whose fields changed type and gained or lost arrays.
  it('answers generated $or queries like stock FerretDB after the writes', async () => {
    const r = await runQueries(rng, OR_QUERY_COUNT, makeOrSpec);
    expect(report('$or queries after writes', r.mismatches)).toEqual([]);
  });

  // The patch (_patches/internal/backends/sqlite/collection.go, DeleteAll): upstream deleted every
  // matching document in one `DELETE ... IN (...)` naming them all, which SQLite refuses beyond
  // 32766 variables, so a deleteMany of more documents than that failed whole (an import's rows).
  // Bug caught: that refusal, or chunks that delete too few or too many.
  it('deletes more documents in one deleteMany than SQLite takes variables (stock FerretDB refuses it)', async () => {
    const N = 33_000;
    const docs = Array.from({ length: N }, (_, i) => ({ _id: `del-${i}`, k: i % 3 === 0 ? 'gone' : 'kept' }));
    for (let k = 0; k < N; k += 5000) {
      const [si, pi] = await both((c) => c.insertMany(docs.slice(k, k + 5000) as never[], { ordered: false }));
      expect(si.ok && pi.ok).toBe(true);
    }
    const [sd, pd] = await both((c) => c.deleteMany({ _id: { $regex: '^del-' }, k: { $in: ['gone', 'kept'] } } as never));
    expect(sd.ok ? 'deleted' : sd.error).toMatch(/too many SQL variables/);
    expect(pd.ok && pd.value.deletedCount).toBe(N);
    expect(await patched.coll.countDocuments({ _id: { $regex: '^del-' } } as never)).toBe(0);
    // The stock build deleted nothing (one statement, refused whole): clear it for the tests after.
    for (let k = 0; k < N; k += 5000) await stock.coll.deleteMany({ _id: { $in: docs.slice(k, k + 5000).map((d) => d._id) } } as never);
  });

  // Last in this file: it leaves the stock build hung (afterAll kills it).
  // The patch (_patches/internal/handler/msg_update.go): one update command of more statements
  // matching existing documents than SQLite's connection pool holds (100). Upstream kept each
  // statement's rows open until the command's end, so the 101st statement waited for a connection
  // forever and the database answered nothing more (a suggestion import's batch of $inc upserts).
  // Bug caught: that wait, or a fix that loses or doubles a statement's update.
  it('runs one command of 150 updates on existing documents (stock FerretDB never answers it)', async () => {
    const ops = Array.from({ length: 150 }, (_, i) => ({ updateOne: { filter: { _id: `bulk-${i}` }, update: { $inc: { n: 1 } }, upsert: true } }));
    const clients: MongoClient[] = [];
    const run = async (side: Side) => {
      const client = new mongoose.mongo.MongoClient(withDbName(side.db.uri, 'differential'), { maxPoolSize: 2 });
      clients.push(client);
      await client.connect();
      const coll = client.db().collection<{ _id: string; n: number }>('bulk');
      await coll.bulkWrite(ops, { ordered: false }); // all inserts: both builds answer
      return { coll, second: coll.bulkWrite(ops, { ordered: false }) }; // all updates
    };
    const [s, p] = await Promise.all([run(stock), run(patched)]);
    s.second.catch(() => {});
    const done = await p.second;
    expect(done.matchedCount).toBe(150);
    expect(await p.coll.countDocuments({ n: 2 })).toBe(150);
    // Upstream: still unanswered long after the patched build has finished the same command (it never answers).
    const stockState = await Promise.race([s.second.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('hung'), 15_000))]);
    expect(stockState).toBe('hung');
    await Promise.all(clients.map((c) => c.close(true)));
  });
});

/**
 * The embedded database's query pushdown (db/ferretdb/_patches, see db/ferretdb/README.md): the
 * patched FerretDB translates filters, sorts and counts into SQL on its (type rank, value)
 * indexes. These tests pin the edge cases where SQL and FerretDB's own matching could disagree:
 * array-valued fields, mixed types, regex prefixes, counts, and indexes built by an older build.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedDb, withDbName } from '../../server/db/embedded';
import { ensureDbBinary } from '../../scripts/build-db';
import { startTestDb, type TestDb } from '../helpers/db';

const { MongoClient, ObjectId } = mongoose.mongo;
type Client = InstanceType<typeof MongoClient>;
type Doc = Record<string, unknown>;

jest.setTimeout(60_000);

let db: TestDb;
let client: Client;

beforeAll(async () => {
  db = await startTestDb();
  client = await MongoClient.connect(withDbName(db.uri, 'pushdown_test'));
}, 600_000);

afterAll(async () => {
  await client?.close();
  await db?.stop();
});

/** A fresh collection with the given single-field indexes. */
async function coll(name: string, indexed: string[] = []) {
  const c = client.db('pushdown_test').collection<Doc>(name);
  for (const f of indexed) await c.createIndex({ [f]: 1 });
  return c;
}

const names = (docs: Doc[]) => docs.map((d) => d.k);
const show = (v: unknown) => mongoose.mongo.BSON.EJSON.stringify(v, { relaxed: false });
const sortedNames = (docs: Doc[]) => names(docs).map(String).sort();

describe('query pushdown on the embedded database', () => {
  it('keeps documents whose field holds an array', async () => {
    const c = await coll('arrays', ['tag']);
    await c.insertMany([
      { k: 'a', tag: 'x' },
      { k: 'b', tag: ['y', 'x'] },
      { k: 'c', tag: 'y' },
      { k: 'd', tag: [3, 'q'] },
      { k: 'e', tag: 'xyz' },
    ]);
    // Bug caught: a pushed condition without the "or it is an array" branch drops b and d.
    expect(sortedNames(await c.find({ tag: 'x' }).toArray())).toEqual(['a', 'b']);
    expect(sortedNames(await c.find({ tag: { $in: ['x', 'q'] } }).toArray())).toEqual(['a', 'b', 'd']);
    expect(sortedNames(await c.find({ tag: { $gt: 2 } }).toArray())).toEqual(['d']);
    expect(sortedNames(await c.find({ tag: /^x/ }).toArray())).toEqual(['a', 'b', 'e']);
    // Counts cannot be answered by SQL alone here; they must still be right.
    expect(await c.countDocuments({ tag: 'x' })).toBe(2);
    expect(await c.countDocuments({ tag: 'y' })).toBe(2);
  });

  it('notices an array written by an update', async () => {
    const c = await coll('updated', ['tag']);
    await c.insertMany([{ k: 'a', tag: 'x' }, { k: 'b', tag: 'y' }]);
    expect(await c.countDocuments({ tag: 'z' })).toBe(0);
    await c.updateOne({ k: 'b' }, { $set: { tag: ['z', 'w'] } });
    // Bug caught: a type log fed only on insert would treat tag as array-free and miss b.
    expect(sortedNames(await c.find({ tag: 'z' }).toArray())).toEqual(['b']);
    expect(await c.countDocuments({ tag: 'z' })).toBe(1);
  });

  it('counts exactly with count and countDocuments, including no match', async () => {
    const c = await coll('counts', ['status']);
    await c.insertMany(Array.from({ length: 30 }, (_, i) => ({ k: i, status: ['open', 'closed', 'claimed'][i % 3], n: i })));
    // Bug caught: a count that ignores part of the filter (n) or the filter's types.
    expect(await c.countDocuments({ status: 'open' })).toBe(10);
    expect(await c.countDocuments({ status: 'open', n: { $gte: 15 } })).toBe(5);
    expect(await c.countDocuments({ status: { $in: ['open', 'claimed'] } })).toBe(20);
    expect(await c.countDocuments({ status: 'nobody' })).toBe(0);
    expect(await c.countDocuments({})).toBe(30);
    const r = await client.db('pushdown_test').command({ count: 'counts', query: { status: 'closed', n: { $lt: 10 } } });
    expect(r.n).toBe(3);
    // Not a simple shape ($ne): counted by FerretDB itself, still right.
    expect(await c.countDocuments({ status: { $ne: 'open' } })).toBe(20);
    // The aggregate mongoose runs, answered from SQL: same document as the $group stage gives.
    const agg = await c.aggregate([{ $match: { status: 'open' } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray();
    expect(agg).toEqual([{ _id: 1, n: 10 }]);
    const none = await c.aggregate([{ $match: { status: 'x' } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray();
    expect(none).toEqual([]);
  });

  it('sorts mixed scalar types in FerretDB type order, ascending and descending', async () => {
    const c = await coll('mixed', ['v']);
    const oid = new ObjectId('64b7f0000000000000000001');
    await c.insertMany([
      { k: 'date', v: new Date('2024-01-01T00:00:00Z') },
      { k: 'str-b', v: 'b' },
      { k: 'num-5', v: 5 },
      { k: 'true', v: true },
      { k: 'null', v: null },
      { k: 'oid', v: oid },
      { k: 'num-2.5', v: 2.5 },
      { k: 'false', v: false },
      { k: 'str-a', v: 'a' },
      { k: 'missing' },
      { k: 'num--1', v: -1 },
      { k: 'long', v: mongoose.mongo.Long.fromNumber(4) },
      { k: 'str-B', v: 'B' },
      { k: 'date-early', v: new Date('1960-01-01T00:00:00Z') },
    ]);
    const asc = names(await c.find({}).sort({ v: 1 }).toArray());
    // Bug caught: sorting by the SQL value alone mixes dates with numbers and ObjectIds with strings.
    const tail = ['num--1', 'num-2.5', 'long', 'num-5', 'str-B', 'str-a', 'str-b', 'oid', 'false', 'true', 'date-early', 'date'];
    expect(asc.slice(2)).toEqual(tail);
    expect(asc.slice(0, 2).sort()).toEqual(['missing', 'null']);
    const desc = names(await c.find({}).sort({ v: -1 }).toArray());
    expect(desc.slice(0, 12)).toEqual([...tail].reverse());
    // A limit after a pushed sort still gives the first rows.
    expect(names(await c.find({ v: { $gte: 0 } }).sort({ v: -1 }).limit(2).toArray())).toEqual(['num-5', 'long']);
  });

  it('falls back to FerretDB sorting when a sort field holds arrays', async () => {
    const c = await coll('sortarrays', ['v']);
    await c.insertMany([{ k: 'three', v: 3 }, { k: 'one-nine', v: [1, 9] }, { k: 'five', v: 5 }, { k: 'x', v: 'x' }]);
    // Bug caught: an SQL sort would place the array by its JSON text instead of its min/max element.
    expect(names(await c.find({}).sort({ v: 1 }).toArray())).toEqual(['one-nine', 'three', 'five', 'x']);
    expect(names(await c.find({}).sort({ v: -1 }).toArray())).toEqual(['x', 'one-nine', 'five', 'three']);
    expect(names(await c.aggregate([{ $sort: { v: 1 } }]).toArray())).toEqual(['one-nine', 'three', 'five', 'x']);
  });

  it('brackets ranges and equality by type like FerretDB', async () => {
    const c = await coll('ranges', ['v']);
    await c.insertMany([
      { k: 'int5', v: 5 },
      { k: 'dbl5', v: 5.0000001 },
      { k: 'dbl-int5', v: new mongoose.mongo.Double(5) },
      { k: 'str5', v: '5' },
      { k: 'date', v: new Date(5) },
      { k: 'bool', v: true },
      { k: 'null', v: null },
      { k: 'missing' },
    ]);
    // Bug caught: a range on the SQL value without the type rank also returns the date and '5'.
    expect(sortedNames(await c.find({ v: { $gte: 5 } }).toArray())).toEqual(['dbl-int5', 'dbl5', 'int5']);
    expect(sortedNames(await c.find({ v: 5 }).toArray())).toEqual(['dbl-int5', 'int5']);
    expect(sortedNames(await c.find({ v: { $lte: new Date(10) } }).toArray())).toEqual(['date']);
    expect(sortedNames(await c.find({ v: { $gt: '' } }).toArray())).toEqual(['str5']);
    expect(sortedNames(await c.find({ v: true }).toArray())).toEqual(['bool']);
    expect(sortedNames(await c.find({ v: null }).toArray())).toEqual(['missing', 'null']);
    expect(sortedNames(await c.find({ v: { $in: [null, '5'] } }).toArray())).toEqual(['missing', 'null', 'str5']);
    expect(await c.countDocuments({ v: { $gt: 4, $lt: 6 } })).toBe(3);
  });

  it('finds fractional doubles that SQLite reads a unit in the last place off', async () => {
    const c = await coll('doubles', ['v']);
    // Values for which SQLite's text-to-double conversion differs from the double FerretDB stored.
    const vals = [-1.0344094611642797e-299, 1.876298051280853e-269, 5.573217167253551e-250, -1.2621970079771126e-118, 0.1, 2.5];
    await c.insertMany(vals.map((v, i) => ({ k: i, v: new mongoose.mongo.Double(v) })));
    for (const [i, v] of vals.entries()) {
      // Bug caught: comparing SQLite's reading with `=` or a tight range drops the document.
      expect(names(await c.find({ v: new mongoose.mongo.Double(v) }).toArray())).toEqual([i]);
      expect(await c.countDocuments({ v: { $gte: new mongoose.mongo.Double(v), $lte: new mongoose.mongo.Double(v) } })).toBe(1);
      expect(names(await c.find({ v: { $in: [new mongoose.mongo.Double(v)] } }).toArray())).toEqual([i]);
    }
    expect(names(await c.find({}).sort({ v: 1 }).toArray())).toEqual([3, 0, 1, 2, 4, 5]);
  });

  it('matches literal-prefix regexes exactly', async () => {
    const c = await coll('paths', ['p']);
    await c.insertMany([
      { k: 'b', p: '/a/b/' },
      { k: 'bc', p: '/a/b/c/' },
      { k: 'bb', p: '/a/bb/' },
      { k: 'short', p: '/a/b' },
      { k: 'ac', p: 'ac' },
      { k: 'abc', p: 'abc' },
      { k: 'cn', p: '/区/街道/' },
      { k: 'cn2', p: '/区/街道办/' },
      { k: 'regex', p: /^\/a\/b\// },
    ]);
    // Bug caught: an upper bound that cuts the range short or a prefix taken past a metacharacter.
    expect(sortedNames(await c.find({ p: /^\/a\/b\// }).toArray())).toEqual(['b', 'bc', 'regex']);
    expect(sortedNames(await c.find({ p: { $regex: '^/a/b/.' } }).toArray())).toEqual(['bc']);
    expect(sortedNames(await c.find({ p: /^ab?c/ }).toArray())).toEqual(['abc', 'ac']);
    expect(sortedNames(await c.find({ p: /^\/区\/街道/ }).toArray())).toEqual(['cn', 'cn2']);
    // With a flag the regex is not pushed: FerretDB alone matches it.
    expect(sortedNames(await c.find({ p: /^\/A\//i }).toArray())).toEqual(['b', 'bb', 'bc', 'short']);
    expect(await c.countDocuments({ p: /^\/a\/b\// })).toBe(3);
  });

  it('finds by _id and by $in of _ids, ObjectIds and strings alike', async () => {
    const c = client.db('pushdown_test').collection<{ _id: InstanceType<typeof ObjectId> | string; k: string }>('ids');
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    await c.insertMany([...ids.map((_id, i) => ({ _id, k: `o${i}` })), { _id: 'plain', k: 's' }, { _id: 'a"b<c', k: 'odd' }]);
    // Bug caught: an _id condition compared with a differently encoded JSON text finds nothing.
    expect(names(await c.find({ _id: ids[0] }).toArray())).toEqual(['o0']);
    expect(names(await c.find({ _id: 'plain' }).toArray())).toEqual(['s']);
    expect(names(await c.find({ _id: 'a"b<c' }).toArray())).toEqual(['odd']);
    expect(sortedNames(await c.find({ _id: { $in: [ids[1], ids[2], 'plain'] } }).toArray())).toEqual(['o1', 'o2', 's']);
    expect(await c.countDocuments({ _id: ids[0] })).toBe(1);
    expect(await c.countDocuments({ _id: { $in: ['plain', 'a"b<c'] } })).toBe(2);
    await c.updateOne({ _id: ids[1] }, { $set: { k: 'o1-updated' } });
    await c.deleteOne({ _id: ids[2] });
    expect(sortedNames(await c.find({ _id: { $in: ids } }).toArray())).toEqual(['o0', 'o1-updated']);
  });

  it('returns the first rows of an equality + sort query served by a compound index', async () => {
    const c = client.db('pushdown_test').collection<Doc>('inbox');
    await c.createIndex({ status: 1, deadlineAt: 1 });
    await c.createIndex({ regionPath: 1 });
    const docs = Array.from({ length: 300 }, (_, i) => ({
      k: i,
      status: ['open', 'closed', 'claimed'][i % 3],
      regionPath: `/r${i % 4}/c${i % 5}/`,
      deadlineAt: new Date(1.7e12 + ((i * 7919) % 300) * 60_000),
    }));
    await c.insertMany(docs);
    const want = docs
      .filter((d) => d.status === 'open' && d.regionPath.startsWith('/r1/'))
      .sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime())
      .map((d) => d.k);
    // Bug caught: reading the index without the equality prefix, or a limit applied before the filter.
    const got = await c.find({ status: 'open', regionPath: /^\/r1\// }).sort({ deadlineAt: 1 }).limit(7).toArray();
    expect(names(got)).toEqual(want.slice(0, 7));
    const gotDesc = await c.find({ status: 'open', regionPath: /^\/r1\// }).sort({ deadlineAt: -1 }).skip(2).limit(5).toArray();
    expect(names(gotDesc)).toEqual([...want].reverse().slice(2, 7));
    // The same through aggregate's leading $match/$sort (the backend sorts, the $sort stage is dropped).
    const agg = await c.aggregate([{ $match: { status: 'open', regionPath: /^\/r1\// } }, { $sort: { deadlineAt: 1 } }, { $limit: 7 }]).toArray();
    expect(names(agg)).toEqual(want.slice(0, 7));
    const agg2 = await c.aggregate([{ $sort: { deadlineAt: -1 } }, { $match: { status: 'open', regionPath: /^\/r1\// } }, { $skip: 1 }, { $limit: 2 }]).toArray();
    expect(names(agg2)).toEqual([...want].reverse().slice(1, 3));
  });

  it('rejects an invalid filter even when the pushed conditions match no row', async () => {
    const c = await coll('invalid', ['v']);
    await c.insertMany([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
    // Bug caught: FerretDB rejects `true` as an $and entry only while filtering rows it read; with
    // `v > 100` pushed to SQL no row is read, and the query answered an empty list (stock: BadValue).
    const bad = { $and: [{ v: { $gt: 100 } }, true] } as unknown as Doc;
    await expect(c.find(bad).toArray()).rejects.toMatchObject({ code: 2, message: expect.stringContaining('full objects') });
    await expect(c.countDocuments(bad)).rejects.toMatchObject({ code: 2 });
    await expect(c.updateMany(bad, { $set: { w: 1 } })).rejects.toMatchObject({ code: 2 });
  });

  it('reads the rows upstream reads when a regex is one upstream refuses', async () => {
    const c = await coll('regex-options', ['i']);
    await c.insertMany([{ m: 1, s: 'a', i: 5 }, { m: 2, s: 'b', i: 500 }]);
    // Bug caught (the differential test, seeds 454043842 and 1648261461): upstream refuses
    // `$options: 'x'` only when a row's evaluation reaches the regex. With `m = 1 AND i > 100`
    // pushed to SQL no row was read and the update answered, where upstream, reading the row with
    // m = 1, reached the regex and refused. For such a filter nothing is pushed now.
    const reached = { $and: [{ m: 1, s: { $regex: '^a', $options: 'x' } }, { i: { $gt: 100 } }] } as unknown as Doc;
    await expect(c.find(reached).toArray()).rejects.toMatchObject({ code: 238 });
    await expect(c.updateMany(reached, { $set: { w: 1 } })).rejects.toMatchObject({ code: 238 });
    // And where upstream's evaluation stops before the regex, it answers, as upstream does.
    const notReached = { $and: [{ i: { $gt: 1000 } }, { s: { $regex: '^a', $options: 'x' } }] } as unknown as Doc;
    expect(await c.find(notReached).toArray()).toEqual([]);
  });

  describe('$or and _id ranges, read from the SQL the database runs (debug log)', () => {
    let dataDir: string;
    let debugDb: Awaited<ReturnType<typeof startEmbeddedDb>>;
    let debugClient: Client;
    const lines: string[] = [];
    /** Log lines awaited by flushLog, by a token they contain. */
    let waiters: Array<{ token: string; seen: () => void }> = [];
    let flushes = 0;

    beforeAll(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-db-or-'));
      debugDb = await startEmbeddedDb({
        dataDir,
        logLevel: 'debug',
        log: (l) => {
          lines.push(l);
          waiters = waiters.filter((w) => (l.includes(w.token) ? (w.seen(), false) : true));
        },
      });
      debugClient = await MongoClient.connect(withDbName(debugDb.uri, 'or_test'));
      await debugClient.db('or_test').collection('log_marker').insertOne({ m: 'start' });
    }, 600_000);

    /**
     * The log reaches us through a pipe, after the answer may have: query a marker collection with
     * a fresh token and wait for the log line that carries it, so every earlier line has arrived.
     */
    async function flushLog() {
      const token = `flush-${++flushes}`;
      const seen = new Promise<void>((resolve) => waiters.push({ token, seen: resolve }));
      await debugClient.db('or_test').collection('log_marker').findOne({ m: token });
      await seen;
    }

    afterAll(async () => {
      await debugClient?.close();
      await debugDb?.stop();
      if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    });

    /**
     * Runs fn and returns the SQL statements it sent that read the collection's table (the debug
     * log prints each statement before it runs: `>>> SELECT ...`), with the log's quoting undone.
     */
    async function sqlOf(collName: string, fn: () => Promise<unknown>): Promise<string[]> {
      await flushLog();
      lines.length = 0;
      await fn();
      await flushLog();
      return lines
        .map((l) => /msg=">>> (SELECT.*?)" name=/.exec(l)?.[1]?.replace(/\\"/g, '"'))
        .filter((q): q is string => !!q && q.includes(`FROM "${collName}_`));
    }

    /** The WHERE clause of one logged statement ('' when nothing was pushed). */
    const whereOf = (q: string | undefined) => {
      if (!q) throw new Error('no statement on the collection in the log');
      return / WHERE (.*?)( ORDER BY .*)?$/.exec(q)?.[1] ?? '';
    };

    it('pushes a $or whose every branch pushes, as ((b1) OR (b2) OR (b3)), keeping array branches', async () => {
      const c = debugClient.db('or_test').collection<Doc>('mine');
      await c.createIndex({ reporterId: 1, _id: -1 });
      await c.createIndex({ submittedById: 1 });
      await c.createIndex({ followerIds: 1 });
      await c.insertMany([
        { k: 'reported', reporterId: 'me', submittedById: 'me', followerIds: [] },
        { k: 'on-behalf', reporterId: 'other', submittedById: 'me', followerIds: [] },
        { k: 'followed', reporterId: 'other', submittedById: 'other', followerIds: ['x', 'me'] },
        { k: 'not-mine', reporterId: 'other', submittedById: 'other', followerIds: ['x'] },
        { k: 'nothing', state: 'new' },
      ]);
      const mine = { $or: [{ reporterId: 'me' }, { submittedById: 'me' }, { followerIds: 'me' }] };
      let got: Doc[] = [];
      const [q] = await sqlOf('mine', async () => (got = await c.find(mine).toArray()));
      // Bug caught: a $or left to FerretDB (every appeal read for a resident's list), or branches
      // joined with AND.
      expect(whereOf(q)).toMatch(/^\(\(.*reporterId.*\) OR \(.*submittedById.*\) OR \(.*followerIds.*\)\)$/);
      // Bug caught: the followerIds branch without "or it is an array" drops the followed appeal;
      // the array branch keeps only arrays whose JSON text holds "me" (every appeal has a
      // followerIds array, so a bare "or it is an array" kept every row).
      expect(whereOf(q)).toMatch(/followerIds\.t'.* = 6 AND \(instr\(_ferretdb_sjson->>'followerIds', \?\) > 0\)/);
      expect(sortedNames(got)).toEqual(['followed', 'on-behalf', 'reported']);
      expect(await c.countDocuments(mine)).toBe(3);

      // A branch that pushes nothing ($ne) could match any document: nothing is pushed for the $or.
      const withNe = { $or: [{ reporterId: 'me' }, { state: { $ne: 'new' } }] };
      const [q2] = await sqlOf('mine', async () => (got = await c.find(withNe).toArray()));
      // Bug caught: pushing only the pushable branches loses every document the $ne branch matches.
      expect(whereOf(q2)).toBe('');
      expect(sortedNames(got)).toEqual(['followed', 'not-mine', 'on-behalf', 'reported']);

      // A branch pushed in part ($ne beside an equality) still narrows its branch.
      const partial = { $or: [{ reporterId: 'me' }, { submittedById: 'me', state: { $ne: 'x' } }] };
      const [q3] = await sqlOf('mine', async () => (got = await c.find(partial).toArray()));
      expect(whereOf(q3)).toMatch(/reporterId.* OR .*submittedById/);
      expect(sortedNames(got)).toEqual(['on-behalf', 'reported']);

      // Bug caught: an empty $or pushed as "no condition" (or as SQL that fails) instead of MongoDB's BadValue.
      await expect(c.find({ $or: [], k: 'reported' }).toArray()).rejects.toMatchObject({ code: 2 });
      await expect(c.countDocuments({ $or: [] })).rejects.toMatchObject({ code: 2 });
    });

    it('pages a scope $or by _id on the _id column, exactly, with other _id types around', async () => {
      const c = debugClient.db('or_test').collection<{ _id: unknown } & Doc>('lists');
      await c.createIndex({ regionPath: 1, state: 1, _id: -1 });
      await c.createIndex({ departmentId: 1, state: 1, _id: -1 });
      const dep = new ObjectId();
      const docs = Array.from({ length: 60 }, (_, i) => ({
        _id: new ObjectId(),
        k: i,
        regionPath: ['/a/b/', '/a/b/c/', '/a/x/', '/z/'][i % 4],
        departmentId: i % 5 === 0 ? dep : new ObjectId(),
        overdue: i % 3 !== 0,
      }));
      await c.insertMany(docs);
      const cursor = docs[40]._id;
      // String _ids whose JSON text sorts just below and just above the cursor's, and a number:
      // none is an ObjectId, so no _id range on an ObjectId matches them.
      const near = cursor.toHexString().slice(0, 10);
      await c.insertMany([
        { _id: `${near}/`, k: 'string-below', regionPath: '/a/b/', departmentId: dep, overdue: true },
        { _id: `${near}g`, k: 'string-above', regionPath: '/a/b/', departmentId: dep, overdue: true },
        { _id: 7, k: 'number', regionPath: '/a/b/', departmentId: dep, overdue: true },
      ]);
      const filter: Doc = {
        $and: [{ $or: [{ regionPath: /^\/a\/b\// }, { departmentId: dep }] }, { overdue: true }, { _id: { $lt: cursor } }],
      };
      const want = docs
        .filter((d) => (d.regionPath.startsWith('/a/b/') || d.departmentId === dep) && d.overdue && d._id.toHexString() < cursor.toHexString())
        .sort((a, b) => (a._id.toHexString() < b._id.toHexString() ? 1 : -1))
        .map((d) => d.k);
      let got: Doc[] = [];
      const [q] = await sqlOf('lists', async () => (got = await c.find(filter).sort({ _id: -1 }).limit(5).toArray()));
      // Bug caught: the _id bound or the $or left to FerretDB, or a sort by _id done after reading every match.
      expect(whereOf(q)).toMatch(/regionPath.* OR .*departmentId/);
      expect(whereOf(q)).toContain(`_ferretdb_sjson->'_id' < ?`);
      expect(q).toMatch(/ ORDER BY _ferretdb_sjson->'_id' DESC$/);
      expect(names(got)).toEqual(want.slice(0, 5));
      // Bug caught: an _id range without the stored-type check counts the string and number _ids.
      const idOnly: Doc = { _id: { $lt: cursor } };
      const [cq] = await sqlOf('lists', () => c.countDocuments(idOnly));
      expect(cq).toMatch(/^SELECT count\(\*\)/);
      expect(await c.countDocuments(idOnly)).toBe(docs.filter((d) => d._id.toHexString() < cursor.toHexString()).length);
      expect(await c.countDocuments({ _id: { $gte: cursor } } as Doc)).toBe(docs.filter((d) => d._id.toHexString() >= cursor.toHexString()).length);
      // The scope of a caller with no scope ({_id: {$in: []}}, server/appeals/scope.ts anyOf) matches
      // nothing. Bug caught: left to FerretDB, it read every appeal to return none.
      const [none] = await sqlOf('lists', () => c.find({ _id: { $in: [] } } as Doc).toArray());
      expect(whereOf(none)).toBe('0');
      expect(await c.countDocuments({ $or: [{ _id: { $in: [] } }, { regionPath: { $in: [] } }] } as Doc)).toBe(0);
      // Without an _id range the _ids may be of any type: FerretDB's order, strings before ObjectIds.
      const all = await c.find({ departmentId: dep }).sort({ _id: 1 }).toArray();
      expect(names(all).slice(0, 3)).toEqual(['number', 'string-below', 'string-above']);
    });

    it('pushes $all of strings and string equality on array fields as element matches, answering like stock', async () => {
      // The news search: {state: 'published', searchTerms: {$all: [...]}} sorted by feedKey, limit 21.
      const stockDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-db-all-stock-'));
      const stockDb = await startEmbeddedDb({ dataDir: stockDir, binary: await ensureDbBinary({ variant: 'stock' }) });
      const stockClient = await MongoClient.connect(withDbName(stockDb.uri, 'all_test'));
      try {
        const c = debugClient.db('or_test').collection<Doc>('search');
        const ref = stockClient.db('all_test').collection<Doc>('search');
        const oid = new ObjectId('64b000000000000000000001');
        const tricky = ['say "hi"', 'back\\slash', '<a&b>', '😀', 'line\nbreak', '\u2028', 'ｚ', "it's"];
        const docs: Doc[] = [
          { k: 'both', searchTerms: ['工作', '作进', 'x'] },
          { k: 'one', searchTerms: ['工作', 'y'] },
          { k: 'scalar', searchTerms: '工作' },
          { k: 'scalar-other', searchTerms: '作进' },
          { k: 'numbers', searchTerms: [1, 2, 12] },
          { k: 'number-scalar', searchTerms: 1 },
          { k: 'number-text', searchTerms: ['1', '2'] },
          // (FerretDB refuses nested arrays on insert; an array inside an object in the array is fine)
          { k: 'nested', searchTerms: [{ t: ['工作', '作进'] }] },
          { k: 'in-object', searchTerms: [{ t: '工作' }, '作进'] },
          { k: 'object', searchTerms: { a: '工作', b: '作进' } },
          { k: 'missing' },
          { k: 'null', searchTerms: null },
          { k: 'empty', searchTerms: [] },
          { k: 'dups', searchTerms: ['工作', '工作', '作进', '作进'] },
          { k: 'objectid', searchTerms: [oid, 'x'] },
          { k: 'objectid-text', searchTerms: [oid.toHexString()] },
          { k: 'tricky', searchTerms: tricky },
          { k: 'tricky-scalar', searchTerms: 'say "hi"' },
          { k: 'prefix', searchTerms: ['工作们', 'say "hi" there', 'back'] },
          { k: 'in-other-field', other: '工作', searchTerms: ['z'] },
        ].map((d, i) => ({ ...d, state: i % 5 === 4 ? 'draft' : 'published', feedKey: `k${String(i).padStart(2, '0')}` }));
        for (const coll of [c, ref]) {
          await coll.createIndex({ state: 1, feedKey: -1 });
          await coll.insertMany(docs.map((d) => ({ ...d })));
        }
        const filters: Doc[] = [
          { searchTerms: { $all: ['工作', '作进'] } },
          { searchTerms: { $all: ['工作'] } },
          { searchTerms: { $all: ['工作', '工作'] } },
          { searchTerms: { $all: ['作进'] } },
          { searchTerms: { $all: ['1'] } },
          { searchTerms: { $all: ['1', '2'] } },
          { searchTerms: { $all: [oid.toHexString()] } },
          { searchTerms: { $all: ['x'] } },
          ...tricky.map((t) => ({ searchTerms: { $all: [t] } })),
          { searchTerms: { $all: tricky } },
          { searchTerms: { $all: ['say "hi"', '😀'] } },
          { searchTerms: { $all: ['nowhere'] } },
          { searchTerms: { $all: [] } },
          { searchTerms: { $all: ['工作', 1] } },
          { searchTerms: { $all: [1] } },
          { searchTerms: '工作' },
          { searchTerms: '作进' },
          { searchTerms: 'say "hi"' },
          { searchTerms: { $in: ['😀', '<a&b>'] } },
          { searchTerms: { $in: ['1', 'y'] } },
          { state: 'published', searchTerms: { $all: ['工作', '作进'] } },
        ];
        for (const filter of filters) {
          const want = sortedNames(await ref.find(filter).toArray());
          // Bug caught (by construction): an element or scalar match the SQL drops.
          expect([show(filter), sortedNames(await c.find(filter).toArray())]).toEqual([show(filter), want]);
          expect([show(filter), await c.countDocuments(filter)]).toEqual([show(filter), want.length]);
        }
        expect(sortedNames(await ref.find({ searchTerms: { $all: ['工作', '作进'] } }).toArray())).toEqual(['both', 'dups']);

        const search = { state: 'published', searchTerms: { $all: ['工作', '作进'] } };
        let got: Doc[] = [];
        const [q] = await sqlOf('search', async () => (got = await c.find(search).sort({ feedKey: -1 }).limit(21).toArray()));
        expect(names(got)).toEqual(names(await ref.find(search).sort({ feedKey: -1 }).limit(21).toArray()));
        // Bug caught: the $all left to FerretDB (every published article decoded in Go).
        const w = whereOf(q);
        expect(w.match(/EXISTS \(SELECT 1 FROM json_each\(_ferretdb_sjson, '\$\.searchTerms'\) WHERE type = 'text' AND value IN \(\?\)\)/g)).toHaveLength(2);
        // Non-ASCII strings are written verbatim: the row's text is searched before its JSON is parsed.
        // Both text tests come before any element test: a row without one term is never parsed.
        expect(w.match(/instr\(_ferretdb_sjson, \?\) > 0/g)).toHaveLength(2);
        expect(w.lastIndexOf('instr(')).toBeLessThan(w.indexOf('json_each'));
        // A string with an escape in its JSON text: no text search, the element match still.
        const [q2] = await sqlOf('search', () => c.find({ searchTerms: { $all: ['say "hi"'] } }).toArray());
        expect(whereOf(q2)).toContain('json_each');
        expect(whereOf(q2)).not.toContain('instr');
        // Equality with a string that is not plain ASCII on an array field: element match too.
        const [q3] = await sqlOf('search', () => c.find({ searchTerms: '工作' }).toArray());
        expect(whereOf(q3)).toContain('json_each');
        // A number in the list: not pushed.
        const [q4] = await sqlOf('search', () => c.find({ searchTerms: { $all: ['工作', 1] } }).toArray());
        expect(whereOf(q4)).not.toContain('searchTerms');

        // A field that never held an array: $all of strings is plain equality, exact (counted in SQL).
        const s = debugClient.db('or_test').collection<Doc>('search_scalar');
        await s.insertMany([{ k: 'a', word: '工作' }, { k: 'b', word: '作进' }, { k: 'c', word: 1 }]);
        const [cq] = await sqlOf('search_scalar', () => s.countDocuments({ word: { $all: ['工作'] } }));
        expect(cq).toMatch(/^SELECT count\(\*\)/);
        expect(await s.countDocuments({ word: { $all: ['工作'] } })).toBe(1);
        expect(await s.countDocuments({ word: { $all: ['工作', '作进'] } })).toBe(0);
        expect(await s.countDocuments({ word: { $all: ['工作', '工作'] } })).toBe(1);
      } finally {
        await stockClient.close();
        await stockDb.stop();
        await fs.rm(stockDir, { recursive: true, force: true });
      }
    });
  });

  it('rebuilds indexes made by the unpatched build once, keeping them unique', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-db-migrate-'));
    try {
      const stockBinary = await ensureDbBinary({ variant: 'stock' });
      const stock = await startEmbeddedDb({ dataDir, binary: stockBinary });
      const c1 = await MongoClient.connect(withDbName(stock.uri, 'old'));
      const old = c1.db('old').collection<Doc>('users');
      await old.createIndex({ code: 1 }, { unique: true });
      await old.createIndex({ status: 1, at: -1 });
      await old.createIndex({ tags: 1 });
      await old.insertMany([
        { k: 'a', code: 'A', status: 'open', at: 1, tags: 't1' },
        { k: 'b', code: 'B', status: 'open', at: 2, tags: ['t0', 't1'] },
        { k: 'c', code: 'C', status: 'x', at: 3 },
      ]);
      await c1.close();
      await stock.stop();

      const startPatched = async (lines: string[]) =>
        startEmbeddedDb({ dataDir, logLevel: 'info', log: (l) => lines.push(l) });
      const first: string[] = [];
      const patched = await startPatched(first);
      // Bug caught: old `->"f"` indexes left in place (no pushdown) or rebuilt on every start.
      expect(first.filter((l) => l.includes('Rebuilding index in the pushdown form'))).toHaveLength(4);
      const c2 = await MongoClient.connect(withDbName(patched.uri, 'old'));
      const users = c2.db('old').collection<Doc>('users');
      expect(names(await users.find({ status: 'open' }).sort({ at: -1 }).toArray())).toEqual(['b', 'a']);
      expect(await users.countDocuments({ status: 'open' })).toBe(2);
      // Bug caught: a type log not filled from rows written before the upgrade misses b's array.
      expect(names(await users.find({ tags: 't1' }).sort({ k: 1 }).toArray())).toEqual(['a', 'b']);
      expect(await users.countDocuments({ tags: 't1' })).toBe(2);
      await expect(users.insertOne({ k: 'dup', code: 'A' })).rejects.toThrow(/duplicate|UNIQUE/i);
      await c2.close();
      await patched.stop();

      const second: string[] = [];
      const again = await startPatched(second);
      expect(second.filter((l) => l.includes('Rebuilding index'))).toEqual([]);
      await again.stop();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});

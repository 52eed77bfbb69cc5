/**
 * What the server relies on from its database, proven on the embedded one (FerretDB 1.24 on
 * SQLite) through mongoose: CRUD, unique indexes turned into our 409, $group/$sum, atomic
 * findOneAndUpdate claims, $inc counters and region-path prefix queries.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { duplicateKeyToAppError, isDuplicateKeyError, AppError } from '../../server/core/errors';
import { withDbName } from '../../server/db/embedded';
import { pathPrefixRegex } from '../../server/regions/service';
import { startTestDb, type TestDb } from '../helpers/db';

// The first run may build the database binary (a few minutes); later runs start it in ~50 ms.
jest.setTimeout(30_000);

let db: TestDb;
let conn: Connection;

beforeAll(async () => {
  db = await startTestDb();
  conn = await mongoose.createConnection(withDbName(db.uri, 'xianrong_test')).asPromise();
}, 600_000);

afterAll(async () => {
  await conn?.close();
  await db?.stop();
});

interface Item {
  name: string;
  qty: number;
  tags: string[];
  createdAt?: Date;
}

const itemSchema = new Schema<Item>({ name: { type: String, required: true }, qty: { type: Number, default: 0 }, tags: [String] }, { timestamps: true });

/**
 * Two connections (two sockets) that log when each of their commands of one kind is sent and
 * answered, so a test can prove its calls overlapped: both sent before either was answered.
 */
async function monitoredPair(commandName: string) {
  const uri = withDbName(db.uri, 'xianrong_test');
  const [a, b] = await Promise.all([1, 2].map(() => mongoose.createConnection(uri, { monitorCommands: true }).asPromise()));
  const events: string[] = [];
  for (const [who, c] of [['A', a], ['B', b]] as const) {
    const client = c.getClient();
    client.on('commandStarted', (ev) => ev.commandName === commandName && events.push(`${who} sent`));
    client.on('commandSucceeded', (ev) => ev.commandName === commandName && events.push(`${who} answered`));
    client.on('commandFailed', (ev) => ev.commandName === commandName && events.push(`${who} answered`));
  }
  return {
    a,
    b,
    events,
    /** Runs one call on each connection at once; returns both results and whether they overlapped. */
    async both<T>(onA: () => Promise<T>, onB: () => Promise<T>): Promise<{ results: [T, T]; overlapped: boolean; log: string }> {
      events.length = 0;
      const results = await Promise.all([onA(), onB()]);
      const overlapped = events.length === 4 && events.slice(0, 2).every((e) => e.endsWith('sent'));
      return { results, overlapped, log: events.join(', ') };
    },
    close: () => Promise.all([a.close(), b.close()]),
  };
}

describe('embedded database', () => {
  it('gives a mongodb:// URI on 127.0.0.1', () => {
    expect(db.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(withDbName(db.uri, 'x')).toBe(db.uri + 'x');
    expect(withDbName('mongodb://h:1/old?directConnection=true', 'new')).toBe('mongodb://h:1/new?directConnection=true');
  });

  it('creates, reads, updates and deletes', async () => {
    const Item = conn.model<Item>('CrudItem', itemSchema);
    const a = await Item.create({ name: '雨伞', qty: 2, tags: ['借用'] });
    expect(a._id).toBeDefined();

    const found = await Item.findById(a._id).lean();
    expect(found).toMatchObject({ name: '雨伞', qty: 2, tags: ['借用'] });
    expect(found?.createdAt).toBeInstanceOf(Date);

    await Item.insertMany([{ name: '轮椅', qty: 1 }, { name: '药箱', qty: 5 }]);
    const sorted = await Item.find({ qty: { $gte: 2 } }).sort({ qty: -1 }).lean();
    expect(sorted.map((d) => d.name)).toEqual(['药箱', '雨伞']);
    expect(await Item.countDocuments()).toBe(3);

    const upd = await Item.updateOne({ _id: a._id }, { $set: { qty: 7 }, $push: { tags: '常用' } });
    expect(upd.modifiedCount).toBe(1);
    const after = await Item.findOne({ name: '雨伞' }).lean();
    expect(after).toMatchObject({ qty: 7, tags: ['借用', '常用'] });

    const doc = await Item.findById(a._id);
    doc!.qty = 8;
    await doc!.save();
    expect((await Item.findById(a._id).lean())?.qty).toBe(8);

    expect((await Item.deleteOne({ _id: a._id })).deletedCount).toBe(1);
    expect(await Item.findById(a._id)).toBeNull();
    expect((await Item.deleteMany({})).deletedCount).toBe(2);
  });

  it('turns a unique index violation on insert into our 409 DUPLICATE', async () => {
    const User = conn.model('UniqueUser', new Schema({ username: { type: String, unique: true }, name: String }));
    await User.init(); // builds the unique index
    const indexes = await User.listIndexes();
    expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { username: 1 }, unique: true })]));

    await User.create({ username: 'zhang', name: '张三' });
    let caught: unknown;
    try {
      await User.create({ username: 'zhang', name: '另一个张三' });
    } catch (err) {
      caught = err;
    }
    expect(isDuplicateKeyError(caught)).toBe(true);
    const appErr = duplicateKeyToAppError(caught as Parameters<typeof duplicateKeyToAppError>[0]);
    expect(appErr).toBeInstanceOf(AppError);
    expect(appErr.status).toBe(409);
    expect(appErr.code).toBe('DUPLICATE');
    expect(appErr.message).toMatch(/已存在$/);
    // FerretDB quirk (these tests always run on the embedded FerretDB): code 11000 but no
    // keyValue/keyPattern, and the message names only the collection, so the field cannot be
    // named and services name it themselves (MongoDB would fill keyValue: { username: 'zhang' }).
    // Catches: an upgrade that changes this shape, after which services may name fields twice or wrongly.
    const e = caught as { code?: number; keyValue?: unknown; message: string };
    expect({ code: e.code, keyValue: e.keyValue }).toEqual({ code: 11000, keyValue: undefined });
    expect(e.message).toMatch(/^E11000 duplicate key error collection: xianrong_test\.uniqueusers/);

    // insertMany reports the same code per write error.
    await expect(User.insertMany([{ username: 'li' }, { username: 'li' }])).rejects.toMatchObject({ code: 11000 });
    expect(await User.countDocuments({ username: 'li' })).toBe(1);
  });

  it('reports a unique violation caused by an update (FerretDB: code 1, not 11000) and we recognise it', async () => {
    // Catches: an update that collides with a unique index answered as a 500, because FerretDB
    // reports it as an internal error (code 1) that isDuplicateKeyError does not recognise; or the
    // field not named in our 409 because the index name is no longer parsed.
    const User = conn.model('UniqueUser2', new Schema({ username: { type: String, unique: true } }));
    await User.init();
    await User.create([{ username: 'a' }, { username: 'b' }]);
    let caught: unknown;
    try {
      await User.updateOne({ username: 'b' }, { $set: { username: 'a' } });
    } catch (err) {
      caught = err;
    }
    // FerretDB 1.24 on SQLite: { code: 1, codeName: 'InternalError', errmsg: '[msg_update.go:133 ...]
    // constraint failed: UNIQUE constraint failed: index '<table>_<hash>_username_1' (2067)' }
    const e = caught as { code?: number; message: string };
    expect(e?.code).toBe(1);
    expect(e.message).toMatch(/UNIQUE constraint failed: index '[^']*_username_1'/);
    expect(isDuplicateKeyError(caught)).toBe(true);
    const appErr = duplicateKeyToAppError(caught as Parameters<typeof duplicateKeyToAppError>[0]);
    expect({ status: appErr.status, code: appErr.code, details: appErr.details }).toEqual({ status: 409, code: 'DUPLICATE', details: [{ path: 'username', message: '已存在' }] });
    // Other code-1 errors are not mistaken for duplicates.
    expect(isDuplicateKeyError({ code: 1, message: 'some other internal error' })).toBe(false);
    expect((await User.find({}).sort({ username: 1 }).lean()).map((d) => d.username)).toEqual(['a', 'b']);
  });

  it('groups with $group and $sum', async () => {
    const Appeal = conn.model('GroupAppeal', new Schema({ category: String, regionPath: String, day: String, count: Number }));
    await Appeal.insertMany([
      { category: 'water', regionPath: '/c/t1/', day: '2026-11-01', count: 1 },
      { category: 'water', regionPath: '/c/t1/', day: '2026-11-02', count: 1 },
      { category: 'road', regionPath: '/c/t2/', day: '2026-11-01', count: 1 },
      { category: 'water', regionPath: '/c/t2/', day: '2026-11-01', count: 1 },
      { category: 'noise', regionPath: '/c/t1/', day: '2026-11-03', count: 1 },
    ]);
    const rows = await Appeal.aggregate<{ _id: string; total: number; n: number }>([
      { $match: { day: { $gte: '2026-11-01', $lte: '2026-11-02' } } },
      { $group: { _id: '$category', total: { $sum: '$count' }, n: { $sum: 1 } } },
      { $sort: { total: -1, _id: 1 } },
    ]);
    expect(rows).toEqual([
      { _id: 'water', total: 3, n: 3 },
      { _id: 'road', total: 1, n: 1 },
    ]);
    const perRegionDay = await Appeal.aggregate([
      { $group: { _id: { r: '$regionPath', d: '$day' }, n: { $sum: 1 } } },
      { $sort: { '_id.r': 1, '_id.d': 1 } },
      { $limit: 2 },
    ]);
    expect(perRegionDay).toEqual([
      { _id: { r: '/c/t1/', d: '2026-11-01' }, n: 1 },
      { _id: { r: '/c/t1/', d: '2026-11-02' }, n: 1 },
    ]);
    const [{ n }] = await Appeal.aggregate([{ $match: { category: 'water' } }, { $count: 'n' }]);
    expect(n).toBe(3);
  });

  it('lets exactly one of two concurrent findOneAndUpdate claims win', async () => {
    // Catches: two workers both claiming the same task (a non-atomic find-then-update in the
    // database). The claims travel on two connections with command monitoring, and every round
    // must show both commands sent before either answer arrived: claims that ran one after the
    // other (one shared socket, a pool of one, an await between them) prove nothing and fail here.
    const pair = await monitoredPair('findAndModify');
    try {
      const schema = new Schema({ n: Number, status: String, claimedBy: String });
      const TaskA = pair.a.model('ClaimTask', schema);
      const TaskB = pair.b.model('ClaimTask', schema);
      const rounds = 30;
      await TaskA.insertMany(Array.from({ length: rounds }, (_, n) => ({ n, status: 'open' })));
      // Both sockets open and idle before the first round, so neither claim waits for a handshake.
      await Promise.all([TaskA.countDocuments(), TaskB.countDocuments()]);
      const doubleWins: number[] = [];
      const notOverlapped: string[] = [];
      for (let n = 0; n < rounds; n++) {
        const claim = (M: typeof TaskA, who: string) =>
          M.findOneAndUpdate({ n, status: 'open' }, { $set: { status: 'claimed', claimedBy: who } }, { returnDocument: 'after' }).lean();
        const { results, overlapped, log } = await pair.both(() => claim(TaskA, 'A'), () => claim(TaskB, 'B'));
        const winners = results.filter((x) => x !== null);
        if (winners.length !== 1) doubleWins.push(n);
        if (!overlapped) notOverlapped.push(`${n}: ${log}`);
        const stored = await TaskA.findOne({ n }).lean();
        expect(stored).toMatchObject({ status: 'claimed', claimedBy: winners[0]?.claimedBy });
      }
      expect(notOverlapped).toEqual([]);
      expect(doubleWins).toEqual([]);
    } finally {
      await pair.close();
    }
  });

  it('counts with $inc without losing concurrent increments', async () => {
    const Counter = conn.model('SeqCounter', new Schema({ _id: String, seq: Number }));
    const next = (key: string) => Counter.findOneAndUpdate({ _id: key }, { $inc: { seq: 1 } }, { returnDocument: 'after', upsert: true }).lean();
    expect((await next('DX-20261126'))?.seq).toBe(1);
    expect((await next('DX-20261126'))?.seq).toBe(2);
    // Catches: a lost update (two increments reading the same value); every pair below is proven
    // to have overlapped on two sockets, so a run where the calls took turns cannot pass.
    const pair = await monitoredPair('findAndModify');
    try {
      const CounterA = pair.a.model('SeqCounter', Counter.schema);
      const CounterB = pair.b.model('SeqCounter', Counter.schema);
      await Promise.all([CounterA.countDocuments(), CounterB.countDocuments()]);
      const inc = (M: typeof Counter) => () => M.findOneAndUpdate({ _id: 'DX-20261126' }, { $inc: { seq: 1 } }, { returnDocument: 'after' }).lean();
      const seqs: number[] = [];
      const notOverlapped: string[] = [];
      for (let round = 0; round < 10; round++) {
        const { results, overlapped, log } = await pair.both(inc(CounterA), inc(CounterB));
        seqs.push(...results.map((r) => r!.seq as number));
        if (!overlapped) notOverlapped.push(`${round}: ${log}`);
      }
      expect(notOverlapped).toEqual([]);
      expect(seqs.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    } finally {
      await pair.close();
    }
    expect((await Counter.findById('DX-20261126').lean())?.seq).toBe(22);

    // The same through plain updates (a view counter), also proven to overlap.
    await Counter.updateOne({ _id: 'views' }, { $inc: { seq: 5 } }, { upsert: true });
    const updates = await monitoredPair('update');
    try {
      const [ViewsA, ViewsB] = [updates.a, updates.b].map((c) => c.model('SeqCounter', Counter.schema));
      await Promise.all([ViewsA.countDocuments(), ViewsB.countDocuments()]);
      const view = (M: typeof Counter) => () => M.updateOne({ _id: 'views' }, { $inc: { seq: 1 } }).then((r) => r.modifiedCount);
      const notOverlapped: string[] = [];
      for (let round = 0; round < 5; round++) {
        const { overlapped, log } = await updates.both(view(ViewsA), view(ViewsB));
        if (!overlapped) notOverlapped.push(`${round}: ${log}`);
      }
      expect(notOverlapped).toEqual([]);
    } finally {
      await updates.close();
    }
    expect((await Counter.findById('views').lean())?.seq).toBe(15);
  });

  it('finds a region subtree with an anchored prefix regex on an indexed path', async () => {
    const Region = conn.model('PathRegion', new Schema({ name: String, path: { type: String, index: true } }));
    await Region.init();
    expect(await Region.listIndexes()).toEqual(expect.arrayContaining([expect.objectContaining({ key: { path: 1 } })]));
    await Region.insertMany([
      { name: 'county', path: '/a/' },
      { name: 'township', path: '/a/b/' },
      { name: 'community', path: '/a/b/c/' },
      { name: 'grid', path: '/a/b/c/d/' },
      { name: 'other township', path: '/a/bb/' },
      { name: 'other community', path: '/a/bb/c/' },
      { name: 'elsewhere', path: '/x/a/b/' },
    ]);
    // The server's own subtree regex (regions/service.ts), so its anchoring and escaping are what is proven.
    // Catches: an unanchored or unescaped prefix that takes in the sibling /a/bb/ or /x/a/b/.
    const under = await Region.find({ path: pathPrefixRegex('/a/b/') }).sort({ path: 1 }).lean();
    expect(under.map((r) => r.name)).toEqual(['township', 'community', 'grid']);
    const strictlyUnder = await Region.find({ path: { $regex: '^/a/b/.' } }).sort({ path: 1 }).lean();
    expect(strictlyUnder.map((r) => r.name)).toEqual(['community', 'grid']);
    const byRange = await Region.find({ path: { $gte: '/a/b/', $lt: '/a/b0' } }).lean();
    expect(byRange).toHaveLength(3);
    // Regex metacharacters in a stored path match only themselves (ids never contain any, names might).
    await Region.insertMany([
      { name: 'dotted', path: '/a.b/' },
      { name: 'dotted child', path: '/a.b/c/' },
      { name: 'looks like dotted', path: '/aXb/c/' },
    ]);
    expect((await Region.find({ path: pathPrefixRegex('/a.b/') }).sort({ path: 1 }).lean()).map((r) => r.name)).toEqual(['dotted', 'dotted child']);
    // Whether the prefix is served from the index is tests/server/database-pushdown.test.ts.
  });
});

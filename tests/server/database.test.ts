/**
 * What the server relies on from its database, proven on the embedded one (FerretDB 1.24 on
 * SQLite) through mongoose: CRUD, unique indexes turned into our 409, $group/$sum, atomic
 * findOneAndUpdate claims, $inc counters and region-path prefix queries.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { duplicateKeyToAppError, isDuplicateKeyError, AppError } from '../../server/core/errors';
import { withDbName } from '../../server/db/embedded';
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
    // FerretDB quirk: code 11000 but no keyValue/keyPattern, and the message names only the
    // collection ("E11000 duplicate key error collection: xianrong_test.uniqueusers"), so the
    // field cannot be named. MongoDB fills keyValue: { username: 'zhang' }.
    const e = caught as { keyValue?: unknown; message: string };
    if (e.keyValue === undefined) expect(e.message).toMatch(/^E11000 duplicate key error collection: /);

    // insertMany reports the same code per write error.
    await expect(User.insertMany([{ username: 'li' }, { username: 'li' }])).rejects.toMatchObject({ code: 11000 });
    expect(await User.countDocuments({ username: 'li' })).toBe(1);
  });

  it('reports a unique violation caused by an update (FerretDB: code 1, not 11000)', async () => {
    const User = conn.model('UniqueUser2', new Schema({ username: { type: String, unique: true } }));
    await User.init();
    await User.create([{ username: 'a' }, { username: 'b' }]);
    let caught: unknown;
    try {
      await User.updateOne({ username: 'b' }, { $set: { username: 'a' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeDefined();
    const e = caught as { code?: number; codeName?: string; message: string };
    if (!isDuplicateKeyError(caught)) {
      // FerretDB 1.24 on SQLite: { code: 1, codeName: 'InternalError', errmsg: '[msg_update.go:133 ...]
      // constraint failed: UNIQUE constraint failed: index '<table>_<hash>_username_1' (2067)' }
      expect(e.code).toBe(1);
      expect(e.message).toMatch(/UNIQUE constraint failed: index '[^']*_username_1'/);
    }
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
    const Task = conn.model('ClaimTask', new Schema({ n: Number, status: String, claimedBy: String }));
    // A second connection so the two claims really travel on different sockets.
    const conn2 = await mongoose.createConnection(withDbName(db.uri, 'xianrong_test')).asPromise();
    try {
      const Task2 = conn2.model('ClaimTask', Task.schema);
      const rounds = 30;
      await Task.insertMany(Array.from({ length: rounds }, (_, n) => ({ n, status: 'open' })));
      const doubleWins: number[] = [];
      for (let n = 0; n < rounds; n++) {
        const claim = (M: typeof Task, who: string) =>
          M.findOneAndUpdate({ n, status: 'open' }, { $set: { status: 'claimed', claimedBy: who } }, { returnDocument: 'after' }).lean();
        const [a, b] = await Promise.all([claim(Task, 'A'), claim(Task2, 'B')]);
        const winners = [a, b].filter((x) => x !== null);
        if (winners.length !== 1) doubleWins.push(n);
        const stored = await Task.findOne({ n }).lean();
        expect(stored?.status).toBe('claimed');
      }
      expect(doubleWins).toEqual([]);
    } finally {
      await conn2.close();
    }
  });

  it('counts with $inc without losing concurrent increments', async () => {
    const Counter = conn.model('SeqCounter', new Schema({ _id: String, seq: Number }));
    const next = (key: string) => Counter.findOneAndUpdate({ _id: key }, { $inc: { seq: 1 } }, { returnDocument: 'after', upsert: true }).lean();
    expect((await next('DX-20261126'))?.seq).toBe(1);
    expect((await next('DX-20261126'))?.seq).toBe(2);
    const results = await Promise.all(Array.from({ length: 20 }, () => next('DX-20261126')));
    const seqs = results.map((r) => r!.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect((await Counter.findById('DX-20261126').lean())?.seq).toBe(22);

    await Counter.updateOne({ _id: 'views' }, { $inc: { seq: 5 } }, { upsert: true });
    await Promise.all(Array.from({ length: 10 }, () => Counter.updateOne({ _id: 'views' }, { $inc: { seq: 1 } })));
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
    const under = await Region.find({ path: /^\/a\/b\// }).sort({ path: 1 }).lean();
    expect(under.map((r) => r.name)).toEqual(['township', 'community', 'grid']);
    const strictlyUnder = await Region.find({ path: { $regex: '^/a/b/.' } }).sort({ path: 1 }).lean();
    expect(strictlyUnder.map((r) => r.name)).toEqual(['community', 'grid']);
    // A regex built from a stored path must escape its metacharacters; ids never contain any.
    const byRange = await Region.find({ path: { $gte: '/a/b/', $lt: '/a/b0' } }).lean();
    expect(byRange).toHaveLength(3);
    // FerretDB 1.24 (SQLite) pushes down only `_id` equality: this query is a full scan there
    // (explain: filterPushdown false, plan "SCAN <table>"); on MongoDB the same query uses path_1.
    const explain = (await Region.find({ path: /^\/a\/b\// }).explain()) as unknown as Record<string, unknown>;
    expect(explain.ok ?? 1).toBe(1);
  });
});

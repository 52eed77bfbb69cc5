/**
 * Writes landing together share one stamp bump (core/cache/stamps.ts bumpStamp), and each writer
 * still resolves only after a bump sent after its write: the read cache's promise that a caller
 * who saw its write finish sees it in every process.
 */
import mongoose, { Schema } from 'mongoose';
import { bumpStamp, cacheStampPlugin, readStamps } from '../../server/core/cache/stamps';
import { startTestDb, type TestDb } from '../helpers/db';

let db: TestDb;
let conn: mongoose.Connection;

beforeAll(async () => {
  db = await startTestDb();
  conn = await mongoose.createConnection(db.uri, { dbName: 'stamps' }).asPromise();
  await readStamps(conn);
});
afterAll(async () => {
  await conn?.close();
  await db?.stop();
});

const version = async (ns: string) => (await readStamps(conn)).v[ns] ?? 0;

it('twenty bumps at once are sent as a few, and each caller then reads a newer stamp', async () => {
  // Catches a bump per write under load (a database command each), and a caller joining a bump
  // that was sent before it asked (its write could then go unseen by another process's cache).
  const updates: unknown[] = [];
  (conn as unknown as { set(k: string, v: unknown): void }).set('debug', (coll: string, method: string) => {
    if (coll === 'cachestamps' && method === 'updateOne') updates.push(method);
  });
  const before = await version('t');
  await Promise.all(Array.from({ length: 20 }, () => bumpStamp(conn, 't')));
  (conn as unknown as { set(k: string, v: unknown): void }).set('debug', false);
  const after = await version('t');
  expect(after).toBeGreaterThan(before);
  expect(updates.length).toBe(after - before);
  expect(updates.length).toBeLessThanOrEqual(2);

  // One asking while a bump is in flight waits for the next one, sent after it asked.
  const first = bumpStamp(conn, 't');
  await new Promise((r) => setImmediate(r)); // `first` is sent
  const seenBySecond = (async () => {
    await bumpStamp(conn, 't');
    return version('t');
  })();
  await first;
  expect(await seenBySecond).toBe(after + 2);
});

it('two stamps on one schema each decide a save by their own fields (users: identity and rosters)', async () => {
  // Catches the stamps sharing one per-save flag: the roster's verdict overwrote the identity's, so
  // a new phone saved alone bumped nothing and a filing kept the old phone in memory.
  const schema = new Schema({ phone: String, roles: [String] });
  schema.plugin(cacheStampPlugin('ident', { paths: ['phone'], inserts: false }));
  schema.plugin(cacheStampPlugin('roster', { paths: ['roles'] }));
  const Person = conn.model('StampPerson', schema);
  const v0 = { ident: await version('ident'), roster: await version('roster') };
  const p = await Person.create({ phone: '1', roles: ['a'] });
  const v1 = { ident: await version('ident'), roster: await version('roster') };
  expect(v1).toEqual({ ident: v0.ident, roster: v0.roster + 1 }); // an insert: only the roster
  p.phone = '2';
  await p.save();
  const v2 = { ident: await version('ident'), roster: await version('roster') };
  expect(v2).toEqual({ ident: v1.ident + 1, roster: v1.roster }); // the phone: only the identity
  p.roles = ['b'];
  await p.save();
  expect({ ident: await version('ident'), roster: await version('roster') }).toEqual({ ident: v2.ident, roster: v2.roster + 1 });
});

/**
 * A filing's messages are written to the outbox held before its appeal is inserted, and the appeal
 * is stored already relayed (appeals/notify.ts `hold`, create.ts): no second write of the appeal.
 * Released after the insert, dropped when the insert fails; what a crash leaves held, the sweep
 * releases (the appeal exists) or drops (it never came). On a fixed clock.
 */
import { Types } from 'mongoose';
import { HOLD_GRACE_MS, notificationRelay } from '../../server/appeals/notify';
import type { AppealDoc } from '../../server/appeals/model';
import type { OutboxDoc } from '../../server/outbox/model';
import { appealDoc, demoIds, newKey, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';

const clock = testClock('2026-11-20T02:10:20Z');
let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let token: string;

beforeAll(async () => {
  env = await startAppealsServer(clock);
  s = env.server;
  ids = await demoIds(s);
  token = await s.residentToken('demo-resident-07');
});
afterAll(async () => {
  await env?.stop();
});

const outboxOf = (appealId: string) => s.models.Outbox.find({ dedupeKey: { $regex: `^appeal:${appealId}:` } }).lean<OutboxDoc[]>();
const water = (o: Record<string, unknown> = {}) => ({ idempotencyKey: newKey('held'), kind: 'help', categoryId: ids.category['water-supply'], description: '楼下水管爆裂，整栋楼停水了', regionId: ids.region['DX-01-01'], ...o });

it('a direct dispatch is stored relayed with its messages pending, the appeal written once; a retry leaves nothing held', async () => {
  // Catches the relay's mark back as a second write of the appeal (an update as dear as its
  // insert), messages left held after a filing (never sent), and a retry's held messages kept.
  const writes: string[] = [];
  const conn = s.ctx.conn as unknown as { set(k: string, v: unknown): void };
  conn.set('debug', (coll: string, method: string) => {
    if (coll === 'appeals' && method !== 'findOne') writes.push(method);
  });
  const body = water();
  let res;
  try {
    res = await s.api('POST', '/api/v1/appeals', { token, body });
  } finally {
    conn.set('debug', false);
  }
  expect(res.status).toBe(201);
  expect(writes).toEqual(['insertOne']);
  const a = await appealDoc(s, res.body.id);
  expect([a.state, a.notifyPending, a.notifiedCount]).toEqual(['assigned', false, a.eventCount]);
  const records = await outboxOf(res.body.id);
  expect(records.length).toBeGreaterThan(0);
  expect(records.every((r) => r.state === 'pending')).toBe(true);

  const again = await s.api('POST', '/api/v1/appeals', { token, body });
  expect([again.status, again.body.id]).toEqual([200, res.body.id]);
  expect(await s.models.Outbox.countDocuments({ state: 'held' })).toBe(0);
});

describe('what a crash leaves held', () => {
  /** An appeal of the county's as a filing would write it, not stored yet: a copy of one with a new id, number, key and timeline. */
  async function unstored(): Promise<AppealDoc> {
    const filed = await s.api('POST', '/api/v1/appeals', { token, body: water() });
    const a = await appealDoc(s, filed.body.id);
    const _id = new Types.ObjectId();
    const timeline = a.timeline.map((e) => ({ ...e, _id: new Types.ObjectId() }));
    return { ...a, _id, number: `${a.number}-X${String(_id).slice(-4)}`, idempotencyKey: newKey('crash'), timeline, notifiedCount: 0, notifyPending: true };
  }
  const store = async (a: AppealDoc) => s.models.Appeal.create({ ...a, notifiedCount: a.eventCount, notifyPending: false });

  it('held messages of an appeal that was stored are released by the sweep; those of one never stored are dropped', async () => {
    // Catches a crash between the hold and the release leaving the unit never told (held for
    // ever), and one before the insert sending messages about an appeal that does not exist.
    const relay = notificationRelay(s.ctx);
    const [stored, lost] = [await unstored(), await unstored()];
    await relay.hold(stored);
    await relay.hold(lost);
    await store(stored);
    const heldOf = async (a: AppealDoc) => (await outboxOf(String(a._id))).map((r) => r.state);
    expect((await heldOf(stored)).every((st) => st === 'held')).toBe(true);
    expect((await heldOf(lost)).length).toBeGreaterThan(0);
    // Within the grace a filing may still be on its way: nothing is decided.
    clock.advance(HOLD_GRACE_MS - 1000);
    expect(await relay.sweepHeld()).toEqual({ released: 0, dropped: 0 });
    clock.advance(2000);
    const [n, m] = [(await heldOf(stored)).length, (await heldOf(lost)).length];
    expect(await relay.sweepHeld()).toEqual({ released: n, dropped: m });
    expect((await heldOf(stored)).every((st) => st === 'pending')).toBe(true);
    expect(await heldOf(lost)).toEqual([]);
  });

  it('an insert slower than the grace, whose messages the sweep dropped, is relayed again at its release', async () => {
    // Catches a filing whose messages the sweep dropped while its insert was stalled: stored
    // relayed, it would never tell the unit.
    const relay = notificationRelay(s.ctx);
    const a = await unstored();
    const held = await relay.hold(a);
    const count = (await outboxOf(String(a._id))).length;
    clock.advance(HOLD_GRACE_MS + 1000);
    expect((await relay.sweepHeld()).dropped).toBe(count);
    await store(a);
    await held.release();
    const records = await outboxOf(String(a._id));
    expect(records.map((r) => r.state)).toEqual(Array(count).fill('pending'));
    const after = await appealDoc(s, String(a._id));
    expect([after.notifyPending, after.notifiedCount]).toEqual([false, after.eventCount]);
  });
});

/**
 * A filing's notifications (appeals/notify.ts, create.ts) with fewer database commands: a direct
 * dispatch is relayed from the appeal just written, not read again, and still tells the unit's
 * staff exactly once; an appeal filed without a unit (only its `submit` event, which sends
 * nothing) is stored already relayed, and its later moves are relayed as before.
 */
import type { OutboxDoc } from '../../server/outbox/model';
import type { TestServer } from '../helpers/server';
import { appealDoc, demoIds, fileAppeal, move, relayed, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  tok.dispatcher = await s.staffToken('dispatcher');
  tok.resident = await s.residentToken('demo-resident-06');
});
afterAll(async () => {
  await env?.stop();
});

const outboxOf = (appealId: string) => s.models.Outbox.find({ dedupeKey: { $regex: `^appeal:${appealId}:` } }).lean<OutboxDoc[]>();

it('a direct dispatch tells the unit once, relayed from the filed appeal without reading it again', async () => {
  // Catches: the relay reading the appeal back after the filing wrote it (a command per filing),
  // or relaying from the given document twice (a second message to the unit).
  const staff = await s.models.User.find({ departmentId: ids.department.water, roles: 'department_staff', active: true }, { _id: 1 }).lean();
  expect(staff.length).toBeGreaterThan(0);
  const reads: string[] = [];
  const spy = jest.spyOn(s.models.Appeal, 'findById');
  spy.mockImplementation(function (this: unknown, ...args: unknown[]) {
    reads.push(String(args[0]));
    return (jest.requireActual('mongoose').Model.findById as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  let id: string;
  try {
    const a = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'], description: '楼下水管爆裂，整栋楼停水了' });
    id = a.id;
    // Wait for the relay through the outbox (not through findById, which is watched).
    for (let i = 0; (await outboxOf(id)).length < staff.length && i < 1000; i++) await new Promise((r) => setImmediate(r));
  } finally {
    spy.mockRestore();
  }
  const done = await relayed(s, id);
  expect(reads.filter((r) => r === id)).toEqual([]);
  expect(done.state).toBe('assigned');
  const records = await outboxOf(id);
  expect(records.map((r) => r.recipient).sort()).toEqual(staff.map((u) => String(u._id)).sort());
  expect(records.every((r) => r.channel === 'wechat_subscribe')).toBe(true);
});

it('an appeal filed without a unit is stored relayed, and its dispatch still tells the unit', async () => {
  // Catches: a filing with nothing to send left pending (a relay, or a sweep, per filing for
  // nothing), or one marked relayed that hides a later move's messages.
  const updates: unknown[] = [];
  const spy = jest.spyOn(s.models.Appeal, 'updateOne');
  spy.mockImplementation(function (this: unknown, ...args: unknown[]) {
    updates.push(args[0]);
    return (jest.requireActual('mongoose').Model.updateOne as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  let a: { id: string };
  try {
    a = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01'], categoryId: null, description: '想咨询一下社区活动中心的开放时间' });
    await relayed(s, a.id);
  } finally {
    spy.mockRestore();
  }
  expect(updates).toEqual([]); // no relay wrote to it
  const filed = await appealDoc(s, a.id);
  expect(filed).toMatchObject({ state: 'submitted', notifyPending: false, notifiedCount: 1, eventCount: 1 });
  expect(await outboxOf(a.id)).toEqual([]);
  await move(s, tok.dispatcher, a.id, 'accept', {});
  await move(s, tok.dispatcher, a.id, 'assign', { departmentId: ids.department.water });
  await relayed(s, a.id);
  const staff = await s.models.User.countDocuments({ departmentId: ids.department.water, roles: 'department_staff', active: true });
  expect((await outboxOf(a.id)).filter((r) => r.channel === 'wechat_subscribe')).toHaveLength(staff);
});

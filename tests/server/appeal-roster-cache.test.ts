/**
 * Who is told of new work comes from the users' rosters in memory (users/service.ts, the roster
 * stamp in users/model.ts), not a read of the users per filing; and a roster change made through
 * the admin API, in any server process, counts for the next appeal filed in another.
 */
import { Types } from 'mongoose';
import type { OutboxDoc } from '../../server/outbox/model';
import type { RunningServer } from '../../server/server';
import { startSecondServer, type TestServer } from '../helpers/server';
import { demoIds, newKey, relayed, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let a: TestServer;
let b: RunningServer;
let ids: DemoIds;
let admin: string;
let resident: string;

beforeAll(async () => {
  env = await startAppealsServer();
  a = env.server;
  b = await startSecondServer(a, { backgroundJobs: false, now: env.clock.now });
  ids = await demoIds(a);
  admin = await a.staffToken('admin');
  resident = await a.residentToken('demo-resident-07');
}, 90_000); // two servers and a seed: slow on a busy 2-core machine
afterAll(async () => {
  await b?.close();
  await env?.stop();
});

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Files a water appeal (the catalogue sends it to the water unit at once) on server B and waits for its relay there. */
async function fileOnB(): Promise<string[]> {
  const res = await call(b.url, 'POST', '/api/v1/appeals', resident, { idempotencyKey: newKey('roster'), kind: 'help', categoryId: ids.category['water-supply'], description: '楼下水管爆裂，整栋楼停水了', regionId: ids.region['DX-01-01'] });
  expect(res.status).toBe(201);
  // The relay runs in B's process after the answer: wait until the appeal is relayed.
  await relayed(a, res.body.id);
  const records = await a.models.Outbox.find({ dedupeKey: { $regex: `^appeal:${res.body.id}:` }, channel: 'wechat_subscribe' }).lean<OutboxDoc[]>();
  return records.map((r) => r.recipient).sort();
}

const waterStaff = async () =>
  (await a.models.User.find({ departmentId: new Types.ObjectId(ids.department.water), roles: 'department_staff', active: true }, { _id: 1 }).lean()).map((u) => String(u._id)).sort();

it('a unit staff member added through the admin API on A is told of the next appeal filed on B; one deactivated is not', async () => {
  // Catches a roster cache that ignores new accounts (the users stamp skips inserts) or that B
  // keeps past a write made through A: the new member would miss the appeal sent to their unit.
  const before = await waterStaff();
  expect(before.length).toBeGreaterThan(0);
  expect(await fileOnB()).toEqual(before); // B now holds the unit's roster

  const created = await call(a.url, 'POST', '/api/v1/users', admin, { name: '新来的水务员', username: `water_new_${Date.now().toString(36)}`, password: 'xianrong-new-123', roles: ['department_staff'], departmentId: ids.department.water });
  expect(created.status).toBe(201);
  const newcomer = String(created.body.id);
  const withNewcomer = await fileOnB();
  expect(withNewcomer).toContain(newcomer);
  expect(withNewcomer).toEqual([...before, newcomer].sort());

  // Catches a deactivated account still told (the roster not watching `active`).
  expect((await call(a.url, 'PATCH', `/api/v1/users/${newcomer}`, admin, { active: false })).status).toBe(200);
  expect(await fileOnB()).toEqual(before);
});

it('filings while nobody changes read the roster from memory, not the users', async () => {
  // Catches the relay reading the unit's staff from the database per filing (a command per filing).
  await fileOnB(); // warm
  const UserOnB = b.models.User;
  const spy = jest.spyOn(UserOnB, 'find');
  try {
    await fileOnB();
    await fileOnB();
    expect(spy).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
});

/**
 * The county's badges for its ended appeals (server/appeals/counts.ts endedInCounty): those
 * settled before the day come from memory, kept through the appeal-settled stamp, which only the
 * writes that may change them bump (appeals/model.ts APPEAL_SETTLED_CACHE); those ended since are
 * counted at each read. Two server processes on one database and one fixed clock: A takes the
 * writes, B answers the badges, which must always equal the exact counts in the database.
 */
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { APPEAL_SETTLED_CACHE, filterIsOpen } from '../../server/appeals/model';
import { settledBefore } from '../../server/appeals/counts';
import { APPEAL_STATES } from '../../server/appeals/state-machine';
import { readStamps } from '../../server/core/cache/stamps';
import { DAY, fileAppeal, move, startTwoServers, testClock } from '../helpers/appeals';

const clock = testClock('2026-11-20T02:00:00Z');
let s: Awaited<ReturnType<typeof startTwoServers>>;
const tok: Record<string, string> = {};

beforeAll(async () => {
  s = await startTwoServers(clock);
  for (const u of ['dispatcher', 'chengguan', 'dept_urban']) tok[u] = await s.a.staffToken(u);
  tok.resident = await s.a.residentToken('demo-resident-07');
}, 90_000); // two servers and a seed: slow on a busy 2-core machine
afterAll(async () => {
  await s?.b.close();
  await s?.a.stop();
});

const settledVersion = async () => (await readStamps(s.a.ctx.conn)).v[APPEAL_SETTLED_CACHE] ?? 0;

/** The county dispatcher's badges on B. */
async function countyOnB(): Promise<{ byState: Record<string, number> }> {
  const res = await fetch(`${s.b.url}/api/v1/appeals/counts`, { headers: { authorization: `Bearer ${tok.dispatcher}` } });
  expect(res.status).toBe(200);
  return res.json();
}

/** Every state's appeals in the database, counted exactly. */
async function exact(): Promise<Record<string, number>> {
  const n = await Promise.all(APPEAL_STATES.map((state) => s.a.models.Appeal.countDocuments({ state })));
  return Object.fromEntries(APPEAL_STATES.map((s, i) => [s, n[i]]));
}

async function toReplied(): Promise<string> {
  const filed = await fileAppeal(s.a, tok.resident, { regionId: s.ids.region['DX-01-02'], categoryId: s.ids.category.other });
  await move(s.a, tok.dispatcher, filed.id, 'accept');
  await move(s.a, tok.dispatcher, filed.id, 'assign', { departmentId: s.ids.department.urban });
  await move(s.a, tok.dept_urban, filed.id, 'start');
  await move(s.a, tok.dept_urban, filed.id, 'reply', { answer: '已处理，感谢反映。' });
  return filed.id;
}

/** Countings sent through `conn` while `run` runs: each `countDocuments` filter. */
async function countsSentBy(conn: Connection, run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  const debug = conn as unknown as { set(k: string, v: unknown): void };
  debug.set('debug', (coll: string, method: string, filter: Record<string, unknown>) => {
    if (coll === 'appeals' && method === 'countDocuments') seen.push(filter);
  });
  try {
    await run();
  } finally {
    debug.set('debug', false);
  }
  return seen;
}

describe('the county badges of ended appeals', () => {
  it('equal the exact counts as appeals end (rated, rejected, merged), settle overnight and are reopened', async () => {
    expect((await countyOnB()).byState).toEqual(await exact());
    const v0 = await settledVersion();

    // Catches an appeal ending today counted in neither part (its closedAt before the settled
    // day) or in both.
    const rated = await toReplied();
    clock.advance(60_000);
    await move(s.a, tok.resident, rated, 'rate', { resolved: true, satisfaction: 'satisfied' });
    const rejected = await fileAppeal(s.a, tok.resident, { regionId: s.ids.region['DX-01-02'], categoryId: s.ids.category.other });
    await move(s.a, tok.dispatcher, rejected.id, 'reject', { reason: '不属于受理范围' });
    const duplicate = await fileAppeal(s.a, tok.resident, { regionId: s.ids.region['DX-01-02'], categoryId: s.ids.category.other });
    await move(s.a, tok.dispatcher, duplicate.id, 'merge', { intoId: rated });
    // All three in the part counted at each read: ended after the settled day.
    for (const id of [rated, rejected.id, duplicate.id]) expect((await s.a.models.Appeal.findById(id).lean())!.closedAt!.getTime()).toBeGreaterThanOrEqual(settledBefore(clock.now()).getTime());
    expect((await countyOnB()).byState).toEqual(await exact());
    // Catches the moves into an ended state bumping the settled stamp: every close would then
    // count the county's whole history again.
    expect(await settledVersion()).toBe(v0);

    // Two days on, both lie before the settled day: counted there, once.
    clock.advance(2 * DAY);
    const closedAt = (await s.a.models.Appeal.findById(rated).lean())!.closedAt!;
    expect(closedAt.getTime()).toBeLessThan(settledBefore(clock.now()).getTime());
    expect((await countyOnB()).byState).toEqual(await exact());

    // Catches a reopen of a settled appeal leaving it counted closed in memory.
    const before = (await countyOnB()).byState;
    await move(s.a, tok.resident, rated, 'reopen', { reason: '路灯又坏了' });
    expect(await settledVersion()).toBeGreaterThan(v0);
    const after = (await countyOnB()).byState;
    expect(after).toEqual(await exact());
    expect([after.closed, after.in_progress]).toEqual([before.closed - 1, before.in_progress + 1]);
  });

  it('an ended appeal inserted as it was (a restore, an import) counts at once', async () => {
    const before = (await countyOnB()).byState;
    const one = await s.a.models.Appeal.findOne({ state: 'closed' }).lean();
    expect(one).not.toBeNull();
    const copy = { ...one!, _id: new Types.ObjectId(), idempotencyKey: `restored-${Date.now()}`, number: `${one!.number}-R`, closedAt: new Date(clock.now().getTime() - 30 * DAY) };
    // Catches an insert of an ended appeal leaving the settled counts as they were.
    await s.a.models.Appeal.insertMany([copy]);
    const after = (await countyOnB()).byState;
    expect(after.closed).toBe(before.closed + 1);
    expect(after).toEqual(await exact());
  });

  it('after a filing, the settled appeals are not counted again', async () => {
    await countyOnB();
    const seen = await countsSentBy(s.b.ctx.conn, async () => {
      await fileAppeal(s.a, tok.resident, { regionId: s.ids.region['DX-01-02'], categoryId: s.ids.category.other });
      await countyOnB();
    });
    const closedAt = seen.map((f) => f.closedAt as Record<string, unknown> | undefined).filter(Boolean);
    // Catches the badges counting the whole history after every write (what grew with the county:
    // 10.4 ms at 10k appeals, 28.4 ms at 100k), and the recent part not counted at all.
    expect(closedAt.some((c) => '$lt' in c!)).toBe(false);
    expect(closedAt.filter((c) => '$gte' in c!).length).toBe(3);
  });
});

describe('which writes bump the settled stamp', () => {
  it('a filter naming only open states rules ended appeals out; anything else does not', () => {
    // Catches a move of a closed appeal (a reopen) or an unconditioned write taken for safe.
    expect(filterIsOpen({ _id: 1, state: 'replied' })).toBe(true);
    expect(filterIsOpen({ state: { $in: ['submitted', 'accepted'] } })).toBe(true);
    expect(filterIsOpen({ _id: 1, state: 'closed' })).toBe(false);
    expect(filterIsOpen({ state: { $in: ['accepted', 'merged'] } })).toBe(false);
    expect(filterIsOpen({ state: { $in: [] } })).toBe(false);
    expect(filterIsOpen({ state: { $ne: 'closed' } })).toBe(false);
    expect(filterIsOpen({ state: { $in: ['submitted'], $nin: ['x'] } })).toBe(false);
    expect(filterIsOpen({ _id: 1 })).toBe(false);
  });

  it('through the model: open-state updates and open inserts leave it, the rest bump it', async () => {
    const { Appeal } = s.a.models;
    const open = await Appeal.findOne({ state: 'submitted' }).lean();
    const ended = await Appeal.findOne({ state: 'rejected' }).lean();
    const bumps = async (write: () => Promise<unknown>) => {
      const v = await settledVersion();
      await write();
      return (await settledVersion()) > v;
    };
    // Catches the stamp's narrowing reading the wrong part of a write.
    expect(await bumps(() => Appeal.updateOne({ _id: open!._id, state: 'submitted' }, { $set: { state: 'submitted' } }))).toBe(false);
    expect(await bumps(() => Appeal.updateOne({ _id: open!._id }, { $set: { overdue: open!.overdue } }))).toBe(false);
    expect(await bumps(() => Appeal.updateOne({ _id: ended!._id, state: 'rejected' }, { $set: { departmentId: ended!.departmentId } }))).toBe(true);
    expect(await bumps(() => Appeal.updateMany({ townshipPath: 'none' }, { $set: { townshipPath: 'none' } }))).toBe(true);
    expect(await bumps(() => Appeal.deleteOne({ _id: new Types.ObjectId() }))).toBe(true);
    const fresh = { ...open!, _id: new Types.ObjectId(), idempotencyKey: `copy-${Date.now()}`, number: `${open!.number}-C` };
    expect(await bumps(() => Appeal.insertMany([fresh]))).toBe(false);
    expect(await bumps(() => Appeal.create({ ...fresh, _id: new Types.ObjectId(), idempotencyKey: `copy2-${Date.now()}`, number: `${open!.number}-D` }))).toBe(false);
    expect(await bumps(() => Appeal.create({ ...ended!, _id: new Types.ObjectId(), idempotencyKey: `copy3-${Date.now()}`, number: `${ended!.number}-C` }))).toBe(true);
  });
});

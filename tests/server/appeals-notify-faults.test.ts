/**
 * The notification relay's faults (appeals/notify.ts): one appeal whose relay fails never stops
 * the sweep for the others; it is logged without personal data and retried after a backoff kept
 * on the appeal; a message the outbox refuses is left out alone; and a WeChat id accepted at
 * filing is one the outbox accepts (one limit, WECHAT_ID_MAX).
 */
import type { AppealDoc } from '../../server/appeals/model';
import { notificationRelay } from '../../server/appeals/notify';
import { backoffMs } from '../../server/outbox/outbox';
import type { OutboxDoc } from '../../server/outbox/model';
import { WECHAT_ID_MAX } from '../../server/outbox/schemas';
import type { TestServer } from '../helpers/server';
import { TEST_BOT_TOKEN, appealDoc, demoIds, fileAppeal, move, newKey, relayed, startAppealsServer, type AppealsTestServer, type DemoIds, type TestClock } from '../helpers/appeals';

const SECOND_MS = 1000;

let env: AppealsTestServer;
let s: TestServer;
let clock: TestClock;
let ids: DemoIds;
const tok: Record<string, string> = {};
const ROOM = 'dongcheng-neighbours@chatroom';

beforeAll(async () => {
  env = await startAppealsServer();
  ({ server: s, clock } = env);
  ids = await demoIds(s);
  for (const u of ['dispatcher', 'dept_water']) tok[u] = await s.staffToken(u);
  for (const r of ['demo-resident-03', 'demo-resident-04', 'demo-resident-05']) tok[r] = await s.residentToken(r);
});
afterAll(async () => {
  await env?.stop();
});

const outboxOf = (appealId: string) => s.models.Outbox.find({ dedupeKey: { $regex: `^appeal:${appealId}:` } }).lean<OutboxDoc[]>();

/** As after a crash between the moves and their relay: every event pending again, nothing in the outbox. */
async function unrelay(id: string): Promise<void> {
  await s.models.Outbox.deleteMany({ dedupeKey: { $regex: `^appeal:${id}:` } });
  await s.models.Appeal.updateOne({ _id: id }, { $set: { notifyPending: true, notifiedCount: 0 } });
}

/** Water: direct to 县水务局 (accept and assign events, heard by the reporter and the unit). */
const fileWater = (token: string, description = '楼下水管爆裂，整栋楼停水了') =>
  fileAppeal(s, token, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'], description });

// Catches: one appeal whose outbox write fails stopping the whole sweep (no per-item handling: the
// sweep threw at the first bad appeal and every appeal after it went unnotified), a failing appeal
// retried at every sweep without backoff, or its error message (which may quote the appeal) logged.
it('a sweep with one failing appeal notifies the others, and retries the bad one after 30 s, 1 min … then succeeds', async () => {
  const poisonText = '毒药诉求：电话13800138000的王先生家门口';
  const poison = await fileWater(tok['demo-resident-03'], poisonText);
  const good1 = await fileWater(tok['demo-resident-04']);
  const good2 = await fileWater(tok['demo-resident-05']);
  for (const a of [poison, good1, good2]) await relayed(s, a.id);
  const before = new Map<string, number>();
  for (const a of [poison, good1, good2]) {
    before.set(a.id, (await outboxOf(a.id)).length);
    expect(before.get(a.id)).toBeGreaterThan(0);
  }
  // The poisoned one first in the sweep's order (never failed, lowest id), the others behind it.
  for (const a of [poison, good1, good2]) await unrelay(a.id);

  let failing = true;
  const tries: string[] = [];
  const relay = notificationRelay(s.ctx, {
    beforeEnqueue: (a) => {
      tries.push(String(a._id));
      if (failing && String(a._id) === poison.id) throw new Error(`outbox write failed for ${a.description}`);
    },
  });
  const warn = jest.spyOn(s.ctx.logger, 'warn');
  try {
    expect(await relay.sweep()).toBe(2);
    for (const a of [good1, good2]) {
      expect((await outboxOf(a.id)).length).toBe(before.get(a.id));
      expect((await appealDoc(s, a.id)).notifyPending).toBe(false);
    }
    let p = await appealDoc(s, poison.id);
    expect(await outboxOf(poison.id)).toHaveLength(0);
    expect(p.notifyPending).toBe(true);
    expect(p.notifyAttempts).toBe(1);
    expect(p.notifyRetryAt).toEqual(new Date(clock.now().getTime() + 30 * SECOND_MS));

    // Logged once, with the appeal and the attempt, never the text (nor the phone in it).
    const logged = warn.mock.calls.filter((c) => JSON.stringify(c).includes(poison.id));
    expect(logged).toHaveLength(1);
    expect(logged[0][0]).toMatchObject({ appealId: poison.id, attempts: 1, error: { name: 'Error' } });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('13800138000');
    expect(JSON.stringify(warn.mock.calls)).not.toContain('毒药');

    // Before the backoff is over the sweep leaves it alone (the clock is the test's), and an
    // appeal waiting behind it in the sweep's order is still relayed.
    tries.length = 0;
    clock.advance(30 * SECOND_MS - 1);
    await unrelay(good1.id);
    expect(await relay.sweep()).toBe(1);
    expect(tries).toEqual([good1.id]);
    expect((await outboxOf(good1.id)).length).toBe(before.get(good1.id));
    tries.length = 0;
    // Due: tried again, fails again, and waits twice as long.
    clock.advance(1);
    expect(await relay.sweep()).toBe(0);
    expect(tries).toEqual([poison.id]);
    p = await appealDoc(s, poison.id);
    expect(p.notifyAttempts).toBe(2);
    expect(p.notifyRetryAt).toEqual(new Date(clock.now().getTime() + 60 * SECOND_MS));

    // The fault is gone: the next due sweep delivers it and the backoff is cleared.
    failing = false;
    clock.advance(60 * SECOND_MS);
    expect(await relay.sweep()).toBe(1);
    p = await appealDoc(s, poison.id);
    expect(p.notifyPending).toBe(false);
    expect(p.notifyAttempts).toBe(0);
    expect(p.notifyRetryAt).toBeNull();
    expect((await outboxOf(poison.id)).length).toBe(before.get(poison.id));
  } finally {
    warn.mockRestore();
  }
});

it('the relay backoff doubles from 30 s and stops growing at 30 min', () => {
  // Catches: a failing appeal retried every minute forever, or pushed out for days.
  expect([1, 2, 3, 7, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 30 * 60_000, 30 * 60_000]);
});

describe('WeChat ids: one limit from filing to the outbox', () => {
  /** A group-chat appeal filed by the bot with this contact id, replied by the water bureau. */
  async function fileAndReply(contactId: string): Promise<{ status: number; id?: string }> {
    const res = await s.api('POST', '/api/v1/bot/appeals', {
      token: TEST_BOT_TOKEN,
      body: { idempotencyKey: newKey('wx'), channel: 'group_chat', roomId: ROOM, contact: { id: contactId, name: '群成员' }, text: '#报事 三栋门口的自来水管漏水了' },
    });
    if (res.status !== 201) return { status: res.status };
    const id = res.body.id as string;
    await move(s, tok.dispatcher, id, 'accept');
    await move(s, tok.dispatcher, id, 'assign', { departmentId: ids.department.water });
    await move(s, tok.dept_water, id, 'start');
    await move(s, tok.dept_water, id, 'reply', { answer: '漏水的管道已经修好，请放心使用' });
    await relayed(s, id);
    return { status: 201, id };
  }

  // Catches: contact ids accepted up to 200 characters at filing but 128 in the outbox, so the
  // group never heard the answer of an appeal filed by a member with a long id.
  it('the longest contact id filing accepts is @mentioned in the group; one longer is refused at filing', async () => {
    const longest = `wxid_${'a'.repeat(WECHAT_ID_MAX - 5)}`;
    const filed = await fileAndReply(longest);
    expect(filed.status).toBe(201);
    const rooms = (await outboxOf(filed.id!)).filter((o) => o.channel === 'bot_room');
    expect(rooms).toHaveLength(1);
    expect(rooms[0].payload.mentionContactIds).toEqual([longest]);

    expect((await fileAndReply(`${longest}b`)).status).toBe(400);
  });

  // Catches: an appeal stored before the limits agreed (a 150-character contact id) whose room
  // message the outbox refuses: before, the whole batch failed and the reporter's own messages
  // never went either, at every sweep.
  it('a message the outbox refuses is left out alone: the appeal\'s other messages go and it is not retried', async () => {
    const filed = await fileAndReply('wxid_legacy_member');
    await s.models.Appeal.updateOne({ _id: filed.id }, { $set: { reporterContactId: `wxid_${'x'.repeat(145)}` } });
    const all = await outboxOf(filed.id!);
    await unrelay(filed.id!);
    const error = jest.spyOn(s.ctx.logger, 'error');
    try {
      expect(await notificationRelay(s.ctx).sweep()).toBe(1);
      const again = await outboxOf(filed.id!);
      expect(again.filter((o) => o.channel === 'bot_room')).toHaveLength(0);
      expect(again.filter((o) => o.channel === 'wechat_subscribe').length).toBe(all.filter((o) => o.channel === 'wechat_subscribe').length);
      const a: AppealDoc = await appealDoc(s, filed.id!);
      expect(a.notifyPending).toBe(false);
      expect(error.mock.calls.some(([obj]) => JSON.stringify(obj).includes(`:bot_room:${ROOM}`))).toBe(true);
    } finally {
      error.mockRestore();
    }
  });
});

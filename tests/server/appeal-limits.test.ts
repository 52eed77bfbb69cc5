/**
 * Limits on filing appeals and on `查询` through the bot (server/appeals/limits.ts), at the
 * documented numbers (the other suites relax them), on a fixed clock: per account (residents,
 * staff filing for others), per group chat, per contact and room for lookups; 429 with
 * Retry-After and a Chinese message; a retry of an accepted key is never counted.
 */
import { identityKey } from '../../server/users/model';
import { APPEAL_LIMITS } from '../../server/appeals/limits';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';
import { HOUR, MINUTE, demoIds, newKey, testClock, type DemoIds } from '../helpers/appeals';

// 10:10 China time: the hour's window ends in 50 minutes, the China day at 16:00Z.
const clock = testClock('2026-11-20T02:10:00Z');
let s: TestServer;
let ids: DemoIds;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { appealLimitScale: 1 } });
  ids = await demoIds(s);
});
afterAll(async () => {
  await s?.stop();
});

const BOUND_ROOM = 'dongcheng-neighbours@chatroom'; // 东城社区
const OTHER_ROOM = 'qingshi-neighbours@chatroom'; // 青石村
const file = (token: string, o: Record<string, unknown> = {}) =>
  s.api('POST', '/api/v1/appeals', { token, body: { idempotencyKey: newKey('lim'), kind: 'help', categoryId: null, description: '小区门口的路灯坏了好几天', photoIds: [], regionId: ids.region['DX-01-01'], place: null, isPublic: false, isAnonymous: false, ...o } });
const botFile = (contactId: string, roomId = BOUND_ROOM, key = newKey('msg')) =>
  s.api('POST', '/api/v1/bot/appeals', { token: TEST_BOT_TOKEN, body: { idempotencyKey: key, channel: 'group_chat', roomId, contact: { id: contactId, name: '邻居' }, text: '楼道灯坏了，晚上看不见' } });
const lookup = (number: string, contactId: string, roomId?: string) =>
  s.api('GET', `/api/v1/bot/appeals/by-number/${number}?${new URLSearchParams(roomId ? { contactId, roomId } : { contactId })}`, { token: TEST_BOT_TOKEN });

describe('filing', () => {
  it('a resident files 10 in an hour; the 11th is 429 with Retry-After; a retry of an accepted key still returns its appeal', async () => {
    // Catches: filing without end by one account, a limit without Retry-After or a Chinese message,
    // or an idempotent retry (a lost answer on a weak network) refused or counted as a new filing.
    clock.set('2026-11-20T02:10:00Z');
    const token = await s.residentToken('demo-resident-21');
    const keys: string[] = [];
    for (let i = 0; i < APPEAL_LIMITS.resident.perHour; i++) {
      const key = newKey('res');
      keys.push(key);
      expect((await file(token, { idempotencyKey: key })).status).toBe(201);
    }
    const firstAnswer = await file(token, { idempotencyKey: keys[0] });
    expect(firstAnswer.status).toBe(200);

    const eleventh = await file(token);
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get('retry-after')).toBe(String(50 * 60));
    expect(eleventh.body.error).toEqual({ code: 'RATE_LIMITED', message: '提交太频繁，请50分钟后再试' });
    // Retries of accepted keys are answered (and were not counted: the 10 above are all filings).
    for (const key of keys.slice(0, 3)) expect((await file(token, { idempotencyKey: key })).status).toBe(200);
    expect(await s.models.Appeal.countDocuments({ submittedById: await ids.user('demo-resident-21') })).toBe(10);

    // The next hour has a fresh budget, up to 30 a China day.
    for (let hour = 1; hour <= 2; hour++) {
      clock.set(new Date(Date.parse('2026-11-20T02:10:00Z') + hour * HOUR));
      for (let i = 0; i < APPEAL_LIMITS.resident.perHour; i++) expect((await file(token)).status).toBe(201);
    }
    clock.set('2026-11-20T05:30:00Z'); // 13:30 China: 30 filed today
    const overDay = await file(token);
    expect(overDay.status).toBe(429);
    expect(overDay.headers.get('retry-after')).toBe(String((16 * 60 - (5 * 60 + 30)) * 60)); // until 00:00 China
    expect(overDay.body.error.message).toBe('提交太频繁，请11小时后再试');
  });

  it('staff filing for others (代报) get a larger budget: 60 an hour', async () => {
    // Catches: grid workers' and dispatchers' daily work refused at a resident's limit, or no limit for them at all.
    clock.set('2026-11-21T02:00:00Z');
    const token = await s.staffToken('dongcheng_grid1');
    const body = { channel: 'grid_worker', reporter: { name: '王大妈', phone: '13900001234' }, regionId: ids.region['DX-01-01-01'] };
    for (let i = 0; i < APPEAL_LIMITS.staff.perHour; i++) expect([i, (await file(token, body)).status]).toEqual([i, 201]);
    const over = await file(token, body);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe(String(60 * 60));
  });

  it('a group chat files 20 an hour whoever speaks; past it the bot’s filing is 429 before a new member gets an account', async () => {
    // Catches: one group (or a crowd of accounts in it) looping #报事 without end, or the refusal
    // still making resident accounts for new contacts.
    clock.set('2026-11-22T02:00:00Z');
    for (let i = 0; i < APPEAL_LIMITS.room.perHour; i++) expect((await botFile(`wxid_room_limit_${i}`)).status).toBe(201);
    const over = await botFile('wxid_room_limit_new');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe(String(60 * 60));
    expect(over.body.error.message).toBe('提交太频繁，请1小时后再试');
    expect(await s.models.Identity.countDocuments({ key: identityKey.contact('wxid_room_limit_new') })).toBe(0);
    // Another group is not held back by this one.
    expect((await botFile('wxid_room_limit_new', OTHER_ROOM)).status).toBe(201);
  });

  it('a group member is a resident: 10 an hour across groups; a re-delivered message is not counted', async () => {
    // Catches: a member escaping the per-account limit through the bot, or a re-delivered message refused.
    clock.set('2026-11-23T02:00:00Z');
    const keys: string[] = [];
    for (let i = 0; i < APPEAL_LIMITS.resident.perHour; i++) {
      keys.push(newKey('msg'));
      expect((await botFile('wxid_member_loop', i % 2 ? OTHER_ROOM : BOUND_ROOM, keys[i])).status).toBe(201);
    }
    expect((await botFile('wxid_member_loop')).status).toBe(429);
    const again = await botFile('wxid_member_loop', BOUND_ROOM, keys[0]);
    expect(again.status).toBe(200);
  });
});

describe('查询 through the bot', () => {
  let number: string;
  beforeAll(async () => {
    clock.set('2026-11-24T02:00:00Z');
    number = (await botFile('wxid_query_owner')).body.number;
  });

  it('20 an hour per contact, then 429 with Retry-After, also for numbers that do not exist', async () => {
    // Catches: a contact guessing numbers without end.
    clock.set('2026-11-24T03:15:00Z');
    for (let i = 0; i < APPEAL_LIMITS.queryContact.perHour; i++) {
      const res = await lookup(i % 2 ? number : 'DX-20991231-0001', 'wxid_query_owner');
      expect(res.status).toBe(i % 2 ? 200 : 404);
    }
    const over = await lookup(number, 'wxid_query_owner');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe(String(45 * 60));
    expect(over.body.error.message).toBe('查询太频繁，请45分钟后再试');
  });

  it('60 an hour per group chat, whoever asks in it', async () => {
    // Catches: a group's members (or one person with many accounts) querying without end.
    clock.set('2026-11-24T05:00:00Z');
    for (let i = 0; i < APPEAL_LIMITS.queryRoom.perHour; i++) expect((await lookup(number, `wxid_asker_${i % 30}_${i}`, BOUND_ROOM)).status).toBe(200);
    expect((await lookup(number, 'wxid_asker_fresh', BOUND_ROOM)).status).toBe(429);
    // The same person privately is counted on their own.
    expect((await lookup(number, 'wxid_query_owner')).status).toBe(200);
  });
});

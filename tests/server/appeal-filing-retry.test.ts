/**
 * A filing is inserted without looking its idempotency key up first (server/appeals/create.ts,
 * core/create-once.ts `insertFirst`): the unique (account, key) index catches a retry, which then
 * gets the first appeal and gives back what it took as a new filing (the filing limits' count and
 * its ticket number). On a fixed clock, with the documented filing limits.
 */
import { Types } from 'mongoose';
import { appealCreator } from '../../server/appeals/create';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoIds, filingTotals, newKey, testClock, type DemoIds } from '../helpers/appeals';

const clock = testClock('2026-11-20T02:10:20Z');
let s: TestServer;
let ids: DemoIds;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { appealLimitScale: 1 } });
  ids = await demoIds(s);
});
afterAll(async () => {
  await s?.stop();
});

const body = (o: Record<string, unknown> = {}) => ({ idempotencyKey: newKey('retry'), kind: 'help', categoryId: null, description: '村口的桥栏杆松了，孩子上学要经过', regionId: ids.region['DX-01-01'], ...o });
const seqOf = (number: string) => Number(number.split('-')[2]);

it('a retry gives back the filing it was counted as and the number it took: the next filing takes that number', async () => {
  // Catches a retry (a lost answer on a weak network, pressed again) that spends the resident's
  // hourly filings or leaves a gap in the day's ticket numbers now that it is inserted before it
  // is known to be a retry.
  const token = await s.residentToken('demo-resident-14');
  const userId = await ids.user('demo-resident-14');
  const filed = () => s.models.Appeal.countDocuments({ submittedById: new Types.ObjectId(userId) });
  const before = await filed();
  const first = body();
  const a = await s.api('POST', '/api/v1/appeals', { token, body: first });
  expect(a.status).toBe(201);
  for (let i = 0; i < 3; i++) {
    const again = await s.api('POST', '/api/v1/appeals', { token, body: first });
    expect([again.status, again.body.id, again.body.number]).toEqual([200, a.body.id, a.body.number]);
  }
  expect(await filingTotals(s, userId)).toEqual([1, 1]);
  const b = await s.api('POST', '/api/v1/appeals', { token, body: body() });
  const c = await s.api('POST', '/api/v1/appeals', { token, body: body() });
  expect([b.status, c.status]).toEqual([201, 201]);
  expect([seqOf(b.body.number), seqOf(c.body.number)]).toEqual([seqOf(a.body.number) + 1, seqOf(a.body.number) + 2]);
  expect(await filingTotals(s, userId)).toEqual([3, 3]);
  expect((await filed()) - before).toBe(3);
});

it('a retry at the last filing of the hour neither spends it nor leaves the hour spent', async () => {
  // Catches a given-back window the limiter still remembers as spent: the retry counted the
  // 10th filing and saw the hour spent, so without forgetting it the real 10th filing would be
  // refused from memory (429) although the database holds 9.
  clock.set('2026-11-20T03:10:20Z');
  const token = await s.residentToken('demo-resident-15');
  const userId = await ids.user('demo-resident-15');
  const first = body();
  expect((await s.api('POST', '/api/v1/appeals', { token, body: first })).status).toBe(201);
  for (let i = 0; i < 8; i++) expect((await s.api('POST', '/api/v1/appeals', { token, body: body() })).status).toBe(201);
  expect((await s.api('POST', '/api/v1/appeals', { token, body: first })).status).toBe(200);
  expect(await filingTotals(s, userId)).toEqual([9, 9]);
  expect((await s.api('POST', '/api/v1/appeals', { token, body: body() })).status).toBe(201);
  const eleventh = await s.api('POST', '/api/v1/appeals', { token, body: body() });
  expect([eleventh.status, eleventh.body.error.message]).toEqual([429, '提交太频繁，请50分钟后再试']);
  // Past the limit a retry of an accepted key is still answered by its appeal.
  expect((await s.api('POST', '/api/v1/appeals', { token, body: first })).status).toBe(200);
  expect(await filingTotals(s, userId)).toEqual([10, 10]);
});

it('two copies of one retry that both come to insert: one appeal, one filing counted, no number skipped', async () => {
  // Catches the loser of the unique index keeping its admission or its ticket number. Both copies
  // are held right before their insert until both have come, so they surely overlap.
  clock.set('2026-11-20T04:10:20Z');
  await s.residentToken('demo-resident-16');
  const resident = (await s.models.User.findById(await ids.user('demo-resident-16')).lean())!;
  let arrived = 0;
  let release!: () => void;
  const both = new Promise<void>((r) => (release = r));
  const creator = appealCreator(s.ctx, {
    beforeInsert: async () => {
      if (++arrived === 2) release();
      await both;
    },
  });
  const input = {
    idempotencyKey: newKey('race'),
    submittedById: resident._id,
    submitter: { id: resident._id, name: resident.name, role: 'resident' as const },
    channel: 'miniprogram' as const,
    kind: 'help' as const,
    categoryId: null,
    suggestion: null,
    description: '两份重试同时写入',
    photoIds: [],
    photoOwnerId: String(resident._id),
    regionId: ids.region['DX-01-01'],
    place: null,
    isPublic: true,
    isAnonymous: false,
    reporterId: resident._id,
    reporterName: resident.name,
    reporterPhone: null,
  };
  const before = await appealCreator(s.ctx).file({ ...input, idempotencyKey: newKey('race-before'), description: '重试之前的一件' });
  const [x, y] = await Promise.all([creator.file(input), creator.file(input)]);
  expect(arrived).toBe(2);
  expect([x.created, y.created].sort()).toEqual([false, true]);
  expect(String(x.appeal._id)).toBe(String(y.appeal._id));
  expect(await filingTotals(s, String(resident._id))).toEqual([2, 2]);
  const next = await creator.file({ ...input, idempotencyKey: newKey('race-next') });
  // The two numbers after the one before the race, whichever copy took which.
  const p = seqOf(before.appeal.number);
  expect([seqOf(x.appeal.number), seqOf(next.appeal.number)].sort((m, n) => m - n)).toEqual([p + 1, p + 2]);
});

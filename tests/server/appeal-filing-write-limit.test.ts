/**
 * The filing route's default write limit counted with the filing limits in one limiter write
 * (`limit: 'joined'`, core/route.ts; appeals/limits.ts; the account's day document, limiter.ts
 * `accountDay`), and counted alone for what files nothing new: a retry of an accepted key, a body
 * refused, a caller refused by the handler. Small write limits of its own, the documented filing
 * limits (10 an hour for a resident), on a fixed clock.
 */
import { APPEAL_LIMITS } from '../../server/appeals/limits';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoIds, filingTotals, newKey, testClock, type DemoIds } from '../helpers/appeals';

const WRITES = { perMinute: 4, perHour: 100, botPerMinute: 1000, addressPerMinute: 1000 };
const clock = testClock('2026-11-20T02:10:20Z');
let s: TestServer;
let ids: DemoIds;
let articleId: string;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { appealLimitScale: 1, writeRateLimit: WRITES } });
  ids = await demoIds(s);
  articleId = (await s.api('GET', '/api/v1/news/feed')).body.items[0].id;
});
afterAll(async () => {
  await s?.stop();
});

const file = (token: string, o: Record<string, unknown> = {}) =>
  s.api('POST', '/api/v1/appeals', { token, body: { idempotencyKey: newKey('wl'), kind: 'help', categoryId: null, description: '小区门口的路灯坏了好几天', regionId: ids.region['DX-01-01'], ...o } });
const like = (token: string) => s.api('PUT', `/api/v1/news/articles/${articleId}/like`, { token });
/** The resident's filing counts this hour and this day (the limiter's own view). */
const totalsOf = async (openid: string) => filingTotals(s, await ids.user(openid));

function expectWriteLimited(res: { status: number; headers: Headers; body: any }, seconds: number, wait: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(seconds));
  expect(res.body.error).toEqual({ code: 'RATE_LIMITED', message: `操作太频繁，请${wait}后再试` });
}

it('a new filing is one limiter write: the account day document holds the write limit and the filing limits', async () => {
  // Catches the route's default write limit counted in a write (or a document) of its own again
  // beside the filing limits' (two serialized writes a filing on the embedded database).
  clock.set('2026-11-20T02:10:20Z');
  const token = await s.residentToken('demo-resident-11');
  const userId = await ids.user('demo-resident-11');
  const writes: string[] = [];
  const conn = s.ctx.conn as unknown as { set(k: string, v: unknown): void };
  conn.set('debug', (coll: string, method: string) => {
    if (coll === 'ratewindows') writes.push(method);
  });
  try {
    expect((await file(token)).status).toBe(201);
  } finally {
    conn.set('debug', false);
  }
  expect(writes).toEqual(['findOneAndUpdate']);
  const docs = (await s.models.RateWindow.find({ _id: { $regex: userId } }).lean()).map((d) => String(d._id));
  expect(docs).toEqual([`account:${userId}:d|${Date.parse('2026-11-19T16:00:00Z')}`]);
  expect(await totalsOf('demo-resident-11')).toEqual([1, 1]);
});

it('a retry of an accepted key, a body refused and a caller refused still spend the write limit, not the filing limit', async () => {
  // Catches writes that escape the default write limit now that the filing route counts it itself:
  // a client looping on a retry of its key, on an invalid body or on a channel it may not use would
  // write (and read) without end; and such requests counted as filings.
  clock.set('2026-11-20T02:20:20Z');
  const token = await s.residentToken('demo-resident-12');
  const key = newKey('retry');
  expect((await file(token, { idempotencyKey: key })).status).toBe(201);
  expect((await file(token, { idempotencyKey: key })).status).toBe(200);
  expect((await file(token, { regionId: 'not-an-id' })).status).toBe(400);
  expect((await file(token, { channel: 'grid_worker', reporter: { name: '王大妈' } })).status).toBe(403);
  // Four writes this minute: the fifth, a retry, is refused by the write limit before it is looked
  // up (a flooding caller costs no database command), as when the limit was counted first.
  const seen: string[] = [];
  const conn = s.ctx.conn as unknown as { set(k: string, v: unknown): void };
  conn.set('debug', (coll: string, method: string) => seen.push(`${coll}.${method}`));
  try {
    expectWriteLimited(await file(token, { idempotencyKey: key }), 40, '40秒');
  } finally {
    conn.set('debug', false);
  }
  expect(seen.filter((c) => !c.startsWith('cachestamps.'))).toEqual([]);
  expectWriteLimited(await like(token), 40, '40秒');
  expect(await totalsOf('demo-resident-12')).toEqual([1, 1]);
  clock.set('2026-11-20T02:21:00Z');
  expect((await file(token, { idempotencyKey: key })).status).toBe(200);
});

it('a filing refused by the write limit spends no filing, and one refused by the filing limit no write', async () => {
  // Catches one count of both limits that spends the other budget on a refusal: a resident pressing
  // again past the minute would lose filings of their hour, and one past the hour their writes.
  clock.set('2026-11-20T03:10:20Z');
  const token = await s.residentToken('demo-resident-13');
  for (let i = 0; i < WRITES.perMinute; i++) expect((await file(token)).status).toBe(201);
  expectWriteLimited(await file(token), 40, '40秒');
  clock.set('2026-11-20T03:11:20Z');
  for (let i = 0; i < WRITES.perMinute; i++) expect((await file(token)).status).toBe(201);
  clock.set('2026-11-20T03:12:20Z');
  // The 9th and 10th filings of the hour: all the refused one above did not count.
  for (let i = 0; i < APPEAL_LIMITS.resident.perHour - 2 * WRITES.perMinute; i++) expect((await file(token)).status).toBe(201);
  const over = await file(token);
  expect(over.status).toBe(429);
  expect(over.headers.get('retry-after')).toBe(String(47 * 60 + 40));
  expect(over.body.error.message).toBe('提交太频繁，请48分钟后再试');
  expect(await totalsOf('demo-resident-13')).toEqual([10, 10]);
  // Two writes this minute so far: two more go, then the minute's limit.
  expect((await like(token)).status).toBe(200);
  expect((await like(token)).status).toBe(200);
  expectWriteLimited(await like(token), 40, '40秒');
});

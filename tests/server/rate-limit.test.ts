/**
 * The database-backed rate limiter (server/core/rate-limit): one budget shared by every server
 * process on the database, counted atomically, in fixed windows that end.
 */
import mongoose, { type Connection } from 'mongoose';
import { withDbName } from '../../server/db/embedded';
import { createModels, syncIndexes, type Models } from '../../server/models';
import { accountDay, CHINA_DAY_OFFSET_MS, rateLimiter, waitText, type RateLimit } from '../../server/core/rate-limit/limiter';
import { startTestDb, type TestDb } from '../helpers/db';

let db: TestDb;
let conns: Connection[] = [];
let models: Models[] = [];
let clock = new Date('2026-11-26T08:00:00.000Z');
const now = () => clock;

beforeAll(async () => {
  db = await startTestDb();
  // Two connections stand for two server processes sharing one database.
  conns = await Promise.all([0, 1].map(() => mongoose.createConnection(withDbName(db.uri, 'ratelimit'), { autoIndex: false }).asPromise()));
  models = conns.map(createModels);
  await syncIndexes(models[0]);
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await db?.stop();
});

const perMinute = (key: string, limit: number): RateLimit => ({ key, limit, windowMs: 60_000 });

it('allows exactly the limit when attempts from two processes overlap', async () => {
  // Catches a read-then-write counter: overlapping attempts would all read the same count and pass.
  const limiters = conns.map((conn) => rateLimiter({ conn, now }));
  const starts: number[] = [];
  const ends: number[] = [];
  const results = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      starts.push(performance.now());
      const d = await limiters[i % 2].hit([perMinute('test:overlap', 5)]);
      ends.push(performance.now());
      return d.allowed;
    }),
  );
  expect(Math.max(...starts)).toBeLessThan(Math.min(...ends)); // every call was in flight at once
  expect(results.filter(Boolean)).toHaveLength(5);
});

it('refuses when any one of several limits is exhausted, and says when to retry', async () => {
  // Catches a limiter that only looks at the first limit (e.g. per address, never per account).
  const limiter = rateLimiter({ conn: conns[0]!, now });
  clock = new Date('2026-11-26T09:00:10.000Z');
  const account = perMinute('test:account', 2);
  expect((await limiter.hit([perMinute('test:addr-a', 100), account])).allowed).toBe(true);
  expect((await limiter.hit([perMinute('test:addr-b', 100), account])).allowed).toBe(true);
  const third = await limiter.hit([perMinute('test:addr-c', 100), account]);
  expect(third).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:account' });
  expect(await limiter.check([account])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:account' });
});

it('starts a fresh budget when the window ends, and removes ended windows', async () => {
  // Catches a window that never ends (a locked-out user stays locked out) and a cleanup that
  // deletes live windows (which would reset an attacker's budget).
  const limiter = rateLimiter({ conn: conns[0]!, now });
  clock = new Date('2026-11-26T10:00:00.000Z');
  const l = perMinute('test:window', 1);
  expect((await limiter.hit([l])).allowed).toBe(true);
  expect((await limiter.hit([l])).allowed).toBe(false);
  clock = new Date('2026-11-26T10:01:00.000Z');
  expect(await limiter.check([l])).toEqual({ allowed: true, retryAfterSeconds: 0 });
  expect((await limiter.hit([l])).allowed).toBe(true);

  const removed = await limiter.removeExpired();
  expect(removed).toBeGreaterThan(0);
  const left = await models[0].RateWindow.find({ _id: /^test:window\|/ }).lean();
  expect(left.map((w) => w._id)).toEqual([`test:window|${Date.parse('2026-11-26T10:01:00.000Z')}`]);
});

it('admit does not count an attempt refused by a spent limit', async () => {
  // Catches: a noisy caller past their own limit still eating a shared budget (a group's, the bot's)
  // with every refused attempt.
  const limiter = rateLimiter({ conn: conns[0]!, now });
  clock = new Date('2026-11-26T11:00:00.000Z');
  const own = perMinute('test:admit:own', 1);
  const shared = perMinute('test:admit:shared', 3);
  expect((await limiter.admit([own, shared])).allowed).toBe(true);
  for (let i = 0; i < 5; i++) expect(await limiter.admit([own, shared])).toMatchObject({ allowed: false, exceeded: 'test:admit:own' });
  // The shared budget saw one attempt: two more callers still get in.
  expect((await limiter.admit([perMinute('test:admit:other-a', 1), shared])).allowed).toBe(true);
  expect((await limiter.admit([perMinute('test:admit:other-b', 1), shared])).allowed).toBe(true);
  expect((await limiter.admit([perMinute('test:admit:other-c', 1), shared])).allowed).toBe(false);
});

it('admit refuses a window it saw spent without reading it, and still counts exactly across processes', async () => {
  // Catches: a memo of spent windows that outlives its window (a caller refused into the next
  // minute), or one that lets a process allow past a limit another process spent (the $inc must
  // still decide), or one that counts each refused attempt against the shared budget.
  const [a, b] = conns.map((conn) => rateLimiter({ conn, now }));
  clock = new Date('2026-11-26T12:00:10.000Z');
  const own = perMinute('test:memo:own', 2);
  const shared = perMinute('test:memo:shared', 100);
  expect((await a.admit([own, shared])).allowed).toBe(true);
  expect((await b.admit([own, shared])).allowed).toBe(true); // the other process spends the window
  // Process a has not seen it spent: its $inc refuses (and counts once); then it remembers.
  expect(await a.admit([own, shared])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:memo:own' });
  const calls: string[] = [];
  const spies = (['find', 'findOne', 'findOneAndUpdate'] as const).map((op) =>
    jest.spyOn(models[0].RateWindow, op).mockImplementation((() => {
      calls.push(op);
      throw new Error('no database call expected');
    }) as never),
  );
  try {
    for (let i = 0; i < 3; i++) expect(await a.admit([own, shared])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:memo:own' });
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  expect(calls).toEqual([]);
  expect(await a.totals([own, shared])).toEqual([3, 3]);
  // The next minute is a fresh window, in both processes.
  clock = new Date('2026-11-26T12:01:00.000Z');
  expect((await a.admit([own, shared])).allowed).toBe(true);
  expect((await b.admit([own, shared])).allowed).toBe(true);
  expect((await b.admit([own, shared])).allowed).toBe(false);
});

it('a day window with CHINA_DAY_OFFSET_MS ends at midnight China time, not UTC', async () => {
  // Catches: a daily limit that resets at 08:00 Beijing time (UTC midnight), mid-morning for a county.
  const limiter = rateLimiter({ conn: conns[0]!, now });
  const day: RateLimit = { key: 'test:china-day', limit: 1, windowMs: 24 * 60 * 60_000, offsetMs: CHINA_DAY_OFFSET_MS };
  clock = new Date('2026-11-26T15:30:00.000Z'); // 23:30 China
  expect((await limiter.hit([day])).allowed).toBe(true);
  expect(await limiter.hit([day])).toEqual({ allowed: false, retryAfterSeconds: 30 * 60, exceeded: 'test:china-day' });
  clock = new Date('2026-11-26T16:00:00.000Z'); // 00:00 China, the next day
  expect((await limiter.hit([day])).allowed).toBe(true);
  expect(waitText(30 * 60)).toBe('30分钟');
  expect(waitText(61)).toBe('2分钟');
  expect(waitText(11 * 3600 - 5)).toBe('11小时');
});

it('says a wait under a minute in seconds', () => {
  // Catches: a minute window's refusal 20 seconds before it ends telling the user to wait 1分钟
  // (the write limits answer 「操作太频繁，请20秒后再试」).
  expect(waitText(20)).toBe('20秒');
  expect(waitText(0.2)).toBe('1秒');
  expect(waitText(59)).toBe('59秒');
  expect(waitText(60)).toBe('1分钟');
});

// Limits counted in a longer limit's document (`RateLimit.countedIn`): one account's minute and
// hour in one write, each still its own budget in its own windows.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const pair = (key: string, perMinute: number, perHour: number): [RateLimit, RateLimit] => {
  const hour: RateLimit = { key: `${key}:h`, limit: perHour, windowMs: HOUR };
  return [{ key: `${key}:m`, limit: perMinute, windowMs: MINUTE, countedIn: hour }, hour];
};

it('counts a minute and its hour in one document, each with its own budget and windows', async () => {
  // Catches a minute that is not its own budget inside the hour's document (a minute never
  // refusing, or counting the hour's total), a minute that does not start afresh each minute, and
  // a check of the minute alone that reads another place than the hit wrote.
  const limiter = rateLimiter({ conn: conns[0]!, now });
  const [minute, hour] = pair('test:pair', 2, 3);
  clock = new Date('2026-11-26T08:00:10.000Z');
  expect((await limiter.hit([minute, hour])).allowed).toBe(true);
  expect((await limiter.hit([minute, hour])).allowed).toBe(true);
  expect(await limiter.hit([minute, hour])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:pair:m' });
  expect(await limiter.check([minute])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:pair:m' });
  expect(await limiter.totals([minute, hour])).toEqual([3, 3]);
  // One document: the hour's window, with the minute inside.
  const docs = await models[0].RateWindow.find({ _id: /^test:pair/ }).lean();
  expect(docs.map((d) => d._id)).toEqual([`test:pair:h|${Date.parse('2026-11-26T08:00:00.000Z')}`]);

  clock = new Date('2026-11-26T08:01:00.000Z');
  expect(await limiter.check([minute])).toEqual({ allowed: true, retryAfterSeconds: 0 });
  expect(await limiter.hit([minute, hour])).toEqual({ allowed: false, retryAfterSeconds: 59 * 60, exceeded: 'test:pair:h' });
  expect(await limiter.totals([minute, hour])).toEqual([1, 4]);
  clock = new Date('2026-11-26T09:00:00.000Z');
  expect((await limiter.hit([minute, hour])).allowed).toBe(true);
});

it('allows exactly the inner limit when attempts from two processes overlap', async () => {
  // Catches a read-then-write of the inner count: overlapping attempts would all pass.
  const limiters = conns.map((conn) => rateLimiter({ conn, now }));
  clock = new Date('2026-11-26T10:00:00.000Z');
  const [minute, hour] = pair('test:overlap-pair', 5, 100);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limiters[i % 2].hit([minute, hour])));
  expect(results.filter((d) => d.allowed)).toHaveLength(5);
  expect(await limiters[0].totals([minute, hour])).toEqual([20, 20]);
});

it('an hour in a China day, and a window that does not nest kept apart', async () => {
  // Catches an inner window placed in a host whose window ends inside it (its count would start
  // again at the host's end, letting a caller past its limit).
  const limiter = rateLimiter({ conn: conns[0]!, now });
  const day: RateLimit = { key: 'test:day', limit: 10, windowMs: 24 * HOUR, offsetMs: CHINA_DAY_OFFSET_MS };
  const hour: RateLimit = { key: 'test:day-hour', limit: 1, windowMs: HOUR, countedIn: day };
  const odd: RateLimit = { key: 'test:odd', limit: 1, windowMs: 7 * HOUR, countedIn: day };
  clock = new Date('2026-11-26T15:30:00.000Z'); // 23:30 China
  expect((await limiter.hit([hour, odd, day])).allowed).toBe(true);
  const ids = (await models[0].RateWindow.find({ _id: /^test:(day|odd)/ }).lean()).map((d) => String(d._id)).sort();
  expect(ids).toEqual([`test:day|${Date.parse('2026-11-25T16:00:00.000Z')}`, `test:odd|${Math.floor(clock.getTime() / (7 * HOUR)) * 7 * HOUR}`]);
  clock = new Date('2026-11-26T16:00:00.000Z'); // 00:00 China, the next day: a new hour and a new day
  expect((await limiter.hit([hour, day])).allowed).toBe(true);
  expect(await limiter.totals([hour, day])).toEqual([1, 1]);
});

it("an account's day document keeps about its current windows, not a field per minute of the day", async () => {
  // Catches the windows of every minute an account wrote in piling up in its day document (the
  // default write limit's minute, limiter.ts accountDay): each count rewrites and returns the whole
  // document, so a busy account's writes would slow down through the day.
  const limiter = rateLimiter({ conn: conns[0]!, now });
  const host = accountDay('0123456789abcdef01234567');
  const minute: RateLimit = { key: 'test:acct:m', limit: 2, windowMs: MINUTE, countedIn: host };
  const hour: RateLimit = { key: 'test:acct:h', limit: 1000, windowMs: HOUR, countedIn: host };
  const start = Date.parse('2026-11-26T01:00:10.000Z');
  const doc = async () => (await models[0].RateWindow.find({ _id: /^account:0123456789abcdef01234567:d\|/ }).lean())[0]!;
  let most = 0;
  for (let i = 0; i < 90; i++) {
    clock = new Date(start + i * MINUTE);
    expect((await limiter.hit([minute, hour])).allowed).toBe(true);
    most = Math.max(most, Object.keys((await doc()).w ?? {}).length);
  }
  // At most 16 ended minutes and 1 ended hour before a prune, beside the current minute and hour.
  expect(most).toBeLessThanOrEqual(16 + 1 + 2);
  // The current windows kept their counts through the prunes.
  expect((await limiter.hit([minute, hour])).allowed).toBe(true);
  expect(await limiter.hit([minute, hour])).toEqual({ allowed: false, retryAfterSeconds: 50, exceeded: 'test:acct:m' });
  expect(await limiter.totals([minute, hour])).toEqual([3, 32]);
});

describe('lease: counted a block at a time', () => {
  it('writes once per block and hands out the rest from memory', async () => {
    // Catches a lease that still writes per event (the cost it exists to remove): 25 events in blocks of 10 are 3 claims, so the window reads 30.
    clock = new Date('2026-11-26T11:00:05.000Z');
    const limiter = rateLimiter({ conn: conns[0]!, now });
    const l = perMinute('test:lease-writes', 100);
    for (let i = 0; i < 25; i++) expect((await limiter.lease([l], 10)).allowed).toBe(true);
    expect(await limiter.totals([l])).toEqual([30]);
  });

  it('never grants more than the limit across processes, even when their claims overlap', async () => {
    // Catches granting a whole block past the limit: two processes claiming blocks of 10 under a limit of 25 must hand out 25 in all, not 30.
    clock = new Date('2026-11-26T11:01:05.000Z');
    const limiters = conns.map((conn) => rateLimiter({ conn, now }));
    const l = perMinute('test:lease-cap', 25);
    const starts: number[] = [];
    const ends: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        starts.push(performance.now());
        const d = await limiters[i % 2].lease([l], 10);
        ends.push(performance.now());
        return d.allowed;
      }),
    );
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends)); // the claims were in flight at once
    // Six overlapping first claims: each is a write, 60 counted; exactly the first 25 counted fit (10 + 10 + 5 granted), the rest get nothing.
    expect(results.filter(Boolean)).toHaveLength(3);
    // What the three claims left in memory, then refusals: 25 granted in all.
    let more = 0;
    for (let i = 0; i < 80; i++) if ((await limiters[i % 2].lease([l], 10)).allowed) more++; // enough turns for one process to hold all 22 left
    expect(3 + more).toBe(25);
  });

  it('refuses with the window\'s end once spent, and starts again in the next window', async () => {
    // Catches a lease kept past its window (events handed out from a window that ended) and a refusal without a Retry-After.
    clock = new Date('2026-11-26T11:02:20.000Z');
    const limiter = rateLimiter({ conn: conns[0]!, now });
    const l = perMinute('test:lease-window', 12);
    let allowed = 0;
    for (let i = 0; i < 15; i++) if ((await limiter.lease([l], 10)).allowed) allowed++;
    expect(allowed).toBe(12);
    expect(await limiter.lease([l], 10)).toEqual({ allowed: false, retryAfterSeconds: 40, exceeded: 'test:lease-window' });
    clock = new Date('2026-11-26T11:03:00.000Z');
    expect((await limiter.lease([l], 10)).allowed).toBe(true);
    expect(await limiter.totals([l])).toEqual([10]);
  });
});

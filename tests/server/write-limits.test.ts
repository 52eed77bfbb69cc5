/**
 * The default write limit (server/core/rate-limit/write-limits.ts, counted by core/route.ts
 * `mountRoutes`): every write route of the route tables is counted unless it names a limit of its
 * own; per signed-in account (a minute and an hour), for the bot account (its own, higher budget),
 * per client address for anonymous writes. Over HTTP on a fixed clock, with small limits of its own
 * (the other suites relax them; the production numbers are checked in tests/server/config.test.ts).
 */
import type { Request, Response, Router } from 'express';
import { routeGroups } from '../../server/app';
import { BOT_USER } from '../../server/auth/authenticate';
import { isWrite, mountRoutes, usesDefaultWriteLimit, type AuthUser, type RouteDef } from '../../server/core/route';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';
import { MINUTE, testClock } from '../helpers/appeals';

const LIMITS = { perMinute: 5, perHour: 12, botPerMinute: 15, addressPerMinute: 8 };
const clock = testClock('2026-11-20T01:00:00Z');
let s: TestServer;
let alice: string;
let bob: string;
let articleId: string;
let appealIds: string[];

beforeAll(async () => {
  // trustProxy 1: a test names the client's address in X-Forwarded-For.
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { trustProxy: 1, writeRateLimit: LIMITS } });
  // Sign-ins are anonymous writes: each from an address of its own, so they spend no test's budget.
  alice = (await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' }, headers: { 'x-forwarded-for': '198.51.100.1' } })).body.accessToken;
  bob = (await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-02' }, headers: { 'x-forwarded-for': '198.51.100.2' } })).body.accessToken;
  expect(alice && bob).toBeTruthy();
  const feed = await s.api('GET', '/api/v1/news/feed');
  articleId = feed.body.items[0].id;
  appealIds = (await s.models.Appeal.find({ isPublic: true }, { _id: 1 }).limit(3).lean()).map((a) => String(a._id));
  expect(appealIds).toHaveLength(3);
});
afterAll(() => s?.stop());

const like = (token: string) => s.api('PUT', `/api/v1/news/articles/${articleId}/like`, { token });
const writes = (token: string) => [
  () => like(token),
  () => s.api('DELETE', `/api/v1/news/articles/${articleId}/like`, { token }),
  () => s.api('POST', `/api/v1/appeals/${appealIds[0]}/follow`, { token, body: {} }),
  () => s.api('POST', `/api/v1/appeals/${appealIds[1]}/remind`, { token, body: {} }),
  () => s.api('POST', `/api/v1/appeals/${appealIds[2]}/follow`, { token, body: {} }),
];

function expectLimited(res: { status: number; headers: Headers; body: any }, retryAfterSeconds: number, wait: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(retryAfterSeconds));
  expect(res.body.error).toEqual({ code: 'RATE_LIMITED', message: `操作太频繁，请${wait}后再试` });
}

describe('every write route is limited', () => {
  const allRoutes = () => routeGroups(s.ctx).flatMap((g) => g.routes.map((def) => ({ name: `${def.method.toUpperCase()} ${g.prefix}${def.path}`, def })));

  it('each write route of the tables is counted by the default limit or names its own', () => {
    // Catches: a new write route that opts out of the default limit without naming the limit that
    // replaces it (`limit: { own: '' }`), or a read counted as a write.
    const unlimited = allRoutes()
      .filter(({ def }) => isWrite(def) && !usesDefaultWriteLimit(def) && !(typeof def.limit === 'object' && def.limit.own.trim().length > 0))
      .map((r) => r.name);
    expect(unlimited).toEqual([]);
    expect(allRoutes().filter(({ def }) => !isWrite(def) && usesDefaultWriteLimit(def))).toEqual([]);
    expect(allRoutes().filter(({ def }) => isWrite(def)).length).toBeGreaterThan(50);
  });

  it('mountRoutes runs the write limit of every default-limited write route, after the access check and before input and handler', async () => {
    // Catches: the kit skipping the limiter for some methods (PUT, DELETE) or access kinds (bot,
    // public), or counting after the handler has already written.
    const mounted: { method: string; path: string; handler: (req: Request, res: Response) => Promise<void> }[] = [];
    const router = new Proxy({}, { get: (_t, method: string) => (path: string, handler: never) => mounted.push({ method, path, handler }) }) as unknown as Router;
    const defs = allRoutes().filter(({ def }) => usesDefaultWriteLimit(def));
    mountRoutes(router, defs.map((d) => d.def), { limitWrite: async (_req, user) => { throw Object.assign(new Error('limited'), { user }); } });
    expect(mounted).toHaveLength(defs.length);
    const admin: AuthUser = { id: 'a', name: 'admin', roles: ['admin'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null };
    const resident: AuthUser = { ...admin, roles: ['resident'] };
    const callerFor = (def: RouteDef) => (def.access === 'public' ? null : def.access === 'bot' ? BOT_USER : def.access === 'user' ? resident : admin);
    for (const [i, m] of mounted.entries()) {
      const user = callerFor(defs[i].def);
      // No params, query or body: a handler or validation that ran first would fail differently.
      await expect(m.handler({ user, params: {}, query: {}, body: undefined } as unknown as Request, {} as Response)).rejects.toMatchObject({ message: 'limited', user });
    }
    // The access check comes first: a refused caller spends nothing.
    const adminOnly = defs.findIndex(({ def }) => Array.isArray(def.access));
    await expect(mounted[adminOnly].handler({ user: resident } as unknown as Request, {} as Response)).rejects.toMatchObject({ status: 403 });
  });
});

describe('per account', () => {
  it('a resident writing past the minute gets 429 with Retry-After and a Chinese message; another resident writes on', async () => {
    // Catches: likes, follows and 催办 without a limit (one account flooding the database), a
    // limit shared across accounts (one resident's flood locking out the owner of another), or
    // reads counted as writes.
    clock.set('2026-11-20T02:10:20Z');
    for (const w of writes(alice)) expect((await w()).status).not.toBe(429);
    expectLimited(await like(alice), 40, '40秒');
    expectLimited(await writes(alice)[3](), 40, '40秒');
    // Reads are not counted; the other resident and the refused one's next minute are untouched.
    expect((await s.api('GET', `/api/v1/appeals/${appealIds[0]}`, { token: alice })).status).toBe(200);
    expect((await like(bob)).status).toBe(200);
    clock.set('2026-11-20T02:11:00Z');
    expect((await like(alice)).status).toBe(200);
  });

  it('photo uploads, mounted outside the route tables, take the same limit before their body is read', async () => {
    // Catches: uploads left out of the default write limit (only the daily photo quota behind them).
    const upload = (token: string) =>
      fetch(`${s.url}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=xr' }, body: '--xr--\r\n' });
    clock.set('2026-11-20T02:20:20Z');
    for (let i = 0; i < LIMITS.perMinute; i++) expect((await like(alice)).status).toBe(200);
    const refused = await upload(alice);
    expectLimited({ status: refused.status, headers: refused.headers, body: await refused.json() }, 40, '40秒');
    // Another account's upload goes on to the upload itself (refused there for its empty body).
    const other = await upload(bob);
    expect([other.status, ((await other.json()) as { error: { code: string } }).error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('an account has an hour budget too, and a refused write does not spend it', async () => {
    // Catches: a script writing just under the minute limit all hour long, and refused attempts
    // counted (a client retrying in a loop would lose its whole hour to one busy minute).
    const carol = (await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-03' }, headers: { 'x-forwarded-for': '198.51.100.3' } })).body.accessToken;
    clock.set('2026-11-20T03:00:00Z');
    for (let i = 0; i < LIMITS.perMinute; i++) expect((await like(carol)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await like(carol)).status).toBe(429); // refused: not counted
    clock.set('2026-11-20T03:01:00Z');
    for (let i = 0; i < LIMITS.perMinute; i++) expect((await like(carol)).status).toBe(200);
    clock.set('2026-11-20T03:02:00Z');
    for (let i = 0; i < LIMITS.perHour - 2 * LIMITS.perMinute; i++) expect((await like(carol)).status).toBe(200);
    expectLimited(await like(carol), 58 * 60, '58分钟');
    clock.set('2026-11-20T04:00:00Z');
    expect((await like(carol)).status).toBe(200);
  });
});

describe('the bot account', () => {
  it('has its own, higher budget, apart from every resident', async () => {
    // Catches: the bot (which drains the outbox for every group chat) held to a resident's limit,
    // or to none at all, or sharing a budget with residents.
    clock.set('2026-11-20T05:00:30Z');
    const claim = () => s.api('POST', '/api/v1/bot/outbox/claim', { token: TEST_BOT_TOKEN, body: { owner: 'bot-1', limit: 1, leaseSeconds: 60 } });
    for (let i = 0; i < LIMITS.botPerMinute; i++) expect((await claim()).status).toBe(200);
    expectLimited(await claim(), 30, '30秒');
    expect((await like(alice)).status).toBe(200);
    clock.set('2026-11-20T05:01:00Z');
    expect((await claim()).status).toBe(200);
  });
});

describe('anonymous writes', () => {
  it('are limited per client address, and one address never spends another one or an account', async () => {
    // Catches: anonymous writes (refresh, sign-out with made-up tokens) without any limit, or a
    // per-address budget that is global (one flooding address locking every resident out of
    // signing in) or that a signed-in account on the same address shares.
    clock.set('2026-11-20T06:00:15Z');
    const refresh = (ip: string) => s.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x'.repeat(40) }, headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < LIMITS.addressPerMinute; i++) expect((await refresh('203.0.113.7')).status).toBe(401);
    expectLimited(await refresh('203.0.113.7'), 45, '45秒');
    expect((await refresh('203.0.113.8')).status).toBe(401);
    expect((await s.api('PUT', `/api/v1/news/articles/${articleId}/like`, { token: bob, headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
    clock.advance(MINUTE);
    expect((await refresh('203.0.113.7')).status).toBe(401);
    // Counters hold a keyed hash of the address, never the address.
    const keys = (await s.models.RateWindow.find({ _id: /^write:addr:/ }).lean()).map((w) => String(w._id));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(/^write:addr:[0-9a-f]{32}\|\d+$/);
  });
});

/**
 * Login rate limits on the shared database limiter: per client address for every sign-in, per
 * account for password sign-in. The clock is the server's own (`now`), so windows never straddle
 * a real minute boundary mid-test.
 */
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO_PASSWORD } from '../../server/seed/demo-county';
import { ACCOUNT_LOGIN_LIMIT, addressBucket } from '../../server/auth/login-limits';

let s: TestServer;
// 08:01:00 is one minute into a 15-minute window (ends 08:15) and at the start of a minute window.
let clock = Date.parse('2026-11-26T08:01:00.000Z');
const PER_ADDRESS = 3;

beforeAll(async () => {
  // TRUST_PROXY=1 so each attempt can come from its own address (the one the proxy appends).
  s = await startTestServer({ now: () => new Date(clock), config: { trustProxy: 1, loginRateLimitPerMinute: PER_ADDRESS } });
});
afterAll(() => s?.stop());

let nextHost = 1;
/** A request from a fresh address, as a proxy in front of the server would report it. */
const fromNewAddress = () => ({ 'x-forwarded-for': `198.51.100.${nextHost++}` });
const passwordLogin = (username: string, password: string, headers: Record<string, string> = fromNewAddress()) =>
  s.api('POST', '/api/v1/auth/password-login', { body: { username, password }, headers });

describe('per account (password login)', () => {
  it('limits failed attempts against one account from many addresses, and refuses even the right password until the window ends', async () => {
    clock = Date.parse('2026-11-26T08:01:00.000Z');
    // Catches a limit kept per address only: each guess below comes from another address.
    // Upper and lower case count as one account (usernames are case-insensitive).
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.limit; i++) {
      const res = await passwordLogin(i % 2 ? 'Dongcheng' : 'dongcheng', `guess-${i}`);
      expect(res.status).toBe(401);
    }
    const limited = await passwordLogin('dongcheng', 'guess-x');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.message).toBe('该账号登录尝试次数过多，已暂时锁定，请 14 分钟后再试');
    expect(limited.headers.get('retry-after')).toBe('840');

    // Catches a limit that only counts failures after checking the password: then a guesser
    // would learn the right password from a 200 during the lock.
    clock = Date.parse('2026-11-26T08:14:59.000Z');
    const right = await passwordLogin('dongcheng', DEMO_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBe('1');

    // Catches a lock that never ends (the real user locked out for good): the window is fixed.
    clock = Date.parse('2026-11-26T08:15:00.000Z');
    const after = await passwordLogin('dongcheng', DEMO_PASSWORD);
    expect(after.status).toBe(200);
    expect(after.body.user.name).toBeTruthy();
  });

  it('limits unknown usernames the same way, so the 429 does not reveal which accounts exist', async () => {
    // Catches an account limit applied only to existing users (an enumeration oracle).
    clock = Date.parse('2026-11-26T09:01:00.000Z');
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.limit; i++) expect((await passwordLogin('no-such-user', 'x')).status).toBe(401);
    const limited = await passwordLogin('no-such-user', 'x');
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toBe('该账号登录尝试次数过多，已暂时锁定，请 14 分钟后再试');
  });

  it('keeps other accounts open while one is locked', async () => {
    // Catches one global counter shared by every account.
    clock = Date.parse('2026-11-26T10:01:00.000Z');
    for (let i = 0; i <= ACCOUNT_LOGIN_LIMIT.limit; i++) await passwordLogin('xicheng', 'wrong');
    expect((await passwordLogin('xicheng', DEMO_PASSWORD)).status).toBe(429);
    expect((await passwordLogin('nanmen', DEMO_PASSWORD)).status).toBe(200);
  });
});

describe('per address (every sign-in)', () => {
  it('limits sign-ins from one address per minute across the login routes, with Retry-After', async () => {
    // Catches the login routes left unlimited (the old per-process limiter was removed from app.ts)
    // and a limit kept per route, which would give an address three budgets.
    clock = Date.parse('2026-11-26T11:00:20.000Z');
    const one = { 'x-forwarded-for': '203.0.113.50' };
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: one })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'abc' }, headers: one })).status).toBe(200);
    expect((await passwordLogin('nanmen', DEMO_PASSWORD, one)).status).toBe(200);
    for (const [path, body] of [
      ['/api/v1/auth/dev-login', { openid: 'demo-resident-05' }],
      ['/api/v1/auth/wechat-login', { code: 'abc' }],
      ['/api/v1/auth/password-login', { username: 'nanmen', password: DEMO_PASSWORD }],
    ] as const) {
      const res = await s.api('POST', path, { body, headers: one });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      expect(res.body.error.message).toBe('登录尝试过于频繁，请 40 秒后再试');
      expect(res.headers.get('retry-after')).toBe('40');
    }
    // Another address is not affected; the same one is served again in the next minute.
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: { 'x-forwarded-for': '203.0.113.51' } })).status).toBe(200);
    clock = Date.parse('2026-11-26T11:01:00.000Z');
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: one })).status).toBe(200);
  });

  it('does not charge the account for attempts its address limit already refused', async () => {
    // Catches counting the account before the address: one blocked address hammering away would
    // keep the account locked for everyone.
    clock = Date.parse('2026-11-26T12:00:00.000Z');
    const one = { 'x-forwarded-for': '203.0.113.60' };
    for (let i = 0; i < PER_ADDRESS; i++) expect((await passwordLogin('yangliu', 'wrong', one)).status).toBe(401);
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.limit; i++) expect((await passwordLogin('yangliu', 'wrong', one)).status).toBe(429);
    expect((await passwordLogin('yangliu', DEMO_PASSWORD)).status).toBe(200);
  });
});

describe('stored counters', () => {
  it('name neither usernames nor addresses', async () => {
    // Catches personal data in the rate-limit collection (usernames, client addresses in clear).
    const ids = (await s.ctx.models.RateWindow.find({}).lean()).map((w) => String(w._id));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^login:(addr|account):[0-9a-f]{32}\|\d+$/);
  });
});

describe('address buckets', () => {
  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    // Catches per-address limits a client with a /64 could reset by changing its address.
    expect(addressBucket('2001:db8:1:2::5')).toBe(addressBucket('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressBucket('2001:db8:1:2::5')).not.toBe(addressBucket('2001:db8:1:3::5'));
    expect(addressBucket('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
  });
});

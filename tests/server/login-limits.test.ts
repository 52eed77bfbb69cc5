/**
 * Login limits on the shared database limiter: per client address for every sign-in; for password
 * sign-in, failures per account and address, and per account from all addresses, made to stop the
 * guesser without locking the owner out. The clock is the server's own (`now`), so windows never
 * straddle a real boundary mid-test; each test starts in an hour of its own (fresh windows).
 */
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO_PASSWORD } from '../../common/demo-county';
import { ACCOUNT_FAILURE_THRESHOLD, addressBucket, maskedAddress, PAIR_FAILURE_LIMIT } from '../../server/auth/login-limits';

let s: TestServer;
// 08:01:00 is one minute into a 15-minute window (ends 08:15) and at the start of a minute window.
let clock = Date.parse('2026-11-26T08:01:00.000Z');
const PER_ADDRESS = 100;

beforeAll(async () => {
  // TRUST_PROXY=1 so each attempt can come from its own address (the one the proxy appends).
  s = await startTestServer({ now: () => new Date(clock), config: { trustProxy: 1, loginRateLimitPerMinute: PER_ADDRESS } });
});
afterAll(() => s?.stop());

let nextHost = 1;
/** A request from a fresh address, as a proxy in front of the server would report it. */
const fromNewAddress = () => ({ 'x-forwarded-for': `198.51.100.${nextHost++}` });
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const passwordLogin = (username: string, password: string, headers: Record<string, string> = fromNewAddress()) =>
  s.api('POST', '/api/v1/auth/password-login', { body: { username, password }, headers });
const PAIR_MESSAGE = '该账号在当前网络密码错误次数过多，请 14 分钟后再试';

describe('per account and address (password login)', () => {
  it('after 5 failures refuses that address on that account, the right password included, until the window ends', async () => {
    clock = Date.parse('2026-11-26T08:01:00.000Z');
    const guesser = from('203.0.113.10');
    // Upper and lower case count as one account (usernames are case-insensitive).
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) expect((await passwordLogin(i % 2 ? 'Dongcheng' : 'dongcheng', `guess-${i}`, guesser)).status).toBe(401);
    const limited = await passwordLogin('dongcheng', 'guess-x', guesser);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.message).toBe(PAIR_MESSAGE);
    expect(limited.headers.get('retry-after')).toBe('840');

    // Catches a limit that checks the password first: a guesser would learn it from a 200.
    clock = Date.parse('2026-11-26T08:14:59.000Z');
    const right = await passwordLogin('dongcheng', DEMO_PASSWORD, guesser);
    expect([right.status, right.headers.get('retry-after')]).toEqual([429, '1']);
    // Another account from the same address is not affected.
    expect((await passwordLogin('nanmen', DEMO_PASSWORD, guesser)).status).toBe(200);

    // Catches a lock that never ends: the window is fixed.
    clock = Date.parse('2026-11-26T08:15:00.000Z');
    expect((await passwordLogin('dongcheng', DEMO_PASSWORD, guesser)).status).toBe(200);
  });

  // Catches: one address's guessing locking the account for everyone (the old per-account lock:
  // ten wrong passwords from anywhere kept admin out, the right password included).
  it('an attacker address with 50 attempts does not stop the owner, who signs in from another address; the attacker gets 429 with Retry-After', async () => {
    clock = Date.parse('2026-11-26T09:01:00.000Z');
    const attacker = from('203.0.113.66');
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await passwordLogin('admin', `guess-${i}`, attacker)).status);
    expect(statuses).toEqual([...Array<number>(PAIR_FAILURE_LIMIT).fill(401), ...Array<number>(50 - PAIR_FAILURE_LIMIT).fill(429)]);

    const owner = await passwordLogin('admin', DEMO_PASSWORD, from('192.0.2.7'));
    expect(owner.status).toBe(200);
    expect(owner.body.user.roles).toContain('admin');

    const still = await passwordLogin('admin', DEMO_PASSWORD, attacker);
    expect(still.status).toBe(429);
    expect(Number(still.headers.get('retry-after'))).toBe(840);
  });

  it('limits unknown usernames the same way, so the 429 does not reveal which accounts exist', async () => {
    // Catches a limit applied only to existing users (an enumeration oracle).
    clock = Date.parse('2026-11-26T10:01:00.000Z');
    const guesser = from('203.0.113.20');
    for (let i = 0; i < PAIR_FAILURE_LIMIT; i++) expect((await passwordLogin('no-such-user', 'x', guesser)).status).toBe(401);
    const limited = await passwordLogin('no-such-user', 'x', guesser);
    expect([limited.status, limited.body.error.message]).toEqual([429, PAIR_MESSAGE]);
  });
});

describe('per account from all addresses', () => {
  // Catches: a guesser spread over many addresses getting five tries from each, without end.
  it('after 20 failures, addresses that failed wait while fresh addresses still sign in with the right password', async () => {
    clock = Date.parse('2026-11-26T11:01:00.000Z');
    const botnet = Array.from({ length: ACCOUNT_FAILURE_THRESHOLD }, (_, i) => from(`203.0.114.${i + 1}`));
    for (const address of botnet) expect((await passwordLogin('xicheng', 'guess', address)).status).toBe(401);

    // Under attack: an address that already failed once may not try again this window.
    const again = await passwordLogin('xicheng', DEMO_PASSWORD, botnet[0]);
    expect(again.status).toBe(429);
    expect(again.body.error.message).toBe('该账号近期登录失败次数过多，当前网络请 14 分钟后再试');
    expect(again.headers.get('retry-after')).toBe('840');
    // A fresh address gets one try: the owner's right password signs in; a guess is its last.
    expect((await passwordLogin('xicheng', DEMO_PASSWORD, from('192.0.2.20'))).status).toBe(200);
    const fresh = from('203.0.114.200');
    expect((await passwordLogin('xicheng', 'guess', fresh)).status).toBe(401);
    expect((await passwordLogin('xicheng', DEMO_PASSWORD, fresh)).status).toBe(429);
    // Other accounts are not under attack.
    expect((await passwordLogin('qingshi', 'typo', botnet[1])).status).toBe(401);
    expect((await passwordLogin('qingshi', DEMO_PASSWORD, botnet[1])).status).toBe(200);
  });
});

describe('per address (every sign-in)', () => {
  it('limits sign-ins from one address per minute across the login routes, with Retry-After', async () => {
    // Catches the login routes left unlimited and a limit kept per route, which would give an
    // address three budgets.
    clock = Date.parse('2026-11-26T12:00:20.000Z');
    const one = from('203.0.113.50');
    for (let i = 0; i < PER_ADDRESS - 3; i++) expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: one })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'abc' }, headers: one })).status).toBe(200);
    expect((await passwordLogin('nanmen', DEMO_PASSWORD, one)).status).toBe(200);
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: one })).status).toBe(200);
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
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: from('203.0.113.51') })).status).toBe(200);
    clock = Date.parse('2026-11-26T12:01:00.000Z');
    expect((await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-05' }, headers: one })).status).toBe(200);
  });

  it('does not count attempts its address limit already refused as failures', async () => {
    // Catches counting failures before the address limit: a blocked address hammering away
    // would pile up failures on the account.
    clock = Date.parse('2026-11-26T13:00:00.000Z');
    const one = from('203.0.113.60');
    for (let i = 0; i < PER_ADDRESS - 2; i++) await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-06' }, headers: one });
    for (let i = 0; i < 2; i++) expect((await passwordLogin('yangliu', 'wrong', one)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await passwordLogin('yangliu', 'wrong', one)).status).toBe(429);
    clock = Date.parse('2026-11-26T13:01:00.000Z');
    // Two failures counted, not twelve: three more wrong passwords are still answered 401.
    for (let i = 0; i < PAIR_FAILURE_LIMIT - 2; i++) expect((await passwordLogin('yangliu', 'wrong', one)).status).toBe(401);
    expect((await passwordLogin('yangliu', DEMO_PASSWORD, one)).status).toBe(429);
  });
});

describe('the admin’s view of failed sign-ins', () => {
  it('lists recent failures per account and masked address, newest first, for admins only, for a day', async () => {
    // Catches: an admin who cannot see that an account is under attack (the issue's "the
    // workbench shows an admin the recent failed attempts"), and addresses shown in full.
    clock = Date.parse('2026-11-27T08:00:00.000Z');
    for (let i = 0; i < 3; i++) await passwordLogin('taoyuan', 'wrong', from('203.0.113.77'));
    clock = Date.parse('2026-11-27T08:05:00.000Z');
    await passwordLogin('ghost', 'x', from('2001:db8:1:2::5'));
    const admin = await s.staffToken('admin');
    const res = await s.api('GET', '/api/v1/auth/failed-logins', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.policy).toEqual({ windowMinutes: 15, perAddressLimit: PAIR_FAILURE_LIMIT, accountThreshold: ACCOUNT_FAILURE_THRESHOLD });
    expect(res.body.items.slice(0, 2)).toEqual([
      { username: 'ghost', accountExists: false, address: '2001:db8:1::/48', count: 1, firstAt: '2026-11-27T08:05:00.000Z', lastAt: '2026-11-27T08:05:00.000Z' },
      { username: 'taoyuan', accountExists: true, address: '203.0.113.*', count: 3, firstAt: '2026-11-27T08:00:00.000Z', lastAt: '2026-11-27T08:00:00.000Z' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('203.0.113.77');
    expect((await s.api('GET', '/api/v1/auth/failed-logins', { token: await s.staffToken('dongcheng') })).status).toBe(403);

    // A day after the last failure a pair is gone.
    clock = Date.parse('2026-11-28T08:04:00.000Z');
    const later = await s.api('GET', '/api/v1/auth/failed-logins', { token: admin });
    expect(later.body.items.map((i: { username: string }) => i.username)).toEqual(['ghost']);
  });
});

describe('stored counters', () => {
  it('name neither usernames nor addresses, and the failure records only masked addresses', async () => {
    // Catches personal data in the rate-limit collection (usernames, client addresses in clear).
    const ids = (await s.models.RateWindow.find({}).lean()).map((w) => String(w._id));
    expect(ids.length).toBeGreaterThan(0);
    // Sign-ins count against the default write limit per address too (core/rate-limit/write-limits.ts).
    for (const id of ids) expect(id).toMatch(/^(login:(addr|fail):[0-9a-f]{32}(:[0-9a-f]{32})?|write:addr:[0-9a-f]{32}|write:user:[0-9a-f]{24}:[mh])\|\d+$/);
    for (const f of await s.models.LoginFailure.find({}).lean()) {
      expect(f._id).toMatch(/^[0-9a-f]{32}:[0-9a-f]{32}$/);
      expect(f.address).toMatch(/^(\d+\.\d+\.\d+\.\*|[0-9a-f:]+::\/48)$/);
    }
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

  it('masks addresses for the admin’s view', () => {
    expect(maskedAddress('203.0.113.9')).toBe('203.0.113.*');
    expect(maskedAddress('::ffff:203.0.113.9')).toBe('203.0.113.*');
    expect(maskedAddress('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1::/48');
    expect(maskedAddress(undefined)).toBe('未知');
  });
});

/**
 * TRUST_PROXY decides which address the per-address login limit counts (`req.ip`): a spoofed
 * X-Forwarded-For must not reset it, and clients behind one proxy must not share one bucket.
 */
import { ConfigError, loadConfig } from '../../server/core/config';
import { startTestServer, type TestServer } from '../helpers/server';

const LIMIT = 2;
// The start of a minute window, so the few attempts of a test never straddle two windows.
let clock = Date.parse('2026-11-26T08:00:00.000Z');
const now = () => new Date(clock);

const devLogin = (s: TestServer, xff?: string) =>
  s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' }, headers: xff ? { 'x-forwarded-for': xff } : {} });

/** Uses the address's whole budget, then one more attempt: the status of that extra attempt. */
async function exhaust(s: TestServer, xffFor: (i: number) => string | undefined): Promise<number> {
  for (let i = 0; i < LIMIT; i++) expect((await devLogin(s, xffFor(i))).status).toBe(200);
  return (await devLogin(s, xffFor(LIMIT))).status;
}

describe('TRUST_PROXY=1 (one proxy in front, hop count)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ seed: false, now, config: { trustProxy: 1, loginRateLimitPerMinute: LIMIT } });
  });
  afterAll(() => s?.stop());

  it('a client that sends its own X-Forwarded-For cannot reset its limit', async () => {
    // Catches trusting every X-Forwarded-For entry (trust proxy = true) or the leftmost one: the
    // changing first entry is the client's own, the last is the one the proxy appended.
    clock = Date.parse('2026-11-26T08:00:00.000Z');
    const status = await exhaust(s, (n) => `1.2.3.${n}, 203.0.113.7`);
    expect(status).toBe(429);
  });

  it('two clients behind the proxy get separate buckets', async () => {
    // Catches counting the proxy's own (socket) address: the whole county would share one bucket.
    clock = Date.parse('2026-11-26T08:01:00.000Z');
    expect(await exhaust(s, () => '203.0.113.7')).toBe(429);
    expect((await devLogin(s, '203.0.113.8')).status).toBe(200);
    expect((await devLogin(s, '1.2.3.4, 203.0.113.8')).status).toBe(200);
  });

  it('an IPv6 client cannot reset its limit by changing addresses within its /64', async () => {
    // Catches per-address keys on the full IPv6 address.
    clock = Date.parse('2026-11-26T08:02:00.000Z');
    expect(await exhaust(s, (n) => `2001:db8:7:7::${n + 1}`)).toBe(429);
  });
});

describe('TRUST_PROXY=false', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ seed: false, now, config: { trustProxy: false, loginRateLimitPerMinute: LIMIT } });
  });
  afterAll(() => s?.stop());

  it('uses the socket address and ignores X-Forwarded-For', async () => {
    // Catches believing X-Forwarded-For without a proxy in front: every request would be a new client.
    clock = Date.parse('2026-11-26T08:00:00.000Z');
    expect(await exhaust(s, (n) => `198.51.100.${n}`)).toBe(429);
    expect((await devLogin(s)).status).toBe(429);
  });
});

describe('TRUST_PROXY as an address list', () => {
  let s: TestServer;
  beforeAll(async () => {
    // The test client connects from 127.0.0.1, which stands for the proxy here.
    s = await startTestServer({ seed: false, now, config: { trustProxy: ['loopback'], loginRateLimitPerMinute: LIMIT } });
  });
  afterAll(() => s?.stop());

  it('counts the address the trusted proxy appended, not the one the client wrote', async () => {
    // Catches a list that is not passed to Express (X-Forwarded-For ignored or fully trusted).
    clock = Date.parse('2026-11-26T08:00:00.000Z');
    expect(await exhaust(s, (n) => `10.9.9.${n}, 203.0.113.20`)).toBe(429);
    expect((await devLogin(s, '203.0.113.21')).status).toBe(200);
  });
});

describe('TRUST_PROXY parsing (loadConfig)', () => {
  const parse = (value: string | undefined) => loadConfig({ TRUST_PROXY: value }).trustProxy;

  it('accepts a hop count, false, and lists of addresses, CIDR ranges and named ranges', () => {
    // Catches a parser that turns "1" into the string "1" (Express would then trust an address named 1).
    expect(parse(undefined)).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('0')).toBe(false);
    expect(parse('1')).toBe(1);
    expect(parse('2')).toBe(2);
    expect(parse('10.0.0.0/8, 192.168.1.10,loopback, fd00::/8, 2001:db8::1')).toEqual(['10.0.0.0/8', '192.168.1.10', 'loopback', 'fd00::/8', '2001:db8::1']);
  });

  it('refuses true with a message that says why and what to give instead', () => {
    // Catches TRUST_PROXY=true passed on to Express: any client could then name its own address.
    expect(() => parse('true')).toThrow(ConfigError);
    expect(() => parse('true')).toThrow(/TRUST_PROXY: true would trust any X-Forwarded-For .*number of proxies/);
  });

  it('refuses entries that are neither addresses nor ranges', () => {
    // Catches a list passed through unchecked (Express would silently never match it).
    expect(() => parse('10.0.0.0/33')).toThrow(/TRUST_PROXY: "10.0.0.0\/33" is not/);
    expect(() => parse('proxy.internal')).toThrow(/TRUST_PROXY: "proxy.internal" is not/);
    expect(() => parse('10.0.0.1, ')).toThrow(ConfigError);
  });
});

import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { rateLimiter, type RateLimit } from '../core/rate-limit/limiter';

/**
 * Sign-in attempts per password account: every attempt counts (a correct password too), so a
 * guesser spread over many addresses gets at most this many tries per window, and a correct
 * password found after the limit is still refused until the window ends. The window is fixed, so
 * the real user is never locked out for longer than one window after an attack stops.
 */
export const ACCOUNT_LOGIN_LIMIT = { limit: 10, windowMs: 15 * 60 * 1000 };
const ADDRESS_WINDOW_MS = 60 * 1000;

/**
 * The bucket of a client address: an IPv4 address as is (IPv4-mapped IPv6 unwrapped), an IPv6
 * address by its /64 prefix (one subscriber usually holds a whole /64 and could otherwise take a
 * fresh address for every attempt).
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address (without leading zeros), `::` and a trailing dotted quad expanded. */
function ipv6Groups(ip: string): string[] {
  const hex = (part: string) =>
    part
      .split(':')
      .filter((g) => g !== '')
      .flatMap((g) => (g.includes('.') ? ((n) => [(n[0] << 8) | n[1], (n[2] << 8) | n[3]].map((x) => x.toString(16)))(g.split('.').map(Number)) : [g]));
  const [head, tail] = ip.split('%')[0].toLowerCase().split('::');
  const left = hex(head);
  const right = tail === undefined ? [] : hex(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Minutes or seconds, in words a user reads at a glance. */
function waitText(seconds: number): string {
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds} 秒`;
}

/**
 * Login limits on the shared database limiter (every server process counts against one budget):
 * per client address for every sign-in, and per account for password sign-in. The address is
 * `req.ip`, which honours TRUST_PROXY. Keys hold keyed hashes (HMAC with the JWT secret), not
 * addresses or usernames: a plain hash of an IPv4 address is undone by trying all 2^32.
 */
export function loginLimits(ctx: AppContext) {
  const digest = (s: string) => createHmac('sha256', ctx.config.jwtSecret).update(s).digest('hex').slice(0, 32);
  const limiter = rateLimiter(ctx.models.RateWindow, ctx.now);
  const perAddress = (ip: string | undefined): RateLimit => ({
    key: `login:addr:${digest(addressBucket(ip))}`,
    limit: ctx.config.loginRateLimitPerMinute,
    windowMs: ADDRESS_WINDOW_MS,
  });
  const perAccount = (username: string): RateLimit => ({ key: `login:account:${digest(username.trim().toLowerCase())}`, ...ACCOUNT_LOGIN_LIMIT });

  return {
    /** Counts one sign-in attempt from this address; 429 when the address has used its minute. */
    async address(ip: string | undefined): Promise<void> {
      const d = await limiter.hit([perAddress(ip)]);
      if (!d.allowed) throw rateLimited(`登录尝试过于频繁，请 ${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
    },

    /** Counts one password attempt on this account, before the password is checked. */
    async account(username: string): Promise<void> {
      const d = await limiter.hit([perAccount(username)]);
      if (!d.allowed) {
        ctx.logger.warn({ limit: d.exceeded }, 'password attempts on one account exceeded the limit');
        throw rateLimited(`该账号登录尝试次数过多，已暂时锁定，请 ${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
      }
    },
  };
}

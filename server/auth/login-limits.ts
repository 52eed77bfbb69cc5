import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { AppContext } from '../context';
import { isDuplicateKeyError, rateLimited } from '../core/errors';
import { addressBucket, ipv6Groups } from '../core/rate-limit/address';
import { rateLimiter, type RateLimit } from '../core/rate-limit/limiter';
import { authModels } from './model';

/** Per-address limits share one notion of an address (IPv6 by its /64): core/rate-limit/address.ts. */
export { addressBucket };

/**
 * Password sign-in limits, made to stop the guesser without locking the owner out (DESIGN "Limits
 * throttle the attacker, never lock the owner out"). Only failures count, in fixed 15-minute windows:
 * - per account and address: after PAIR_FAILURE_LIMIT failures that address may not try that
 *   account again until the window ends (the right password included, so a guess is never
 *   confirmed by a 200 after the limit);
 * - per account from all addresses: after ACCOUNT_FAILURE_THRESHOLD failures the account is under
 *   attack, and until the window ends every address with a failure on it in the window is refused,
 *   so a spread guesser gets one try per fresh address. An address without failures on the
 *   account (the owner at their desk or on their phone) still signs in with the right password.
 * Every sign-in also counts against the per-address minute (LOGIN_RATE_LIMIT_PER_MINUTE).
 */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const PAIR_FAILURE_LIMIT = 5;
export const ACCOUNT_FAILURE_THRESHOLD = 20;
const ADDRESS_WINDOW_MS = 60 * 1000;
/** Failed attempts stay in the admin's view a day after the last one. */
export const LOGIN_FAILURE_KEEP_MS = 24 * 60 * 60 * 1000;

/** An address as the admin's view shows it: IPv4 by its /24 (`203.0.113.*`), IPv6 by its /48. */
export function maskedAddress(ip: string | undefined): string {
  if (!ip) return '未知';
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+)\.\d+$/i.exec(ip);
  if (v4) return `${v4[1]}.*`;
  if (isIP(ip) !== 6) return '未知';
  return `${ipv6Groups(ip).slice(0, 3).join(':')}::/48`;
}

/** Minutes or seconds, in words a user reads at a glance. */
function waitText(seconds: number): string {
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds} 秒`;
}

/**
 * Login limits on the shared database limiter (every server process counts against one budget).
 * The address is `req.ip`, which honours TRUST_PROXY. Keys hold keyed hashes (HMAC with the JWT
 * secret), not addresses or usernames: a plain hash of an IPv4 address is undone by trying all 2^32.
 */
export function loginLimits(ctx: AppContext) {
  const digest = (s: string) => createHmac('sha256', ctx.config.jwtSecret).update(s).digest('hex').slice(0, 32);
  const limiter = rateLimiter(ctx);
  const { LoginFailure } = authModels(ctx.conn);
  const normal = (username: string) => username.trim().toLowerCase();
  const perAddress = (ip: string | undefined): RateLimit => ({
    key: `login:addr:${digest(addressBucket(ip))}`,
    limit: ctx.config.loginRateLimitPerMinute,
    windowMs: ADDRESS_WINDOW_MS,
  });
  const accountKey = (username: string) => digest(normal(username));
  const failures = (username: string, ip: string | undefined) => ({
    pair: { key: `login:fail:${accountKey(username)}:${digest(addressBucket(ip))}`, limit: PAIR_FAILURE_LIMIT, windowMs: LOGIN_FAILURE_WINDOW_MS },
    account: { key: `login:fail:${accountKey(username)}`, limit: ACCOUNT_FAILURE_THRESHOLD, windowMs: LOGIN_FAILURE_WINDOW_MS },
  });

  return {
    /** Counts one sign-in attempt from this address; 429 when the address has used its minute. */
    async address(ip: string | undefined): Promise<void> {
      const d = await limiter.hit([perAddress(ip)]);
      if (!d.allowed) throw rateLimited(`登录尝试过于频繁，请 ${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
    },

    /** Before the password is checked: 429 when this address may not try this account now. */
    async account(username: string, ip: string | undefined): Promise<void> {
      const f = failures(username, ip);
      const pair = await limiter.check([f.pair]);
      if (!pair.allowed) throw rateLimited(`该账号在当前网络密码错误次数过多，请 ${waitText(pair.retryAfterSeconds)}后再试`, pair.retryAfterSeconds);
      const attacked = await limiter.check([f.account]);
      if (attacked.allowed) return;
      // Under attack: addresses that already failed on this account wait; fresh ones may try.
      const failedHere = await limiter.check([{ ...f.pair, limit: 1 }]);
      if (failedHere.allowed) return;
      ctx.logger.warn({ limit: attacked.exceeded }, 'password failures on one account from many addresses: addresses that failed wait');
      throw rateLimited(`该账号近期登录失败次数过多，当前网络请 ${waitText(failedHere.retryAfterSeconds)}后再试`, failedHere.retryAfterSeconds);
    },

    /** After a wrong password (or an unknown account): counted for the limits and the admin's view. */
    async failed(username: string, ip: string | undefined): Promise<void> {
      const f = failures(username, ip);
      await limiter.hit([f.pair, f.account]);
      const now = ctx.now();
      await LoginFailure.deleteMany({ lastAt: { $lte: new Date(now.getTime() - LOGIN_FAILURE_KEEP_MS) } });
      const _id = `${accountKey(username)}:${digest(addressBucket(ip))}`;
      for (let attempt = 0; ; attempt++) {
        try {
          const updated = await LoginFailure.updateOne({ _id }, { $inc: { count: 1 }, $set: { lastAt: now } });
          if (updated.matchedCount === 0) await LoginFailure.create({ _id, username: normal(username).slice(0, 32), address: maskedAddress(ip), count: 1, firstAt: now, lastAt: now });
          return;
        } catch (err) {
          // Two first failures at once: the loser's insert collides, and it counts as an update.
          if (!isDuplicateKeyError(err) || attempt >= 2) throw err;
        }
      }
    },
  };
}

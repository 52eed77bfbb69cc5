import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import type { AppContext } from '../../context';
import { rateLimited } from '../errors';
import type { AuthUser, WriteLimiter } from '../route';
import { addressBucket } from './address';
import { accountDay, rateLimiter, waitText, type RateDecision, type RateLimit } from './limiter';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/**
 * The default limit of every write route (POST, PATCH, PUT, DELETE of the route tables: core/route.ts
 * `mountRoutes` calls it after the access check, before input validation and the handler), in the
 * shared database limiter, so every server process counts against one budget:
 * - a signed-in account: `writeRateLimit.perMinute` a minute and `perHour` an hour, per account, so
 *   one account's flood never touches another's budget (the owner is never locked out by someone else);
 * - the bot account (its service token, every bot process together): `botPerMinute` a minute: it
 *   drains the outbox and files for whole group chats;
 * - anonymous writes (sign-in, refresh, sign-out) per client address (`req.ip`, so TRUST_PROXY decides
 *   which address counts; IPv6 by its /64): `addressPerMinute` a minute, higher than an account's
 *   because a carrier's NAT puts many residents behind one address.
 * A route's own, stricter limits (appeal filing, comments, sign-in, binding codes) count besides this
 * one; a route that declares `limit: { own: ... }` is counted only by its own.
 * Refused attempts are not counted (`admit`), so a client retrying in a loop past the minute does not
 * also spend its hour. Over a limit: 429, `Retry-After`, 「操作太频繁，请20秒后再试」.
 * An account's minute and hour are counted in its China day's document (limiter.ts `accountDay`),
 * beside its other per-account limits, so a `'joined'` route (an appeal filing) counts this limit
 * and its own in one write (`join`).
 */
export function writeLimits(ctx: Pick<AppContext, 'config' | 'conn' | 'now' | 'logger'>): WriteLimiter {
  const limiter = rateLimiter(ctx);
  const l = ctx.config.writeRateLimit;
  // Keys hold a keyed hash of the address, never the address (a plain hash of IPv4 is undone by trying all).
  const digest = (s: string) => createHmac('sha256', ctx.config.jwtSecret).update(s).digest('hex').slice(0, 32);

  function limitsOf(req: Request, user: AuthUser | null): RateLimit[] {
    if (!user) return [{ key: `write:addr:${digest(addressBucket(req.ip))}`, limit: l.addressPerMinute, windowMs: MINUTE }];
    if (user.roles.includes('bot')) return [{ key: `write:bot:${user.id}`, limit: l.botPerMinute, windowMs: MINUTE }];
    // The minute and the hour counted in the account's day document: one write a request, shared with the route's own per-account limits.
    const day = accountDay(user.id);
    return [
      { key: `write:user:${user.id}:m`, limit: l.perMinute, windowMs: MINUTE, countedIn: day },
      { key: `write:user:${user.id}:h`, limit: l.perHour, windowMs: HOUR, countedIn: day },
    ];
  }

  function refuse(d: RateDecision, req: Request): never {
    ctx.logger.warn({ limit: d.exceeded?.replace(/^write:addr:.*/, 'write:addr'), retryAfterSeconds: d.retryAfterSeconds, method: req.method }, 'write limited');
    throw rateLimited(`操作太频繁，请${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
  }

  const limitWrite: WriteLimiter = async (req, user) => {
    const d = await limiter.admit(limitsOf(req, user));
    if (!d.allowed) refuse(d, req);
  };
  limitWrite.join = (req, user) => {
    const limits = limitsOf(req, user);
    // A limit this process saw spent refuses before the handler, uncounted, as `admit` would.
    const known = limiter.refusedFromMemory(limits);
    if (known) refuse(known, req);
    const keys = new Set(limits.map((x) => x.key));
    // A decision of the route's admit that refused on one of these answers as this limit does; one refused by the route's own limits is the route's to answer.
    return { limits, refuse: (d) => (!d.allowed && d.exceeded && keys.has(d.exceeded) ? refuse(d, req) : undefined) };
  };
  return limitWrite;
}

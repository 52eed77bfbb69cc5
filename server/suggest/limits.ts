import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { rateLimiter, waitText, type RateLimit } from '../core/rate-limit/limiter';
import type { AuthUser } from '../core/route';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
/** A form asks again as the resident types (debounced): generous per minute, bounded per hour. */
export const SUGGEST_PER_MINUTE = 120;
export const SUGGEST_PER_HOUR = 2000;
/**
 * Counted 10 at a time (the limiter's `lease`): a burst of typing costs one database write per 10
 * suggestions, not one each (the write was most of a suggestion's cost at 100 connections). An
 * account may lose up to 9 per minute per server process to blocks claimed and not used.
 */
export const SUGGEST_LEASE_BLOCK = 10;

/**
 * The suggestion's own limit, per account, in the shared database limiter. It is a POST (a text of
 * up to 2000 characters does not belong in a URL, and a URL lands in logs) but it writes nothing,
 * so it is kept out of the default write budget: a resident typing a report must never spend the
 * budget their filing needs. It still costs CPU, so it has a budget of its own, counted in blocks (SUGGEST_LEASE_BLOCK).
 */
export function suggestLimit(ctx: Pick<AppContext, 'conn' | 'now'>) {
  const limiter = rateLimiter(ctx);
  return async (user: AuthUser): Promise<void> => {
    const hour: RateLimit = { key: `suggest:user:${user.id}:h`, limit: SUGGEST_PER_HOUR, windowMs: HOUR };
    const d = await limiter.lease([{ key: `suggest:user:${user.id}:m`, limit: SUGGEST_PER_MINUTE, windowMs: MINUTE, countedIn: hour }, hour], SUGGEST_LEASE_BLOCK);
    if (!d.allowed) throw rateLimited(`操作太频繁，请${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
  };
}

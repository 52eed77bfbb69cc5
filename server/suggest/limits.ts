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
 * The suggestion's own limit, per account, in the shared database limiter. It is a POST (a text of
 * up to 2000 characters does not belong in a URL, and a URL lands in logs) but it writes nothing,
 * so it is kept out of the default write budget: a resident typing a report must never spend the
 * budget their filing needs. It still costs CPU, so it has a budget of its own.
 */
export function suggestLimit(ctx: Pick<AppContext, 'conn' | 'now'>) {
  const limiter = rateLimiter(ctx);
  return async (user: AuthUser): Promise<void> => {
    const hour: RateLimit = { key: `suggest:user:${user.id}:h`, limit: SUGGEST_PER_HOUR, windowMs: HOUR };
    const d = await limiter.hit([{ key: `suggest:user:${user.id}:m`, limit: SUGGEST_PER_MINUTE, windowMs: MINUTE, countedIn: hour }, hour]);
    if (!d.allowed) throw rateLimited(`操作太频繁，请${waitText(d.retryAfterSeconds)}后再试`, d.retryAfterSeconds);
  };
}

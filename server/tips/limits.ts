/**
 * How often a resident may send tips, in the shared database limiter (core/rate-limit), so every
 * server process counts one budget: 10 an hour and 30 a China day per account, as appeals
 * (appeals/limits.ts). Counted only for a new tip: a retry of an accepted key is not. Over it:
 * 429 with `Retry-After` and a Chinese message.
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { CHINA_DAY_OFFSET_MS, rateLimiter, waitText, type RateLimit } from '../core/rate-limit/limiter';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
export const TIP_LIMITS = { perHour: 10, perDay: 30 } as const;

export function tipLimits(ctx: AppContext) {
  const limiter = rateLimiter(ctx);
  // Tests relax every filing limit at once with the appeals' scale (tests/helpers/server.ts).
  const n = (limit: number) => Math.max(1, Math.round(limit * (ctx.config.appealLimitScale ?? 1)));
  return {
    async admit(accountId: Types.ObjectId | string): Promise<void> {
      const key = `tip:send:${String(accountId)}`;
      const day: RateLimit = { key: `${key}:d`, limit: n(TIP_LIMITS.perDay), windowMs: DAY, offsetMs: CHINA_DAY_OFFSET_MS };
      const decision = await limiter.admit([{ key: `${key}:h`, limit: n(TIP_LIMITS.perHour), windowMs: HOUR, countedIn: day }, day]);
      if (decision.allowed) return;
      ctx.logger.warn({ limit: 'tip:send', retryAfterSeconds: decision.retryAfterSeconds }, 'tip sending limited');
      throw rateLimited(`爆料太频繁，请${waitText(decision.retryAfterSeconds)}后再试`, decision.retryAfterSeconds);
    },
  };
}

import { createHash } from 'node:crypto';
import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { CHINA_DAY_OFFSET_MS, rateLimiter, type RateLimit } from '../core/rate-limit/limiter';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Codes are 8 digits: 10^8 possible values. */
export const CODE_DIGITS = 8;
export const CODE_SPACE = 10 ** CODE_DIGITS;
/** A code works for 2 hours after it is issued. */
export const CODE_TTL_MS = 2 * HOUR;

/**
 * How many redemption attempts the bot may make, per speaker (WeChat contact), per group chat and
 * for the whole bot. Every attempt counts, successful or not: the count is taken before the code is
 * looked up, atomically in the shared database, so guesses sent at the same moment (or through
 * several server processes) cannot slip past a limit. An attempt refused by a limit that is already
 * spent is not counted again, so one noisy speaker does not eat the county's budget on their own.
 *
 * Why guessing is hopeless. Live codes are few: one per staff member (contact codes) and one per
 * community (room codes), because a new code cancels the previous one and codes die after 2 h.
 * Take a generous N = 200 live codes in a county. A guess hits one with chance N / 10^8 = 2e-6.
 * - Global budget: at most 60 attempts an hour and 300 a day, whoever sends them, so an attacker
 *   with any number of WeChat accounts and groups gets <= 300 guesses a day, 109,500 a year:
 *   expected successes in a whole year of non-stop guessing <= 109,500 * 2e-6 = 0.22 (with a more
 *   typical N = 10 live codes: 0.011). A code's 2 h life touches at most three hourly windows:
 *   <= 180 guesses while it lives, chance <= 180 / 10^8 = 1.8e-6 of hitting that one code.
 * - The same attack against 6-digit codes would succeed about 100 times a year at N = 200,
 *   hence 8 digits.
 * - Such an attack also spends the global budget, so real bindings are refused with a clear 429
 *   and a warning is logged: it cannot go unnoticed for a year.
 * Per speaker (5 / 10 min, 20 / day) and per group (10 / 10 min, 40 / day) leave room for a few
 * typos by real staff while keeping one account or one group from using up the global budget at once.
 */
export const ATTEMPT_LIMITS = {
  speaker: [
    { limit: 5, windowMs: 10 * MINUTE },
    { limit: 20, windowMs: DAY },
  ],
  room: [
    { limit: 10, windowMs: 10 * MINUTE },
    { limit: 40, windowMs: DAY },
  ],
  global: [
    { limit: 60, windowMs: HOUR },
    { limit: 300, windowMs: DAY },
  ],
} as const;

/** Contact and room ids are personal data: only a hash of them goes into a limiter key. */
const hashId = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 24);

function limitsFor(speakerContactId: string, roomId: string | null): RateLimit[] {
  // A day is a China calendar day, as for every other daily limit (it resets at 00:00, not 08:00).
  const keyed = (key: string, list: readonly { limit: number; windowMs: number }[]) =>
    list.map((l) => ({ key: `${key}:${l.windowMs}`, ...l, ...(l.windowMs === DAY ? { offsetMs: CHINA_DAY_OFFSET_MS } : {}) }));
  return [
    ...keyed(`bind:speaker:${hashId(speakerContactId)}`, ATTEMPT_LIMITS.speaker),
    ...(roomId ? keyed(`bind:room:${hashId(roomId)}`, ATTEMPT_LIMITS.room) : []),
    ...keyed('bind:bot', ATTEMPT_LIMITS.global),
  ];
}

export function bindingAttempts(ctx: AppContext) {
  const limiter = rateLimiter(ctx);

  function refuse(retryAfterSeconds: number, exceeded: string | undefined): never {
    ctx.logger.warn({ limit: exceeded?.replace(/:[0-9a-f]{24}/, ''), retryAfterSeconds }, 'binding code attempts limited');
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    const wait = minutes >= 60 ? `${Math.ceil(minutes / 60)} 小时` : `${minutes} 分钟`;
    throw rateLimited(`绑定码尝试次数过多，请 ${wait}后再试`, retryAfterSeconds);
  }

  return {
    /**
     * Count one redemption attempt by `speakerContactId` (in `roomId`, or a private chat when null)
     * and throw 429 when a limit is spent.
     */
    async admit(speakerContactId: string, roomId: string | null): Promise<void> {
      const limits = limitsFor(speakerContactId, roomId);
      const spent = await limiter.check(limits);
      if (!spent.allowed) refuse(spent.retryAfterSeconds, spent.exceeded);
      const counted = await limiter.hit(limits);
      if (!counted.allowed) refuse(counted.retryAfterSeconds, counted.exceeded);
    },
  };
}

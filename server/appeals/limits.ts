/**
 * How often appeals may be filed and looked up, counted in the shared database limiter
 * (core/rate-limit) so every server process shares one budget. Over a limit: 429 with
 * `Retry-After` and a Chinese message; the bot says it once in that chat and then stays quiet.
 *
 * Filing (counted only when an appeal would be created: a retry of an accepted idempotency key
 * returns the first appeal and is not counted):
 * - a resident filing for themselves (mini-program, or a group member through the bot):
 *   10 an hour and 30 a China day;
 * - staff filing for others (grid workers' 代报 and forwards, dispatchers' 热线代录):
 *   60 an hour and 300 a day;
 * - a group chat: 20 an hour, whoever files in it;
 * - the bot account: 200 an hour, all groups and forwards together.
 * `查询 <编号>` through the bot: 20 an hour per WeChat contact and 60 an hour per group chat,
 * counted before the lookup, so guessing numbers is limited too.
 *
 * Contact and room ids are personal data: limiter keys hold a hash of them.
 *
 * An account's filing limits are counted in its China day's document (limiter.ts `accountDay`),
 * with its default write limit: the filing route hands that limit in (`'joined'`, core/route.ts)
 * and a new filing counts both in one write.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { accountDay, CHINA_DAY_OFFSET_MS, rateLimiter, waitText, type RateDecision, type RateLimit } from '../core/rate-limit/limiter';
import type { JoinedWrite } from '../core/route';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export const APPEAL_LIMITS = {
  resident: { perHour: 10, perDay: 30 },
  staff: { perHour: 60, perDay: 300 },
  room: { perHour: 20 },
  bot: { perHour: 200 },
  queryContact: { perHour: 20 },
  queryRoom: { perHour: 60 },
} as const;

/** Whose budget a filing spends: a resident's own, or staff filing for someone else. */
export type FilerKind = 'resident' | 'staff';

const hashId = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 24);

/** The 429s of the filing limits (not of the route's write limit): a retry of an accepted key never meets them. */
const filingRefusals = new WeakSet<object>();
export const isFilingRefusal = (err: unknown): boolean => typeof err === 'object' && err !== null && filingRefusals.has(err);

export function appealLimits(ctx: AppContext) {
  const limiter = rateLimiter(ctx);
  // Tests relax every limit at once (tests/helpers/server.ts); absent: the numbers above.
  const scale = ctx.config.appealLimitScale ?? 1;
  const n = (limit: number) => Math.max(1, Math.round(limit * scale));
  const perHour = (key: string, limit: number): RateLimit => ({ key: `${key}:h`, limit: n(limit), windowMs: HOUR });
  const perDay = (key: string, limit: number): RateLimit => ({ key: `${key}:d`, limit: n(limit), windowMs: DAY, offsetMs: CHINA_DAY_OFFSET_MS });

  function refuse(decision: RateDecision, what: '提交' | '查询'): never {
    ctx.logger.warn({ limit: decision.exceeded?.replace(/:[0-9a-f]{24}/, ''), retryAfterSeconds: decision.retryAfterSeconds }, `appeal ${what === '提交' ? 'filing' : 'lookup'} limited`);
    const err = rateLimited(`${what}太频繁，请${waitText(decision.retryAfterSeconds)}后再试`, decision.retryAfterSeconds);
    if (what === '提交') filingRefusals.add(err);
    throw err;
  }

  async function admit(limits: RateLimit[], what: '提交' | '查询', write?: JoinedWrite): Promise<void> {
    if (!write) {
      const decision = await limiter.admit(limits);
      if (!decision.allowed) refuse(decision, what);
      return;
    }
    let decision: RateDecision | undefined;
    try {
      decision = await limiter.admit([...limits, ...write.limits]);
    } finally {
      // Counted (or the count failed, and the request with it): the kit does not count the write limit again.
      write.counted(decision);
    }
    if (!decision.allowed) refuse(decision, what);
  }

  return {
    /** The limits of one account's filings. */
    account(kind: FilerKind, accountId: Types.ObjectId | string): RateLimit[] {
      const key = `appeal:file:${kind}:${String(accountId)}`;
      const l = APPEAL_LIMITS[kind];
      // The hour and the day counted in the account's day document (China hours nest in China
      // days), with the account's default write limit: one write a filing from the form.
      const host = accountDay(String(accountId));
      return [
        { ...perHour(key, l.perHour), countedIn: host },
        { ...perDay(key, l.perDay), countedIn: host },
      ];
    },
    room: (roomId: string): RateLimit[] => [perHour(`appeal:file:room:${hashId(roomId)}`, APPEAL_LIMITS.room.perHour)],
    bot: (): RateLimit[] => [perHour('appeal:file:bot', APPEAL_LIMITS.bot.perHour)],

    /**
     * Counts one filing against `limits`; 429 when one is spent (a refused filing is not counted).
     * `write`: the request's default write limit (a `'joined'` route), counted in the same write;
     * refused by it, the write limit's 429.
     */
    admitFiling: (limits: RateLimit[], write?: JoinedWrite) => admit(limits, '提交', write),

    /**
     * Takes one filing back from `limits` (not the route's write limit, which a retry spends too):
     * a retry that was admitted as a new filing before its key's first appeal was found.
     */
    giveBackFiling: (limits: RateLimit[]): Promise<void> => limiter.giveBack(limits),

    /** 429 when one of `limits` is already spent, without counting (before work a filing needs). */
    async precheckFiling(limits: RateLimit[]): Promise<void> {
      const spent = await limiter.check(limits);
      if (!spent.allowed) refuse(spent, '提交');
    },

    /** Counts one `查询` by a contact (in a group chat, or privately when `roomId` is null). */
    admitQuery(contactId: string, roomId: string | null): Promise<void> {
      const limits = [perHour(`appeal:query:contact:${hashId(contactId)}`, APPEAL_LIMITS.queryContact.perHour)];
      if (roomId) limits.push(perHour(`appeal:query:room:${hashId(roomId)}`, APPEAL_LIMITS.queryRoom.perHour));
      return admit(limits, '查询');
    },
  };
}
export type AppealLimits = ReturnType<typeof appealLimits>;

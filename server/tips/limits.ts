/**
 * How often tips may be sent, in the shared database limiter (core/rate-limit), so every server
 * process counts one budget:
 * - a resident's account: 10 an hour and 30 a China day, as appeals (appeals/limits.ts), whether
 *   they send from the mini-program or from a WeChat contact linked to the account;
 * - a WeChat contact through the bot (`#爆料`): the same 10 an hour and 30 a day;
 * - a group chat: 20 an hour, whoever sends in it;
 * - an editor moving tips into the appeal loop (转为诉求): the budget of staff filing for others
 *   (appeals/limits.ts: 60 an hour, 300 a day), counted by the appeals' filing as a new appeal.
 * Counted only for a new tip: a retry of an accepted key (a re-delivered message) is not. Over
 * it: 429 with `Retry-After` and a Chinese message. Contact and room ids are personal data:
 * limiter keys hold a hash of them.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { rateLimited } from '../core/errors';
import { CHINA_DAY_OFFSET_MS, rateLimiter, waitText, type RateLimit } from '../core/rate-limit/limiter';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
export const TIP_LIMITS = { perHour: 10, perDay: 30 } as const;
export const TIP_BOT_LIMITS = { contact: { perHour: 10, perDay: 30 }, room: { perHour: 20 } } as const;
export const TIP_TO_APPEAL_LIMITS = { perHour: 60, perDay: 300 } as const;

const hashId = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 24);

export function tipLimits(ctx: AppContext) {
  const limiter = rateLimiter(ctx);
  // Tests relax every filing limit at once with the appeals' scale (tests/helpers/server.ts).
  const n = (limit: number) => Math.max(1, Math.round(limit * (ctx.config.appealLimitScale ?? 1)));
  /** An hour counted in its China day's document (hours nest in China days): one write a tip. */
  const hourAndDay = (key: string, l: { perHour: number; perDay: number }): RateLimit[] => {
    const day: RateLimit = { key: `${key}:d`, limit: n(l.perDay), windowMs: DAY, offsetMs: CHINA_DAY_OFFSET_MS };
    return [{ key: `${key}:h`, limit: n(l.perHour), windowMs: HOUR, countedIn: day }, day];
  };
  const account = (accountId: Types.ObjectId | string) => hourAndDay(`tip:send:${String(accountId)}`, TIP_LIMITS);

  async function admit(limits: RateLimit[]): Promise<void> {
    const decision = await limiter.admit(limits);
    if (decision.allowed) return;
    ctx.logger.warn({ limit: decision.exceeded?.replace(/:[0-9a-f]{24}/, ''), retryAfterSeconds: decision.retryAfterSeconds }, 'tip sending limited');
    throw rateLimited(`爆料太频繁，请${waitText(decision.retryAfterSeconds)}后再试`, decision.retryAfterSeconds);
  }

  return {
    /** The limits an editor's 转为诉求 files against (the appeals' filing counts them, for a new appeal only). */
    toAppeal: (editorId: Types.ObjectId | string): RateLimit[] => hourAndDay(`tip:to-appeal:${String(editorId)}`, TIP_TO_APPEAL_LIMITS),
    admit: (accountId: Types.ObjectId | string) => admit(account(accountId)),
    /** A `#爆料` through the bot: the contact's budget, the group's (null: a private chat) and the linked account's, if any. */
    admitBot(contactId: string, roomId: string | null, accountId: Types.ObjectId | null): Promise<void> {
      const limits = hourAndDay(`tip:bot:contact:${hashId(contactId)}`, TIP_BOT_LIMITS.contact);
      if (roomId) limits.push({ key: `tip:bot:room:${hashId(roomId)}:h`, limit: n(TIP_BOT_LIMITS.room.perHour), windowMs: HOUR });
      if (accountId) limits.push(...account(accountId));
      return admit(limits);
    },
  };
}

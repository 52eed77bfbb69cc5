import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { authModels, SESSIONS_CACHE } from './model';

/** Chains remembered per process (one per signed-in device active in the last while). */
const MAX_CHAINS = 20_000;

/** The refresh-token sessions as other features act on them: ending a user's, clearing spent ones. */
export function sessionStore(ctx: AppContext) {
  const { Session, SignInTicket } = authModels(ctx.conn);
  return {
    /** Ends every live session of the user (a deactivation, a changed password, a replayed token). */
    async endAllOf(userId: Types.ObjectId, at: Date = ctx.now()): Promise<void> {
      await Session.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at, endedAt: at } });
    },

    /**
     * Whether the sign-in (a chain of sessions, by its first session's id) has ended: its access
     * tokens are refused. From memory while no chain has ended since (the sessions stamp), so
     * the next request after a sign-out in any process is refused. Ended sessions are kept a day
     * (cleanup.ts), far longer than an access token lives.
     */
    chainEnded: (chainId: string, within?: object): Promise<boolean> =>
      ctx.cache.value({ namespace: SESSIONS_CACHE, key: chainId, maxEntries: MAX_CHAINS }, async () => Boolean(await Session.exists({ chainId, endedAt: { $ne: null } })), within),

    /** Deletes the expired sessions and those revoked before `spentBefore`; returns how many. */
    async removeSpent(now: Date, spentBefore: Date): Promise<number> {
      // Unused sign-in tickets of the H5 WeChat sign-in expire within minutes; they go with the sessions.
      await SignInTicket.deleteMany({ expiresAt: { $lte: now } });
      return (await Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { revokedAt: { $lte: spentBefore } }] })).deletedCount;
    },
  };
}

import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { authModels } from './model';

/** The refresh-token sessions as other features act on them: ending a user's, clearing spent ones. */
export function sessionStore(ctx: AppContext) {
  const { Session } = authModels(ctx.conn);
  return {
    /** Ends every live session of the user (a deactivation, a changed password, a replayed token). */
    async endAllOf(userId: Types.ObjectId, at: Date = ctx.now()): Promise<void> {
      await Session.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
    },

    /** Deletes the expired sessions and those revoked before `spentBefore`; returns how many. */
    async removeSpent(now: Date, spentBefore: Date): Promise<number> {
      return (await Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { revokedAt: { $lte: spentBefore } }] })).deletedCount;
    },
  };
}

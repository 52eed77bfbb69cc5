import { Schema, baseOptions, type Types } from '../db/schema-helpers';

/** A refresh token, stored only as its SHA-256 hash. Rotated on every refresh. */
export interface SessionDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Set when the token was revoked by a refresh (not by logout): starts the reuse grace period. */
  rotatedAt: Date | null;
  userAgent: string | null;
  /**
   * Set with `rotatedAt`: the session that replaced this one, and its refresh token sealed with a
   * key derived from this session's own token (see sealing.ts). A replay within the grace period
   * gets that same successor back, so a copied token never forks into a second chain, and the
   * database never holds a usable token.
   */
  successorId: Types.ObjectId | null;
  successorSealed: string | null;
  createdAt: Date;
}

export const sessionSchema = new Schema<SessionDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    tokenHash: { type: String, required: true, unique: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    rotatedAt: { type: Date, default: null },
    userAgent: { type: String, default: null },
    successorId: { type: Schema.Types.ObjectId, default: null },
    successorSealed: { type: String, default: null },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);
// The cleanup job deletes expired sessions and those revoked long ago (one $or branch each).
sessionSchema.index({ expiresAt: 1 });
sessionSchema.index({ revokedAt: 1 });

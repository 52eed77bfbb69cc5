import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

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
  /**
   * The first session of this refresh-token chain (a successor inherits it): the access tokens of
   * every session in the chain name it (`sid`). Null in sessions made before it was kept: their
   * chain is named by their own id.
   */
  chainId: Types.ObjectId | null;
  /** Set when the sign-in ended (sign-out, or every session of the user ended), not by a rotation. */
  endedAt: Date | null;
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
    chainId: { type: Schema.Types.ObjectId, default: null },
    endedAt: { type: Date, default: null },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);
// The cleanup job deletes expired sessions and those revoked long ago (one $or branch each).
sessionSchema.index({ expiresAt: 1 });
sessionSchema.index({ revokedAt: 1 });
// Whether a chain has ended (authenticate, through the cache: sessions.ts).
sessionSchema.index({ chainId: 1, endedAt: 1 });
/**
 * The ended sign-ins' namespace: bumped when a chain ends (or sessions are deleted), not by a
 * sign-in or a rotation, which end nothing. Inserts never do: a new session is live.
 */
export const SESSIONS_CACHE = 'sessions-ended';
sessionSchema.plugin(cacheStampPlugin(SESSIONS_CACHE, { paths: ['endedAt', 'chainId'], inserts: false }));

/**
 * Failed password sign-ins of one account from one address (its bucket, see login-limits.ts), for
 * the admin's view of recent attempts. One document per pair, kept while failures go on and
 * deleted a day after the last one (login-limits.ts removes them as it writes; FerretDB has no TTL
 * indexes). The address is stored masked (IPv4 /24, IPv6 /48): enough to tell a campaign from a
 * forgetful colleague, not a person's exact address. The limits themselves are counted in the
 * rate-limit windows, not here.
 */
export interface LoginFailureDoc {
  /** `<account hash>:<address hash>` (HMAC, as the rate-limit keys). */
  _id: string;
  /** The username as tried (trimmed, lower case): an account that does not exist is shown too. */
  username: string;
  address: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

export const loginFailureSchema = new Schema<LoginFailureDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    address: { type: String, required: true },
    count: { type: Number, required: true },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
  },
  { versionKey: false, autoIndex: false },
);
// The admin's list (newest first, since a time) and the removal of old ones are ranges on lastAt.
loginFailureSchema.index({ lastAt: -1 });

/**
 * A one-time ticket from the H5 sign-in through WeChat (web-sign-in.ts): WeChat sends the resident
 * back to the server, which cannot hand tokens to the app in a redirect, so it hands a ticket the
 * app exchanges for a session within two minutes, once. Stored by the ticket's hash.
 */
export interface SignInTicketDoc {
  _id: string;
  userId: Types.ObjectId;
  expiresAt: Date;
}

export const signInTicketSchema = new Schema<SignInTicketDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, autoIndex: false },
);
// The cleanup job removes expired tickets (FerretDB has no TTL indexes).
signInTicketSchema.index({ expiresAt: 1 });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function authModels(conn: Connection) {
  return {
    Session: ownModel(conn, 'Session', sessionSchema),
    LoginFailure: ownModel(conn, 'LoginFailure', loginFailureSchema),
    SignInTicket: ownModel(conn, 'SignInTicket', signInTicketSchema),
  };
}

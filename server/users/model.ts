import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';
import { ROLES, type Role } from '../../common/roles';

export interface UserDoc {
  _id: Types.ObjectId;
  name: string;
  /** Staff sign-in name; residents have none. Uniqueness lives in the identities collection. */
  username: string | null;
  passwordHash: string | null;
  /** Personal data (PIPL): shown only to those handling the user's appeals. */
  phone: string | null;
  roles: Role[];
  /** Regions a staff member works in (community staff: communities, grid workers: grids ...). */
  regionIds: Types.ObjectId[];
  departmentId: Types.ObjectId | null;
  /** The community a resident lives in, chosen in the mini-program. */
  homeRegionId: Types.ObjectId | null;
  wechatContactId: string | null;
  active: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<UserDoc>(
  {
    name: { type: String, required: true },
    username: { type: String, default: null },
    passwordHash: { type: String, default: null },
    phone: { type: String, default: null },
    roles: { type: [String], enum: ROLES, default: ['resident'] },
    regionIds: { type: [Schema.Types.ObjectId], default: [] },
    departmentId: { type: Schema.Types.ObjectId, default: null },
    homeRegionId: { type: Schema.Types.ObjectId, default: null },
    wechatContactId: { type: String, default: null },
    active: { type: Boolean, default: true },
    lastLoginAt: { type: Date, default: null },
  },
  baseOptions,
);
/**
 * The identity cache's namespace (identity.ts): who a token's subject is, and their Me, and a
 * reporter's name and phone for filing (service.ts). Bumped by the writes that change what those
 * show (roles, scope, department, home, name, phone, contact, active), not by a sign-in's time or a
 * password hash (a new password ends the sessions, sessions.ts). Inserts do not bump: a user that
 * did not exist was never cached.
 */
export const USERS_CACHE = 'users';
export const IDENTITY_FIELDS = ['name', 'username', 'phone', 'roles', 'regionIds', 'departmentId', 'homeRegionId', 'wechatContactId', 'active'] as const;
userSchema.plugin(cacheStampPlugin(USERS_CACHE, { paths: IDENTITY_FIELDS, inserts: false }));
/**
 * The rosters' namespace: who works where (a unit's staff, the active dispatchers), as the
 * relay and the hot spots tell them of new work (service.ts). Unlike the identity cache a roster is
 * a list, so a new account can join it: inserts bump too, and every write to roles, regions,
 * department or whether the account is active.
 */
export const ROSTER_CACHE = 'users-roster';
export const ROSTER_FIELDS = ['roles', 'regionIds', 'departmentId', 'active'] as const;
userSchema.plugin(cacheStampPlugin(ROSTER_CACHE, { paths: ROSTER_FIELDS }));
userSchema.index({ roles: 1 });
// The residents of a place (a consultation's eligible voters).
userSchema.index({ homeRegionId: 1, roles: 1 });
// A department's staff (who is told of an appeal sent to it).
userSchema.index({ departmentId: 1, roles: 1 });
// A community's staff (who is told of a hot spot there, 高频诉求).
userSchema.index({ regionIds: 1, roles: 1 });

/**
 * Ways to recognise a user: `wechat:<openid>`, `username:<name>`, `contact:<wechat contact id>`.
 * A separate collection with one unique key, because optional unique fields on users would need
 * sparse or partial indexes, which FerretDB 1.24 lacks; and a unique insert here is the atomic
 * "first login wins" claim that stops two racing logins from creating two users.
 */
export interface IdentityDoc {
  _id: Types.ObjectId;
  key: string;
  userId: Types.ObjectId;
  createdAt: Date;
}

export const identitySchema = new Schema<IdentityDoc>(
  {
    key: { type: String, required: true, unique: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);

export const identityKey = {
  /** The mini-program's openid. */
  wechat: (openid: string) => `wechat:${openid}`,
  /** The county 公众号's openid (the H5 sign-in through WeChat): another openid for the same person. */
  wechatWeb: (openid: string) => `wechatmp:${openid}`,
  /** WeChat's unionid: the same person across the mini-program and the 公众号 linked on the open platform. */
  union: (unionid: string) => `union:${unionid}`,
  username: (username: string) => `username:${username.toLowerCase()}`,
  contact: (contactId: string) => `contact:${contactId}`,
};

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function userModels(conn: Connection) {
  return {
    User: ownModel(conn, 'User', userSchema),
    Identity: ownModel(conn, 'Identity', identitySchema),
  };
}

import { Types } from 'mongoose';
import { recordsOf } from '../db/records';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, conflict, isDuplicateKeyError, notFound } from '../core/errors';
import type { Paged } from '../core/validate';
import { newId } from '../db/schema-helpers';
import { REGIONS_CACHE, regionLookup, toRegionSummary, type RegionDoc } from '../regions';
import { auditService } from '../audit';
import { departmentService } from '../departments';
import { identityKey, ROSTER_CACHE, USERS_CACHE, type IdentityDoc, type UserDoc, userModels } from './model';
import { hashPassword } from './passwords';
import { ROLE_LABELS, isStaff, type Role } from '../../common/roles';
import { roleFitError, type FitFields, type StaffShape } from './role-fit';
import type { CreateUserBody, Me, UpdateUserBody, UserAdminView } from './schemas';

const WECHAT_PREFIX = identityKey.wechat('');

/** 13812345678 -> 138****5678: enough for staff to recognise, not to call. */
export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : null);

/** Reporters' details kept per process: one per resident filing lately. */
const MAX_REPORTERS = 20_000;
/** A miss is thrown, so the cache keeps nothing for it. */
class NoSuchReporter extends Error {}

export function userService(ctx: AppContext) {
  const { User, Identity } = userModels(ctx.conn);
  const departments = departmentService(ctx);
  const regionTree = regionLookup(ctx);
  const audit = auditService(ctx);

  async function regionsById(ids: (Types.ObjectId | null)[]): Promise<Map<string, RegionDoc>> {
    const wanted = ids.filter((x): x is Types.ObjectId => x != null);
    if (wanted.length === 0) return new Map();
    const docs = await regionTree.byIds(wanted);
    return new Map(docs.map((d) => [String(d._id), d]));
  }

  /** The regions named by a request, each of which must exist. */
  async function existingRegions(ids: string[], field: string): Promise<RegionDoc[]> {
    if (ids.length === 0) return [];
    const found = await regionTree.byIds(ids);
    if (found.length !== new Set(ids).size) throw badRequest('区域不存在', [{ path: field, message: '包含不存在的区域' }]);
    return found;
  }

  async function byIdentity(key: string): Promise<UserDoc | null> {
    const identity = await Identity.findOne({ key }).lean<IdentityDoc>();
    return identity ? User.findById(identity.userId).lean<UserDoc>() : null;
  }

  async function findOrCreateByIdentity(key: string, defaults: { name: string; roles: Role[] }): Promise<UserDoc> {
    let identity = await Identity.findOne({ key }).lean();
    if (!identity) {
      try {
        identity = (await Identity.create({ key, userId: newId() })).toObject();
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        identity = await Identity.findOne({ key }).lean();
        if (!identity) throw err;
      }
    }
    // The user document is created by whoever won the identity claim; a loser of the race on
    // the user insert finds the winner's document. (An upsert with $setOnInsert would be one
    // call, but FerretDB 1.24 drops null and empty-array fields from it.)
    const existing = await User.findById(identity.userId).lean<UserDoc>();
    if (existing) return existing;
    try {
      return (await User.create({ _id: identity.userId, name: defaults.name, roles: defaults.roles })).toObject();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const winner = await User.findById(identity.userId).lean<UserDoc>();
      if (!winner) throw err;
      return winner;
    }
  }

  /** Refuses roles, regions and department that do not fit together (role-fit.ts). */
  function assertRoleFit(shape: StaffShape, fields: FitFields): void {
    const err = roleFitError(shape, fields);
    if (err) throw err;
  }

  async function assertDepartmentExists(id: string | null | undefined): Promise<void> {
    if (id && !(await departments.exists(id))) throw badRequest('部门不存在', [{ path: 'body.departmentId', message: '部门不存在' }]);
  }

  function toAdminView(u: UserDoc): UserAdminView {
    return {
      id: String(u._id),
      name: u.name,
      username: u.username,
      phone: maskPhone(u.phone),
      roles: u.roles,
      regionIds: u.regionIds.map(String),
      departmentId: u.departmentId ? String(u.departmentId) : null,
      homeRegionId: u.homeRegionId ? String(u.homeRegionId) : null,
      active: u.active,
      wechatContactBound: Boolean(u.wechatContactId),
      lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    };
  }

  return {
    toAdminView,

    async toMe(u: UserDoc): Promise<Me> {
      const regions = await regionsById([u.homeRegionId, ...u.regionIds]);
      const home = u.homeRegionId ? regions.get(String(u.homeRegionId)) : undefined;
      const departmentName = u.departmentId ? await departments.nameOf(u.departmentId) : null;
      return {
        id: String(u._id),
        name: u.name,
        username: u.username,
        roles: u.roles,
        roleLabels: u.roles.map((r) => ROLE_LABELS[r]),
        isStaff: isStaff(u.roles),
        regionId: home ? String(home._id) : null,
        region: home ? toRegionSummary(home) : null,
        scopeRegionIds: u.regionIds.map(String),
        scopeRegions: u.regionIds.flatMap((id) => {
          const r = regions.get(String(id));
          return r ? [toRegionSummary(r)] : [];
        }),
        departmentId: u.departmentId ? String(u.departmentId) : null,
        departmentName,
        wechatContactBound: Boolean(u.wechatContactId),
      };
    },

    /** The caller as routes see it, with region paths resolved for scoping. */
    async toAuthUser(u: UserDoc): Promise<AuthUser> {
      const regions = await regionsById(u.regionIds);
      return {
        id: String(u._id),
        name: u.name,
        roles: u.roles,
        scopeRegionIds: u.regionIds.map(String),
        scopePaths: [...regions.values()].map((r) => r.path),
        departmentId: u.departmentId ? String(u.departmentId) : null,
        regionId: u.homeRegionId ? String(u.homeRegionId) : null,
      };
    },

    async updateMe(userId: string, patch: { regionId?: string; name?: string }): Promise<UserDoc> {
      const set: Partial<UserDoc> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.regionId !== undefined) {
        const region = await regionTree.byId(patch.regionId);
        if (!region) throw badRequest('社区不存在', [{ path: 'body.regionId', message: '社区不存在' }]);
        if (region.level !== 'community') throw badRequest('请选择到社区或村一级', [{ path: 'body.regionId', message: '必须是社区/村' }]);
        set.homeRegionId = region._id;
      }
      const u = await User.findByIdAndUpdate(userId, { $set: set }, { returnDocument: 'after' }).lean<UserDoc>();
      if (!u) throw notFound('用户');
      return u;
    },

    /**
     * Find or create the user behind an identity key. The identity insert is the atomic claim:
     * two concurrent first logins with the same openid end with one user.
     */
    findOrCreateByIdentity,

    async residentForWechat(openidKey: string, unionid?: string): Promise<UserDoc> {
      const resident = { name: '微信用户', roles: ['resident'] as Role[] };
      if (!unionid) return findOrCreateByIdentity(openidKey, resident);
      const unionKey = identityKey.union(unionid);
      const known = (await byIdentity(unionKey)) ?? (await byIdentity(openidKey));
      const user = known ?? (await findOrCreateByIdentity(unionKey, resident));
      for (const key of [unionKey, openidKey]) {
        try {
          await Identity.create({ key, userId: user._id });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      // A racing first sign-in may have claimed the unionid for another new account: that one wins.
      return (await byIdentity(unionKey)) ?? user;
    },

    async list(q: { role?: Role; regionId?: string; departmentId?: string; q?: string; page: number; pageSize: number }): Promise<Paged<UserAdminView>> {
      const filter: Record<string, unknown> = {};
      if (q.role) filter.roles = q.role;
      if (q.regionId) filter.$or = [{ regionIds: q.regionId }, { homeRegionId: q.regionId }];
      if (q.departmentId) filter.departmentId = q.departmentId;
      if (q.q) filter.name = new RegExp(q.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const [docs, total] = await Promise.all([
        User.find(filter).sort({ _id: 1 }).skip((q.page - 1) * q.pageSize).limit(q.pageSize).lean<UserDoc[]>(),
        User.countDocuments(filter),
      ]);
      return { items: docs.map(toAdminView), total, page: q.page, pageSize: q.pageSize };
    },

    /** The unmasked record: personal data, so the read is audit-logged. */
    async getForAdmin(actor: AuthUser, id: string): Promise<UserAdminView> {
      const u = await User.findById(id).lean<UserDoc>();
      if (!u) throw notFound('用户');
      await audit.record(actor.id, 'read_personal_data', 'user', id);
      return { ...toAdminView(u), phone: u.phone };
    },

    async createStaff(input: CreateUserBody): Promise<UserDoc> {
      const regions = await existingRegions(input.regionIds, 'body.regionIds');
      await assertDepartmentExists(input.departmentId);
      assertRoleFit({ roles: input.roles, regions, departmentId: input.departmentId }, { regionIds: 'body.regionIds', departmentId: 'body.departmentId' });
      const _id = newId();
      try {
        await Identity.create({ key: identityKey.username(input.username), userId: _id });
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict(`用户名「${input.username}」已被使用`, [{ path: 'body.username', message: '已被使用' }]);
        throw err;
      }
      const doc = await User.create({
        _id,
        name: input.name,
        username: input.username,
        passwordHash: await hashPassword(input.password),
        phone: input.phone ?? null,
        roles: input.roles,
        regionIds: input.regionIds,
        departmentId: input.departmentId,
      });
      return doc.toObject();
    },

    async update(id: string, patch: UpdateUserBody): Promise<UserDoc> {
      const regions = patch.regionIds ? await existingRegions(patch.regionIds, 'body.regionIds') : null;
      await assertDepartmentExists(patch.departmentId);
      // Roles, regions and department are checked together, as they will be after the change; an
      // update that touches none of them (a rename, a deactivation) never trips over older data.
      let checked: UserDoc | null = null;
      if (patch.roles || patch.regionIds || patch.departmentId !== undefined) {
        const current = await User.findById(id).lean<UserDoc>();
        if (!current) throw notFound('用户');
        checked = current;
        const departmentId = patch.departmentId !== undefined ? patch.departmentId : current.departmentId ? String(current.departmentId) : null;
        assertRoleFit(
          { roles: patch.roles ?? current.roles, regions: regions ?? [...(await regionsById(current.regionIds)).values()], departmentId },
          {
            // Name the field the request sent; when it sent only roles, the roles are what misfit.
            regionIds: patch.regionIds ? 'body.regionIds' : 'body.roles',
            departmentId: patch.departmentId !== undefined ? 'body.departmentId' : 'body.roles',
          },
        );
      }
      const { password, ...rest } = patch;
      const set: Record<string, unknown> = { ...rest };
      if (password) set.passwordHash = await hashPassword(password);
      // The fit was checked against `checked`: write only if nobody changed the user meanwhile.
      const filter = checked ? { _id: id, updatedAt: checked.updatedAt } : { _id: id };
      const u = await User.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' }).lean<UserDoc>();
      if (!u && checked) throw conflict('该用户刚被他人修改，请刷新后重试');
      if (!u) throw notFound('用户');
      return u;
    },

    /**
     * Writes an account made outside the API (`npm run admin`, the demo seed) as given: its sign-in
     * identity first (a unique insert, so a taken name fails before the user is written), then the user.
     */
    async insertIdentity(key: string, userId: Types.ObjectId): Promise<void> {
      await Identity.create({ key, userId });
    },
    insertAccount: async (doc: Partial<UserDoc> & { _id: Types.ObjectId }): Promise<UserDoc> => (await User.create(doc)).toObject() as UserDoc,

    /** Sets a new password hash and reactivates the account (`npm run admin -- reset-password`). */
    resetPasswordHash: (id: Types.ObjectId, passwordHash: string) =>
      User.findByIdAndUpdate(id, { $set: { passwordHash, active: true } }, { returnDocument: 'after' }).lean<UserDoc>(),

    /** Administrators who can sign in. */
    countActiveAdmins: () => User.countDocuments({ roles: 'admin', active: true }),

    /** The user, or null (an access token's subject, a session's owner). */
    find: (id: string | Types.ObjectId) => User.findById(id).lean<UserDoc>(),

    /** The user with this sign-in name, or null. */
    byUsername: (username: string): Promise<UserDoc | null> => byIdentity(identityKey.username(username)),

    /** The user signing in with this identity key (identityKey.*), or null. */
    byIdentity,

    /** Identity key → user, for those of the keys that belong to an account. */
    async byIdentities(keys: readonly string[]): Promise<Map<string, UserDoc>> {
      const identities = await Identity.find({ key: { $in: keys } }).lean<IdentityDoc[]>();
      const users = await User.find({ _id: { $in: identities.map((i) => i.userId) } }).lean<UserDoc[]>();
      const byId = new Map(users.map((u) => [String(u._id), u]));
      return new Map(identities.flatMap((i) => (byId.has(String(i.userId)) ? [[i.key, byId.get(String(i.userId))!] as const] : [])));
    },

    /** The accounts with a sign-in name (staff, administrators), in the database's order. */
    withUsernames: () => User.find({ username: { $ne: null } }).lean<UserDoc[]>(),

    /** A user bound to that WeChat contact (the field, not the identity), or null. */
    withContactId: (contactId: string) => User.findOne({ wechatContactId: contactId }).lean<UserDoc>(),

    /** A user with the role whose regions include that region, or null. */
    withRoleIn: (role: Role, regionId: Types.ObjectId) => User.findOne({ roles: role, regionIds: regionId }).lean<UserDoc>(),

    /** The collection's estimated count (an empty database has none). */
    estimatedCount: () => User.estimatedDocumentCount(),

    /** The users and their sign-in identities as records, written as given (the demo seed's people). */
    userRecords: () => recordsOf(User),
    identityRecords: () => recordsOf(Identity),

    /** Which of these sign-in names belong to an account. */
    async usernamesInUse(usernames: string[]): Promise<Set<string>> {
      const known = await Identity.find({ key: { $in: [...new Set(usernames.map((u) => identityKey.username(u)))] } }).lean<IdentityDoc[]>();
      const keys = new Set(known.map((i) => i.key));
      return new Set(usernames.filter((u) => keys.has(identityKey.username(u))));
    },

    async recordSignIn(userId: Types.ObjectId): Promise<void> {
      await User.updateOne({ _id: userId }, { $set: { lastLoginAt: ctx.now() } });
    },

    /**
     * The name and phone on record, for filing an appeal as its reporter: from memory while the
     * users stamp is unchanged (a new name or phone bumps it, model.ts). `within`: the request
     * filing (its stamp read serves). Null for no such user (never kept).
     */
    reporterDetails: (id: Types.ObjectId, within?: object): Promise<Pick<UserDoc, '_id' | 'name' | 'phone'> | null> =>
      ctx.cache
        .value({ namespace: USERS_CACHE, key: `reporter:${id}`, maxEntries: MAX_REPORTERS }, async () => {
          const u = await User.findById(id, { name: 1, phone: 1 }).lean<Pick<UserDoc, '_id' | 'name' | 'phone'>>();
          if (!u) throw new NoSuchReporter();
          return u;
        }, within)
        .catch((err: unknown) => {
          if (err instanceof NoSuchReporter) return null;
          throw err;
        }),

    /**
     * The active accounts of a department's staff, by id (who is told of an appeal sent to it):
     * from memory while the roster stamp is unchanged (model.ts: a new account, a role, a
     * department or a deactivation bumps it). Shared: read, never changed.
     */
    departmentStaffIds: (departmentId: Types.ObjectId, within?: object): Promise<readonly Types.ObjectId[]> =>
      ctx.cache.value({ namespace: ROSTER_CACHE, key: `unit-staff:${departmentId}` }, async () => {
        const staff = await User.find({ departmentId, roles: 'department_staff', active: true }, { _id: 1 }).lean<Pick<UserDoc, '_id'>[]>();
        return staff.map((u) => u._id);
      }, within),

    /**
     * The active dispatchers whose regions hold this region path (who is told of an appeal or a
     * hot spot there without a unit), from memory while the roster and the regions are unchanged.
     */
    async dispatcherIdsOver(regionPath: string, within?: object): Promise<Types.ObjectId[]> {
      const dispatchers = await ctx.cache.value({ namespace: [ROSTER_CACHE, REGIONS_CACHE], key: 'dispatcher-paths' }, async () => {
        const found = await User.find({ roles: 'dispatcher', active: true }, { _id: 1, regionIds: 1 }).lean<Pick<UserDoc, '_id' | 'regionIds'>[]>();
        const paths = await regionLookup(ctx).pathsOf(found.flatMap((d) => d.regionIds));
        return found.map((d) => ({ _id: d._id, paths: d.regionIds.map((r) => paths.get(String(r))).filter((p): p is string => !!p) }));
      }, within);
      return dispatchers.filter((d) => d.paths.some((p) => regionPath.startsWith(p))).map((d) => d._id);
    },

    /** The active community staff of a community, by id (who is told of a hot spot there, 高频诉求). */
    async communityStaffIds(communityId: Types.ObjectId | string): Promise<Types.ObjectId[]> {
      const staff = await User.find({ roles: 'community_staff', regionIds: new Types.ObjectId(String(communityId)), active: true }, { _id: 1 }).lean<Pick<UserDoc, '_id'>[]>();
      return staff.map((u) => u._id);
    },

    /** How many users belong to the department (a department with staff is not deleted). */
    countInDepartment: (departmentId: string) => User.countDocuments({ departmentId }),

    /** The openid of the user's mini-program sign-in (their `wechat:<openid>` identity), if any. */
    async wechatOpenid(userId: string): Promise<string | null> {
      if (!Types.ObjectId.isValid(userId)) return null;
      const ids = await Identity.find({ userId: new Types.ObjectId(userId) }).lean<IdentityDoc[]>();
      const key = ids.map((i) => i.key).find((k) => k.startsWith(WECHAT_PREFIX));
      return key ? key.slice(WECHAT_PREFIX.length) : null;
    },

    contactUser,
    contactUsers,

    /**
     * The resident behind a group member: the user bound to the contact, or a new resident account
     * for it (so the appeal shows in "my appeals" once they bind, and follows them across groups).
     * Creating it is a unique insert on the identity, so two first messages make one account.
     */
    async residentForContact(contact: { id: string; name: string }, communityId: Types.ObjectId): Promise<UserDoc> {
      const existing = await contactUser(contact.id);
      if (existing) return existing;
      const user = await User.create({ name: contact.name, roles: ['resident'], homeRegionId: communityId, wechatContactId: contact.id });
      try {
        await Identity.create({ key: identityKey.contact(contact.id), userId: user._id });
        return user.toObject() as UserDoc;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        await User.deleteOne({ _id: user._id });
        return (await contactUser(contact.id))!;
      }
    },

    /**
     * Binds a WeChat contact to the user (绑定我的微信). The contact's identity is claimed first (a
     * unique insert: a contact bound to someone else is a 409), then `confirm` runs (the binding
     * code's claim); when it fails, an identity made here is removed again. One contact per user:
     * a new binding replaces the old one. Null when the user does not exist or `confirm` fails.
     */
    async bindContact(userId: Types.ObjectId, contactId: string, confirm: () => PromiseLike<unknown>): Promise<{ user: UserDoc; previousContactId: string | null } | null> {
      const user = await User.findById(userId).lean<UserDoc>();
      if (!user) return null;
      const key = identityKey.contact(contactId);
      const existing = await Identity.findOne({ key }).lean<IdentityDoc>();
      if (existing && String(existing.userId) !== String(user._id)) throw conflict('该微信号已绑定其他账号');
      if (!existing) {
        try {
          await Identity.create({ key, userId: user._id });
        } catch (err) {
          if (isDuplicateKeyError(err)) throw conflict('该微信号已绑定其他账号');
          throw err;
        }
      }
      if (!(await confirm())) {
        if (!existing) await Identity.deleteOne({ key });
        return null;
      }
      const previous = user.wechatContactId && user.wechatContactId !== contactId ? user.wechatContactId : null;
      if (previous) await Identity.deleteOne({ key: identityKey.contact(previous) });
      await User.updateOne({ _id: user._id }, { $set: { wechatContactId: contactId } });
      return { user, previousContactId: previous };
    },
  };

  /** The active user bound to a WeChat contact, if any. */
  async function contactUser(contactId: string): Promise<UserDoc | null> {
    const identity = await Identity.findOne({ key: identityKey.contact(contactId) }).lean<IdentityDoc>();
    return identity ? User.findOne({ _id: identity.userId, active: true }).lean<UserDoc>() : null;
  }

  /** contactUser for many contacts in two reads (a group's batch of votes): the active users by contact id. */
  async function contactUsers(contactIds: readonly string[]): Promise<Map<string, UserDoc>> {
    const unique = [...new Set(contactIds)];
    const identities = await Identity.find({ key: { $in: unique.map(identityKey.contact) } }).lean<IdentityDoc[]>();
    if (identities.length === 0) return new Map();
    const users = await User.find({ _id: { $in: identities.map((i) => i.userId) }, active: true }).lean<UserDoc[]>();
    const byId = new Map(users.map((u) => [String(u._id), u]));
    const out = new Map<string, UserDoc>();
    for (const i of identities) {
      const u = byId.get(String(i.userId));
      if (u) out.set(i.key.slice(identityKey.contact('').length), u);
    }
    return out;
  }
}
export type UserService = ReturnType<typeof userService>;

/** How many users have the region among their regions or as their home (a region in use is not removed). */
export function countUsersInRegion(ctx: AppContext, regionId: Types.ObjectId): Promise<number> {
  return userModels(ctx.conn).User.countDocuments({ $or: [{ regionIds: regionId }, { homeRegionId: regionId }] });
}

/** How many active residents have one of the regions as their home (a consultation's eligible voters). */
export function countResidentsHomedIn(ctx: AppContext, regionIds: readonly Types.ObjectId[]): Promise<number> {
  return userModels(ctx.conn).User.countDocuments({ homeRegionId: { $in: regionIds }, roles: 'resident', active: true });
}

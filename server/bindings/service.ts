import { randomInt } from 'node:crypto';
import type { AppContext } from '../context';
import { auditService } from '../audit';
import { AppError, badRequest, conflict, forbidden, isDuplicateKeyError, notFound } from '../core/errors';
import type { AuthUser } from '../core/route';
import { regionLookup, toRegionSummary, type RegionDoc, type RegionRef } from '../regions';
import { isStaff } from '../../common/roles';
import { coversRegion, readScopePaths, regionScopeFilter, userService, type UserDoc } from '../users';
import { bindingAttempts, CODE_DIGITS, CODE_SPACE, CODE_TTL_MS } from './attempts';
import { bindingModels, type RoomDoc } from './model';
import type { BindingCode, BoundRoom, CreateBindingCodeBody, RedeemBindingBody, RedeemResult } from './schemas';

/**
 * One answer for every code that does not work (unknown, used, expired, cancelled, or of the other
 * kind): the same status and message, so a guesser learns nothing about which codes exist.
 */
export const INVALID_CODE_MESSAGE = '绑定码无效或已失效，请核对后重新发送，或在工作台重新生成（群聊绑定码在群里发送，个人微信绑定码私聊机器人发送）';
const invalidCode = () => new AppError(404, 'NOT_FOUND', INVALID_CODE_MESSAGE);

/**
 * A group code is redeemed only by the staff member who made it, speaking from the WeChat they
 * bound to their account (绑定我的微信). Anyone else, seeing the code in its two hours, gets
 * these refusals and the code stays valid for its maker. Speakers whose WeChat is not bound to an
 * active staff account are refused before the code is looked at, so they learn nothing about it.
 */
export const ROOM_SPEAKER_NOT_STAFF_MESSAGE = '只有生成群聊绑定码的工作人员本人可以在群里发送它：请先在工作台「绑定我的微信」并私聊机器人发送个人微信绑定码，再在群里发送群聊绑定码';
export const ROOM_CODE_NOT_YOURS_MESSAGE = '这个群聊绑定码不是您生成的：只有生成它的工作人员本人可以在群里发送（绑定码仍然有效）。如需绑定，请在工作台生成您自己的绑定码';
/** A group bound to one community moves to another only after its own community's staff unbind it. */
export const roomBoundElsewhereMessage = (bound: string, wanted: string) =>
  `本群已关联到「${bound}」，不能直接改绑到「${wanted}」：请先由「${bound}」的工作人员在本群发送「解绑」，再发送绑定码`;

/** Deletes the binding codes that expired at or before `before` (the cleanup job); returns how many. */
export async function deleteExpiredBindingCodes(ctx: AppContext, before: Date): Promise<number> {
  return (await bindingModels(ctx.conn).BindingCode.deleteMany({ expiresAt: { $lte: before } })).deletedCount;
}

export interface BindingHooks {
  /** A WeChat contact was just linked to an account (the composition root lets consultations count that person once). */
  contactLinked?: (userId: string, contactId: string) => Promise<unknown>;
}

export function bindingService(ctx: AppContext, hooks: BindingHooks = {}) {
  const { BindingCode: Codes, Room } = bindingModels(ctx.conn);
  const users = userService(ctx);
  const regions = regionLookup(ctx);
  const audit = auditService(ctx);
  const attempts = bindingAttempts(ctx);

  async function regionOf(id: RegionRef | null | undefined): Promise<RegionDoc> {
    const r = id == null ? null : await regions.byId(id);
    if (!r) throw notFound('区域');
    return r;
  }

  async function toBoundRooms(rooms: RoomDoc[]): Promise<BoundRoom[]> {
    const byId = new Map((await regions.byIds(rooms.map((r) => r.regionId))).map((r) => [String(r._id), r]));
    return rooms.flatMap((r) => {
      const region = byId.get(String(r.regionId));
      return region ? [{ roomId: r.roomId, topic: r.topic, region: toRegionSummary(region), boundAt: r.boundAt.toISOString() }] : [];
    });
  }

  return {
    async createCode(actor: AuthUser, body: CreateBindingCodeBody): Promise<BindingCode> {
      let regionId: string | null = null;
      if (body.type === 'room') {
        const region = await regionOf(body.regionId);
        if (region.level !== 'community') throw badRequest('群聊只能绑定到社区或村', [{ path: 'body.regionId', message: '必须是社区/村' }]);
        // As community staff only: another role of the account (a township's dispatcher) binds no group there.
        if (!coversRegion(actor, region.path, ['community_staff'])) throw forbidden(`您不负责「${region.name}」，不能为它生成绑定码`);
        regionId = String(region._id);
      }
      // Any account may link its own WeChat: staff for forwarding and 查询, residents so that a
      // vote in their group chat and one in the mini-program are one person's.
      const now = ctx.now();
      const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
      // Eight digits, still typed as one number; a clash with a stored code is retried.
      for (let attempt = 0; attempt < 8; attempt++) {
        const code = String(randomInt(0, CODE_SPACE)).padStart(CODE_DIGITS, '0');
        let created;
        try {
          created = await Codes.create({ code, type: body.type, regionId, createdBy: actor.id, expiresAt });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          continue;
        }
        // The new code replaces every older unused one of the same target (the creator's own
        // WeChat, or the community). Only older ids are cancelled, so of two codes made at the
        // same moment exactly the newer one stays usable.
        const target = body.type === 'room' ? { regionId: created.regionId } : { createdBy: created.createdBy };
        await Codes.updateMany({ type: body.type, ...target, _id: { $lt: created._id }, usedAt: null, cancelledAt: null }, { $set: { cancelledAt: now } });
        return { code, type: body.type, regionId, expiresAt: expiresAt.toISOString() };
      }
      throw new AppError(503, 'BUSY', '绑定码生成繁忙，请稍后重试');
    },

    async redeem(body: RedeemBindingBody): Promise<RedeemResult> {
      const target = body.target;
      const speaker = target.type === 'room' ? target.byContactId : target.contactId;
      const chatId = target.type === 'room' ? target.roomId : target.contactId;
      await attempts.admit(speaker, target.type === 'room' ? target.roomId : null);
      const speakerUser = target.type === 'room' ? await staffByContact(target.byContactId) : null;
      if (target.type === 'room' && !speakerUser) throw forbidden(ROOM_SPEAKER_NOT_STAFF_MESSAGE);

      const now = ctx.now();
      const usable = { usedAt: null, cancelledAt: null, expiresAt: { $gt: now } };
      const found = await Codes.findOne({ code: body.code, ...usable }).lean();
      if (!found || found.type !== target.type) throw invalidCode();
      // Whoever claims it first wins; a code spent, cancelled or expired meanwhile is just invalid.
      const claim = () => Codes.findOneAndUpdate({ _id: found._id, ...usable }, { $set: { usedAt: now, usedFor: chatId } }, { returnDocument: 'after' }).lean();
      const issuer = String(found.createdBy);

      if (target.type === 'room') {
        if (String(speakerUser!._id) !== issuer) throw forbidden(ROOM_CODE_NOT_YOURS_MESSAGE);
        const region = await regionOf(found.regionId);
        const refuseMove = async (room: RoomDoc) => {
          const bound = await regions.byId(room.regionId);
          return conflict(roomBoundElsewhereMessage(bound?.name ?? '其他社区', region.name));
        };
        const existing = await Room.findOne({ roomId: target.roomId }).lean<RoomDoc>();
        // Checked before the code is spent: a refused move leaves the code usable.
        if (existing && !existing.regionId.equals(region._id)) throw await refuseMove(existing);
        if (!(await claim())) throw invalidCode();
        // Bound again to its own community (a new topic, another staff member): updated in place.
        // The filter names the community, so a binding to another one that raced in is never
        // overwritten: the upsert then collides with it on the unique roomId.
        let before: RoomDoc | null;
        try {
          before = await Room.findOneAndUpdate(
            { roomId: target.roomId, regionId: region._id },
            { $set: { topic: target.topic, regionId: region._id, regionPath: region.path, boundBy: found.createdBy, boundAt: now } },
            { upsert: true, returnDocument: 'before' },
          ).lean<RoomDoc>();
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          await Codes.updateOne({ _id: found._id, usedAt: now, usedFor: chatId }, { $set: { usedAt: null, usedFor: null } });
          const raced = await Room.findOne({ roomId: target.roomId }).lean<RoomDoc>();
          throw raced ? await refuseMove(raced) : err;
        }
        await audit.record(issuer, before ? 'rebind_room' : 'bind_room', 'room', target.roomId, {
          actorContactId: target.byContactId,
          chatId,
          details: { regionId: String(region._id) },
        });
        return { type: 'room', region: { id: String(region._id), name: region.name }, user: null };
      }

      // The code is claimed once the contact is: a contact bound to someone else spends no code.
      const bound = await users.bindContact(found.createdBy, target.contactId, claim);
      if (!bound) throw invalidCode();
      const { user, previousContactId: previous } = bound;
      await hooks.contactLinked?.(String(user._id), target.contactId);
      await audit.record(issuer, previous ? 'rebind_contact' : 'bind_contact', 'user', String(user._id), {
        actorContactId: target.contactId,
        chatId,
        details: previous ? { previousContactId: previous } : null,
      });
      return { type: 'contact', region: null, user: { id: String(user._id), name: user.name } };
    },

    async unbindRoom(roomId: string, byContactId: string): Promise<{ region: { id: string; name: string } }> {
      const room = await Room.findOne({ roomId }).lean<RoomDoc>();
      if (!room) throw new AppError(404, 'NOT_FOUND', '本群尚未绑定，无需解绑');
      const region = await regionOf(room.regionId);
      const user = await staffByContact(byContactId);
      const allowed = user && (user.roles.includes('admin') || (await communitiesStaffedBy(user)).some((p) => region.path === p));
      if (!allowed) throw forbidden(`只有「${region.name}」的工作人员可以解绑（请先私聊机器人绑定个人微信）`);
      // Deleted by id and bound time: a rebind that raced this unbind is not undone by it.
      const { deletedCount } = await Room.deleteOne({ _id: room._id, boundAt: room.boundAt });
      if (deletedCount === 0) throw new AppError(404, 'NOT_FOUND', '本群尚未绑定，无需解绑');
      await audit.record(String(user._id), 'unbind_room', 'room', roomId, {
        actorContactId: byContactId,
        chatId: roomId,
        details: { regionId: String(region._id) },
      });
      return { region: { id: String(region._id), name: region.name } };
    },

    async listRoomsForBot(): Promise<BoundRoom[]> {
      return toBoundRooms(await Room.find().sort({ boundAt: 1 }).lean<RoomDoc[]>());
    },

    async listRoomsFor(user: AuthUser): Promise<BoundRoom[]> {
      // Grid workers see the group chats of their grids' communities.
      const filter = regionScopeFilter({ ...user, scopePaths: readScopePaths(user) }, 'regionPath') ?? {};
      return toBoundRooms(await Room.find(filter).sort({ regionPath: 1, boundAt: 1 }).limit(1000).lean<RoomDoc[]>());
    },
  };

  /** The active staff account a WeChat contact is bound to (绑定我的微信), if any. */
  async function staffByContact(contactId: string): Promise<UserDoc | null> {
    const user = await users.contactUser(contactId);
    return user && isStaff(user.roles) ? user : null;
  }

  /** The communities a user staffs (a role's regions are those at its level: users/scope.ts). */
  async function communitiesStaffedBy(user: UserDoc): Promise<string[]> {
    if (!user.roles.includes('community_staff')) return [];
    return regions.pathsAtLevel(user.regionIds, 'community');
  }
}
export type BindingService = ReturnType<typeof bindingService>;

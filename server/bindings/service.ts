import { randomInt } from 'node:crypto';
import type { AppContext } from '../context';
import { AppError, badRequest, conflict, forbidden, isDuplicateKeyError, notFound } from '../core/errors';
import type { AuthUser } from '../core/route';
import type { RegionDoc } from '../regions/model';
import { toRegionSummary } from '../regions/service';
import { identityKey, type UserDoc } from '../users/model';
import { isStaff } from '../users/roles';
import { coversRegion, regionScopeFilter } from '../users/scope';
import type { RoomDoc } from './model';
import type { BindingCode, BoundRoom, CreateBindingCodeBody, RedeemBindingBody, RedeemResult } from './schemas';

const CODE_TTL_MS = 24 * 60 * 60 * 1000;
const TYPE_LABEL = { room: '群聊绑定码', contact: '个人微信绑定码' } as const;

export function bindingService(ctx: AppContext) {
  const { BindingCode: Codes, Room, Region, Identity, User } = ctx.models;

  async function regionOf(id: unknown): Promise<RegionDoc> {
    const r = await Region.findById(id).lean<RegionDoc>();
    if (!r) throw notFound('区域');
    return r;
  }

  async function toBoundRooms(rooms: RoomDoc[]): Promise<BoundRoom[]> {
    const regions = await Region.find({ _id: { $in: rooms.map((r) => r.regionId) } }).lean<RegionDoc[]>();
    const byId = new Map(regions.map((r) => [String(r._id), r]));
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
        if (!coversRegion(actor, region.path)) throw forbidden(`您不负责「${region.name}」，不能为它生成绑定码`);
        regionId = String(region._id);
      } else if (!isStaff(actor.roles)) {
        throw forbidden('只有工作人员可以绑定个人微信');
      }
      const expiresAt = new Date(ctx.now().getTime() + CODE_TTL_MS);
      // Six digits are easy to type on a phone; a clash with an old code is retried.
      for (let attempt = 0; attempt < 8; attempt++) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        try {
          await Codes.create({ code, type: body.type, regionId, createdBy: actor.id, expiresAt });
          return { code, type: body.type, regionId, expiresAt: expiresAt.toISOString() };
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      throw new AppError(503, 'BUSY', '绑定码生成繁忙，请稍后重试');
    },

    async redeem(body: RedeemBindingBody): Promise<RedeemResult> {
      const now = ctx.now();
      const found = await Codes.findOne({ code: body.code }).lean();
      if (!found) throw new AppError(404, 'NOT_FOUND', '绑定码无效，请核对后重新发送');
      // A spent code is spent wherever it is said: say so before anything else.
      if (found.usedAt) throw conflict('绑定码已使用，请在工作台重新生成');
      if (found.expiresAt <= now) throw conflict('绑定码已过期，请在工作台重新生成');
      if (found.type !== body.target.type) {
        throw badRequest(found.type === 'room' ? '这是群聊绑定码，请在要绑定的群里发送' : '这是个人微信绑定码，请私聊机器人发送');
      }

      const target = body.target;
      const usedFor = target.type === 'room' ? target.roomId : target.contactId;
      const claim = () => Codes.findOneAndUpdate({ _id: found._id, usedAt: null }, { $set: { usedAt: now, usedFor } }, { returnDocument: 'after' }).lean();

      if (target.type === 'room') {
        const region = await regionOf(found.regionId);
        if (!(await claim())) throw conflict('绑定码已使用，请在工作台重新生成');
        // A group bound again moves to the new community: the latest binding wins.
        await Room.findOneAndUpdate(
          { roomId: target.roomId },
          { $set: { topic: target.topic, regionId: region._id, regionPath: region.path, boundBy: found.createdBy, boundAt: now } },
          { upsert: true },
        );
        return { type: 'room', region: { id: String(region._id), name: region.name }, user: null };
      }

      const user = await User.findById(found.createdBy).lean<UserDoc>();
      if (!user) throw notFound('用户');
      const key = identityKey.contact(target.contactId);
      const existing = await Identity.findOne({ key }).lean();
      if (existing && String(existing.userId) !== String(user._id)) throw conflict('该微信号已绑定其他账号');
      if (!existing) {
        try {
          await Identity.create({ key, userId: user._id });
        } catch (err) {
          if (isDuplicateKeyError(err)) throw conflict('该微信号已绑定其他账号');
          throw err;
        }
      }
      if (!(await claim())) {
        if (!existing) await Identity.deleteOne({ key });
        throw conflict('绑定码已使用，请在工作台重新生成');
      }
      // One WeChat contact per user: a new binding replaces the old one.
      if (user.wechatContactId && user.wechatContactId !== target.contactId) await Identity.deleteOne({ key: identityKey.contact(user.wechatContactId) });
      await User.updateOne({ _id: user._id }, { $set: { wechatContactId: target.contactId } });
      return { type: 'contact', region: null, user: { id: String(user._id), name: user.name } };
    },

    async unbindRoom(roomId: string, byContactId: string): Promise<{ region: { id: string; name: string } }> {
      const room = await Room.findOne({ roomId }).lean<RoomDoc>();
      if (!room) throw new AppError(404, 'NOT_FOUND', '本群尚未绑定，无需解绑');
      const region = await regionOf(room.regionId);
      const identity = await Identity.findOne({ key: identityKey.contact(byContactId) }).lean();
      const user = identity ? await User.findById(identity.userId).lean<UserDoc>() : null;
      const allowed = user?.active && (user.roles.includes('admin') || (await regionPathsOf(user)).some((p) => region.path.startsWith(p)));
      if (!allowed) throw forbidden(`只有「${region.name}」的工作人员可以解绑（请先私聊机器人绑定个人微信）`);
      await Room.deleteOne({ _id: room._id });
      return { region: { id: String(region._id), name: region.name } };
    },

    async listRoomsForBot(): Promise<BoundRoom[]> {
      return toBoundRooms(await Room.find().sort({ boundAt: 1 }).lean<RoomDoc[]>());
    },

    async listRoomsFor(user: AuthUser): Promise<BoundRoom[]> {
      const filter = regionScopeFilter(user, 'regionPath') ?? {};
      return toBoundRooms(await Room.find(filter).sort({ regionPath: 1, boundAt: 1 }).limit(1000).lean<RoomDoc[]>());
    },
  };

  async function regionPathsOf(user: UserDoc): Promise<string[]> {
    const regions = await Region.find({ _id: { $in: user.regionIds } }).lean<RegionDoc[]>();
    return regions.map((r) => r.path);
  }
}

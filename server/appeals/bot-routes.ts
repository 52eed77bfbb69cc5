import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { route } from '../core/route';
import { conflict, forbidden, notFound } from '../core/errors';
import { BOT_USER } from '../auth';
import { userService } from '../users';
import { boundRooms } from '../bindings';
import { regionLookup } from '../regions';
import { appealModels, type AppealDoc } from './model';
import {
  BotAppealLookupQuery,
  BotAppealReceipt,
  BotAppealStatus,
  BotAttachPhotosBody,
  BotContactInfo,
  BotCreateAppealBody,
  ContactParams,
  NumberParams,
} from './schemas';
import { appealService } from './service';
import { appendEvents, event, type Actor } from './events';
import { requirePhotos } from './photos';
import { ACTION_LABELS, FINAL_STATES, STATE_LABELS } from './state-machine';
import { appealLimits } from './limits';

/**
 * The bot files group-chat appeals under one account of its own: the unique (account, key) index
 * makes a re-delivered message (same message id) one appeal.
 */
export const BOT_ACCOUNT_ID = new Types.ObjectId('b07b07b07b07b07b07b07b07');
/** A photo joins the member's appeal when it comes within this time (the bot uses a shorter window). */
const PHOTO_WINDOW_MS = 10 * 60 * 1000;

/** What the bot may say in a group about an appeal: no person, no note, no department. */
const receipt = (a: AppealDoc): BotAppealReceipt => ({
  id: String(a._id),
  number: a.number,
  state: a.state,
  stateLabel: STATE_LABELS[a.state],
  regionName: a.regionName,
  isPublic: a.isPublic,
});

import type { CategorySuggester } from './create';
export type { CategorySuggester };

export interface AppealBotRoutesOptions {
  /** The category suggestion (app.ts), asked by the filing itself (create.ts) for free text, as on every channel. */
  suggest?: CategorySuggester;
}

export function appealBotRoutes(ctx: AppContext, opts: AppealBotRoutesOptions = {}) {
  const appeals = appealService(ctx, { suggest: opts.suggest });
  const limits = appealLimits(ctx);
  const { Appeal } = appealModels(ctx.conn);
  const users = userService(ctx);
  const rooms = boundRooms(ctx);

  const botActor = (name: string): Actor => ({ id: null, name, role: 'bot' });

  /**
   * Whether `查询` may answer about this appeal: it was said from that contact, the contact's
   * account filed it or was its reporter, or it is asked in a bound group of the appeal's community.
   */
  async function mayAsk(a: AppealDoc, contactId: string, roomId: string | null): Promise<boolean> {
    if (a.reporterContactId === contactId) return true;
    if (roomId) {
      const room = await rooms.byRoomId(roomId);
      if (room && a.regionPath.startsWith(room.regionPath)) return true;
    }
    const user = await users.contactUser(contactId);
    return !!user && [a.reporterId, a.submittedById].some((id) => id && String(id) === String(user._id));
  }

  return [
    route({
      method: 'post', path: '/appeals', summary: '机器人：群聊报事或网格员转发代报', access: 'bot', body: BotCreateAppealBody, response: BotAppealReceipt, status: 201,
      handler: async ({ body, res }) => {
        let filed;
        if (body.channel === 'group_chat') {
          const room = await rooms.byRoomId(body.roomId!); // present: the body's refine requires it for group_chat
          if (!room) throw notFound('已绑定的群聊');
          // A re-delivered message gets its appeal back, whatever the limits say now.
          const first = await Appeal.findOne({ submittedById: BOT_ACCOUNT_ID, idempotencyKey: body.idempotencyKey }).lean<AppealDoc>();
          if (first) {
            res.locals.status = 200;
            return receipt(first);
          }
          // A spent group or bot budget refuses before a member's account is made.
          const shared = [...limits.room(room.roomId), ...limits.bot()];
          await limits.precheckFiling(shared);
          const resident = await users.residentForContact(body.contact, room.regionId);
          // Free text: the filing asks the suggestion (create.ts); a sure one is dispatched directly.
          filed = await appeals.file({
            idempotencyKey: body.idempotencyKey,
            submittedById: BOT_ACCOUNT_ID,
            submitter: botActor(`${body.contact.name}（${room.topic}）`),
            channel: 'group_chat',
            kind: 'help',
            categoryId: null,
            description: body.text,
            photoIds: body.photoIds,
            photoOwnerId: BOT_USER.id,
            regionId: String(room.regionId),
            place: null,
            // Said in a group, but a member never chose to publish: private unless they asked (公开).
            isPublic: body.isPublic,
            isAnonymous: false,
            reporterId: resident._id,
            reporterName: body.contact.name,
            reporterPhone: resident.phone,
            roomId: room.roomId,
            reporterContactId: body.contact.id,
            limits: [...limits.account('resident', resident._id), ...shared],
          });
        } else {
          const worker = await users.contactUser(body.contact.id);
          if (!worker?.roles.includes('grid_worker') || worker.regionIds.length === 0) throw forbidden('只有已绑定微信的网格员可以转发代报');
          // A forward is free text too: the same suggestion, made by the filing (create.ts).
          filed = await appeals.file({
            idempotencyKey: body.idempotencyKey,
            submittedById: worker._id,
            submitter: { id: worker._id, name: worker.name, role: 'grid_worker' },
            channel: 'grid_worker',
            kind: 'help',
            categoryId: null,
            description: body.text,
            photoIds: body.photoIds,
            photoOwnerId: BOT_USER.id,
            regionId: String(worker.regionIds[0]),
            place: null,
            isPublic: body.isPublic,
            isAnonymous: false,
            reporterId: null,
            reporterName: '群众（网格员转发）',
            reporterPhone: null,
            limits: [...limits.account('staff', worker._id), ...limits.bot()],
          });
        }
        if (filed.created) appeals.relay.kick(filed.appeal._id);
        if (!filed.created) res.locals.status = 200;
        return receipt(filed.appeal);
      },
    }),
    route({
      method: 'post', path: '/appeals/photos', summary: '机器人：群成员随后发的图片补充到其诉求', access: 'bot', body: BotAttachPhotosBody, response: BotAppealReceipt,
      handler: async ({ body }) => {
        await requirePhotos(ctx, body.photoIds, BOT_USER.id, 'body.photoIds');
        const since = new Date(ctx.now().getTime() - PHOTO_WINDOW_MS);
        const a = await Appeal.findOne({ roomId: body.roomId, reporterContactId: body.contactId, submittedAt: { $gte: since } }, { timeline: 0 }).sort({ _id: -1 }).lean<AppealDoc>();
        if (!a || FINAL_STATES.includes(a.state)) throw notFound('刚提交的诉求');
        const fresh = body.photoIds.filter((id) => !a.photoIds.includes(id)).slice(0, Math.max(0, 9 - a.photoIds.length));
        if (fresh.length === 0) return receipt(a);
        // Conditioned on the version read, so two photos at once cannot push past nine.
        const updated = await Appeal.findOneAndUpdate(
          { _id: a._id, eventCount: a.eventCount },
          { $push: { photoIds: { $each: fresh }, timeline: event(ctx.now(), 'photo', botActor(a.reporterName), null, null, `补充 ${fresh.length} 张图片`) }, $inc: { eventCount: 1 }, $set: { notifyPending: true } },
          { returnDocument: 'after' },
        ).lean<AppealDoc>();
        if (!updated) throw conflict('同时收到多张图片，请稍后重发');
        return receipt(updated);
      },
    }),
    route({
      method: 'get', path: '/appeals/by-number/:number', summary: '机器人：按编号查询诉求进度（本群社区或本人的诉求）', access: 'bot', params: NumberParams, query: BotAppealLookupQuery, response: BotAppealStatus,
      handler: async ({ params, query }) => {
        await limits.admitQuery(query.contactId, query.roomId ?? null);
        const a = await Appeal.findOne({ number: params.number }).lean<AppealDoc>();
        // Someone else's appeal elsewhere is answered like a number that does not exist.
        if (!a || !(await mayAsk(a, query.contactId, query.roomId ?? null))) throw notFound(`编号 ${params.number} 的诉求`);
        const last = [...a.timeline].reverse().find((e) => e.action !== 'follow' && e.action !== 'photo') ?? a.timeline[a.timeline.length - 1];
        return {
          number: a.number,
          state: a.state,
          stateLabel: STATE_LABELS[a.state],
          lastStep: { label: ACTION_LABELS[last.action] ?? last.action, at: last.at.toISOString() },
        };
      },
    }),
    route({
      method: 'get', path: '/contacts/:contactId', summary: '机器人：私聊联系人是否为已绑定的网格员', access: 'bot', params: ContactParams, response: BotContactInfo,
      handler: async ({ params }) => {
        const u = await users.contactUser(params.contactId);
        if (!u?.roles.includes('grid_worker')) return { gridWorker: false, name: null, regionName: null };
        const region = u.regionIds[0] ? await regionLookup(ctx).byId(u.regionIds[0]) : null;
        return { gridWorker: true, name: u.name, regionName: region ? region.pathNames.slice(1).join(' / ') || region.name : null };
      },
    }),
  ];
}

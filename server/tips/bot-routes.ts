/**
 * Tips (爆料) through the bot (DESIGN "The bot in group chats"): `#爆料 …` in a bound group chat or
 * in a private chat with the bot files a tip for the newsroom (channel `bot`, the room and the
 * contact kept so a reply goes back to that chat), and the sender's photos of the next minutes in
 * the same chat join it. A contact linked to a mini-program account (绑定我的微信) sends as that
 * account: the tip shows in their 我的爆料. Anyone else's tips belong to the bot's own account, so
 * the unique (tipster, key) index makes a re-delivered message (same message id) one tip.
 *
 * The bot is told only a tip's label and photo count: what it may say in a group.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { conflict, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { BOT_USER } from '../auth';
import { boundRooms } from '../bindings';
import { photoService } from '../photos';
import { userService, type UserDoc } from '../users';
import { tipModels, type TipDoc, type TipEvent, type TipState } from './model';
import { tipLimits } from './limits';
import { BotAttachTipPhotosBody, BotCreateTipBody, BotTipReceipt } from './schemas';
import { tipLabel, TIP_BOT_ACCOUNT_ID } from './service';

/** The tipster of tips from WeChat contacts not linked to an account (one account for all, like appeals' bot account). */
export { TIP_BOT_ACCOUNT_ID };
/** A photo joins its sender's tip when it comes within this time (the bot uses a shorter window). */
const PHOTO_WINDOW_MS = 10 * 60 * 1000;
const MAX_PHOTOS = 9;
/** A tip that the newsroom has used or declined takes no more photos. */
const OPEN_STATES: readonly TipState[] = ['new', 'taken'];

const receipt = (t: Pick<TipDoc, '_id' | 'photoIds'>): BotTipReceipt => ({ label: tipLabel(t), photoCount: t.photoIds.length });

export function tipBotRoutes(ctx: AppContext): RouteDef[] {
  const { Tip } = tipModels(ctx.conn);
  const limits = tipLimits(ctx);
  const users = userService(ctx);
  const rooms = boundRooms(ctx);

  /** The linked account a contact sends as: an active user bound to it (any role), else none. */
  const accountOf = (contactId: string): Promise<UserDoc | null> => users.contactUser(contactId);

  return [
    route({
      method: 'post', path: '/tips', summary: '机器人：群聊或私聊中的 #爆料（同一条消息重投只生成一条爆料）', access: 'bot', body: BotCreateTipBody, response: BotTipReceipt, status: 201,
      handler: async ({ body, res }) => {
        const roomId = body.roomId ?? null;
        // Only a bound group: the newsroom must know where a tip was said, and an unbound group answers with how to bind.
        if (roomId && !(await rooms.byRoomId(roomId))) throw notFound('已绑定的群聊');
        const account = await accountOf(body.contact.id);
        const tipsterId = account?._id ?? TIP_BOT_ACCOUNT_ID;
        const content = { roomId, contactId: body.contact.id, text: body.text };
        const hash = requestHash(content);
        const { doc, created } = await createOnce<TipDoc>({
          // A message re-delivered after its contact was linked (or unlinked) is still the same tip.
          findFirst: () => Tip.findOne({ tipsterId: { $in: [TIP_BOT_ACCOUNT_ID, ...(account ? [account._id] : [])] }, idempotencyKey: body.idempotencyKey }).lean<TipDoc>(),
          admit: () => limits.admitBot(body.contact.id, roomId, account?._id ?? null),
          hash,
          hashOf: (t) => t.requestHash,
          insert: async () => {
            const at = ctx.now();
            const tipsterName = account?.name ?? body.contact.name;
            const submit: TipEvent = { _id: new Types.ObjectId(), at, action: 'submit', byId: tipsterId, byName: tipsterName, byKind: 'public', byRole: null, from: null, to: 'new', note: null };
            const created = await Tip.create({
              text: body.text,
              photoIds: [],
              place: null,
              happenedAt: null,
              // Said in a chat, never asked: the newsroom sees the tipster as 匿名 and credits no one.
              mayContact: false,
              mayCredit: false,
              state: 'new',
              channel: 'bot',
              tipsterId,
              tipsterName,
              tipsterPhone: account?.phone ?? null,
              roomId,
              contactId: body.contact.id,
              idempotencyKey: body.idempotencyKey,
              requestHash: hash,
              history: [submit],
              version: 0,
              // On the app's clock, which the photo window below reads.
              createdAt: at,
            });
            return created.toObject() as TipDoc;
          },
        });
        if (!created) res.locals.status = 200;
        return receipt(doc);
      },
    }),
    route({
      method: 'post', path: '/tips/photos', summary: '机器人：爆料人随后在同一聊天发的图片补充到其爆料', access: 'bot', body: BotAttachTipPhotosBody, response: BotTipReceipt,
      handler: async ({ body }) => {
        await photoService(ctx).requireOwned(body.photoIds, BOT_USER.id, 'body.photoIds');
        const since = new Date(ctx.now().getTime() - PHOTO_WINDOW_MS);
        const t = await Tip.findOne({ contactId: body.contactId, channel: 'bot', roomId: body.roomId ?? null, createdAt: { $gte: since } }, { history: 0 })
          .sort({ _id: -1 })
          .lean<TipDoc>();
        if (!t || !OPEN_STATES.includes(t.state)) throw notFound('刚发送的爆料');
        const fresh = [...new Set(body.photoIds)].filter((id) => !t.photoIds.includes(id)).slice(0, Math.max(0, MAX_PHOTOS - t.photoIds.length));
        if (fresh.length === 0) return receipt(t);
        // On the version read: two photos at once cannot push past nine, and an editor's move
        // made on the version before the photo is a 409 (they reload and see it).
        const updated = await Tip.findOneAndUpdate(
          { _id: t._id, version: t.version, state: { $in: OPEN_STATES } },
          { $push: { photoIds: { $each: fresh } }, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ).lean<TipDoc>();
        if (!updated) throw conflict('同时收到多张图片，请稍后重发');
        return receipt(updated);
      },
    }),
  ];
}

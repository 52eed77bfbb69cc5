import { z } from 'zod';
import { IdempotencyKey, objectId, trimmed } from '../core/validate';
import { PhotoIds } from '../photos';
import { WECHAT_ID_MAX } from '../outbox';
import { EditVersion } from '../news';
import { APPEAL_KINDS } from '../../common/appeal-labels';
import { TIP_ACTIONS, TIP_CHANNELS, TIP_STATES } from './model';

/** The tips' shapes, defined once: the routes validate with them and the apps import their types. */
export const TIP_STATE_LABELS: Record<(typeof TIP_STATES)[number], string> = { new: '待处理', taken: '已认领', used: '已采用', declined: '未采用', moved: '已转诉求' };

export const CreateTipBody = z.strictObject({
  text: trimmed(5, 2000),
  photoIds: PhotoIds.max(9).default([]),
  place: trimmed(1, 100).nullable().default(null),
  happenedAt: z.iso.datetime({ offset: true }).nullable().default(null),
  mayContact: z.boolean(),
  mayCredit: z.boolean(),
  idempotencyKey: IdempotencyKey,
});
export type CreateTipBody = z.infer<typeof CreateTipBody>;

export const ListTipsQuery = z.strictObject({
  view: z.enum(['mine', 'queue']).default('mine'),
  state: z.enum(TIP_STATES).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type ListTipsQuery = z.infer<typeof ListTipsQuery>;

/** Every move names the version it was made on (or `If-Match: "v<version>"`): a stale one is a 409. */
const version = { version: EditVersion.optional() };
export const TipMoveBodies = {
  take: z.strictObject({ ...version }),
  decline: z.strictObject({ ...version, reason: trimmed(2, 200) }),
  reply: z.strictObject({ ...version, text: trimmed(2, 500) }),
  use: z.strictObject({ ...version, articleId: objectId }),
  draft: z.strictObject({ ...version, columnId: objectId, title: trimmed(4, 60).optional() }),
  /** 转为诉求: filed in the appeal loop for a community or grid, of a kind, in a category when known. */
  to_appeal: z.strictObject({ ...version, regionId: objectId, kind: z.enum(APPEAL_KINDS), categoryId: objectId.optional() }),
};

/**
 * 转为新闻线索: a dispatcher sends a submitted appeal to the newsroom. `version` is the appeal's
 * (AppealDetail.version), as its other versioned moves take it; `note` is for the newsroom.
 */
export const FromAppealBody = z.strictObject({ appealId: objectId, version: z.number().int().min(0), note: trimmed(2, 200).optional() });
export type FromAppealBody = z.infer<typeof FromAppealBody>;
/** What the dispatcher learns: the tip's label and the appeal's new state, nothing of the newsroom's. */
export const FromAppealResult = z.object({ tipLabel: z.string(), appealId: z.string(), appealState: z.string() });
export type FromAppealResult = z.infer<typeof FromAppealResult>;

export const TipEventView = z.object({
  at: z.string(),
  action: z.enum(TIP_ACTIONS),
  by: z.string(),
  from: z.enum(TIP_STATES).nullable(),
  to: z.enum(TIP_STATES),
  note: z.string().nullable(),
});

export const TipSummary = z.object({
  id: z.string(),
  text: z.string(),
  state: z.enum(TIP_STATES),
  stateLabel: z.string(),
  photoCount: z.number().int(),
  channel: z.enum(TIP_CHANNELS),
  createdAt: z.string(),
});
export type TipSummary = z.infer<typeof TipSummary>;
export const TipPage = z.object({ items: z.array(TipSummary), nextCursor: z.string().nullable() });
export type TipPage = z.infer<typeof TipPage>;

export const TipDetail = TipSummary.extend({
  photoIds: z.array(z.string()),
  place: z.string().nullable(),
  happenedAt: z.string().nullable(),
  mayContact: z.boolean(),
  mayCredit: z.boolean(),
  /** As the appearance rule shows the tipster to this viewer (their own name, or 匿名 to the newsroom without consent). */
  tipsterName: z.string(),
  /** Only to the newsroom, and only when the tipster agreed to be contacted. */
  tipsterPhone: z.string().nullable(),
  takenBy: z.string().nullable(),
  declineReason: z.string().nullable(),
  articleId: z.string().nullable(),
  draftArticleId: z.string().nullable(),
  /** The appeal it became (state moved) or came from (fromAppeal), by id and ticket number. */
  appealId: z.string().nullable(),
  appealNumber: z.string().nullable(),
  fromAppeal: z.boolean(),
  history: z.array(TipEventView),
  version: z.number().int(),
});
export type TipDetail = z.infer<typeof TipDetail>;

// ---- Through the bot (bot-routes.ts): `#爆料 …` in a bound group or a private chat ----

const wechatId = z.string().min(1).max(WECHAT_ID_MAX);

/** A `#爆料` the bot heard: the message id as the key (a re-delivered message is one tip). */
export const BotCreateTipBody = z.strictObject({
  idempotencyKey: IdempotencyKey,
  /** The bound group it was said in; absent: said in a private chat with the bot. */
  roomId: wechatId.optional(),
  /** Who said it: the WeChat contact and the name WeChat shows. */
  contact: z.strictObject({ id: wechatId, name: trimmed(1, 60) }),
  text: trimmed(5, 2000),
});
export type BotCreateTipBody = z.infer<typeof BotCreateTipBody>;

/** Photos the same contact sends in the same chat shortly after their tip. */
export const BotAttachTipPhotosBody = z.strictObject({ roomId: wechatId.optional(), contactId: wechatId, photoIds: PhotoIds.min(1) });
export type BotAttachTipPhotosBody = z.infer<typeof BotAttachTipPhotosBody>;

/** What the bot may say about a tip, in a group too: its label and photo count, nothing personal. */
export const BotTipReceipt = z.object({ label: z.string(), photoCount: z.number().int() });
export type BotTipReceipt = z.infer<typeof BotTipReceipt>;

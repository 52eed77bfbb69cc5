/**
 * The one definition of every appeal shape the API takes and gives. The mini-program and the bot
 * import these types (types only); the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { IdempotencyKey, objectId, trimmed } from '../core/validate';
import { PhotoIds, PhotoRef } from '../photos';
import { WECHAT_ID_MAX } from '../outbox';
import { latitude, longitude } from '../regions';
import { APPEAL_CHANNELS, APPEAL_KINDS, APPEAL_STATES, MOVES, EVENTS } from './state-machine';

export const AppealKind = z.enum(APPEAL_KINDS);
export const AppealState = z.enum(APPEAL_STATES);
export const AppealChannel = z.enum(APPEAL_CHANNELS);
const actionNames = [...Object.keys(MOVES), ...Object.keys(EVENTS)] as [string, ...string[]];
export const AppealAction = z.enum(actionNames);
import { SATISFACTION, SATISFACTION_LABELS } from '../../common/appeal-labels';
export { SATISFACTION, SATISFACTION_LABELS };
export const Satisfaction = z.enum(SATISFACTION);

const phone = z.string().trim().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, '请输入有效的手机号或座机号');
const note = trimmed(1, 500);
const reason = trimmed(2, 500);

/**
 * Who reported it, as the viewer may see it: handlers see the name and phone; everyone else a
 * masked name (张*) and no phone; anonymous appeals show 匿名 to all but dispatchers.
 */
export const ReporterView = z.object({
  name: z.string(),
  phone: z.string().nullable(),
  /** Present only to those who may see the phone, when an outside system (Open311) gave one. */
  email: z.string().optional(),
  masked: z.boolean(),
});

export const AppealSummary = z.object({
  id: z.string(),
  number: z.string(),
  kind: AppealKind,
  kindLabel: z.string(),
  state: AppealState,
  stateLabel: z.string(),
  channel: AppealChannel,
  channelLabel: z.string(),
  categoryId: z.string().nullable(),
  categoryName: z.string().nullable(),
  /**
   * 建议分类: the category the server suggested when the appeal came in without one (the bot's
   * intake), with its score (0..1). Only for staff working on it, only while it has no category;
   * a hint for the dispatcher, never the appeal's category. Absent otherwise.
   */
  suggestion: z.object({ categoryId: z.string(), categoryName: z.string(), score: z.number() }).optional(),
  regionId: z.string(),
  /** 城关镇 / 西城社区 / 第一网格 */
  regionName: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  /** The first 80 characters of the description. */
  excerpt: z.string(),
  thumbUrl: z.string().nullable(),
  reporterName: z.string(),
  isPublic: z.boolean(),
  submittedAt: z.string(),
  /** The deadline of the current step (accept, first contact, resolve; the rating window once replied). */
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  directDispatch: z.boolean(),
  followersCount: z.number().int(),
});
export type AppealSummary = z.infer<typeof AppealSummary>;

export const TimelineEntry = z.object({
  at: z.string(),
  action: AppealAction,
  actionLabel: z.string(),
  from: AppealState.nullable(),
  to: AppealState.nullable(),
  /** 系统 for the server's own moves; a staff member's name; 居民 for the reporter in public views. */
  byName: z.string(),
  byRole: z.string().nullable(),
  note: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** What the viewer may do now; the workbench shows exactly these buttons. */
export const ALLOWED_ACTIONS = ['accept', 'reject', 'merge', 'assign', 'return', 'transfer', 'start', 'reply', 'rate', 'reopen', 'remind', 'follow', 'review', 'unpublish'] as const;
export const AllowedAction = z.enum(ALLOWED_ACTIONS);
export type AllowedAction = z.infer<typeof AllowedAction>;

/**
 * The place on the map (GCJ-02, as WeChat's chooseLocation gives it; Open311's lat/long), as the
 * viewer may see it (people/privacy.ts): exact to those working on the appeal and whoever filed it;
 * rounded to about 1 km, with house numbers masked in its name and address, to everyone else.
 */
export const AppealLocationView = z.object({
  lat: z.number(),
  lng: z.number(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  /** Rounded for this viewer: show it as an area, not a spot. */
  approximate: z.boolean(),
});
export type AppealLocationView = z.infer<typeof AppealLocationView>;

/** The point a filing may carry beside the text place: `{ lat, lng, name?, address? }`, inside China's rough box. */
export const AppealLocationInput = z.strictObject({
  lat: latitude,
  lng: longitude,
  name: trimmed(1, 100).optional(),
  address: trimmed(1, 200).optional(),
});
export type AppealLocationInput = z.infer<typeof AppealLocationInput>;

export const AppealDetail = AppealSummary.extend({
  description: z.string(),
  place: z.string().nullable(),
  location: AppealLocationView.nullable(),
  photos: z.array(PhotoRef),
  reporter: ReporterView,
  isAnonymous: z.boolean(),
  deadlines: z.object({ acceptBy: z.string(), firstContactBy: z.string(), resolveBy: z.string() }),
  answer: z.object({ text: z.string(), photos: z.array(PhotoRef), at: z.string(), departmentName: z.string().nullable() }).nullable(),
  rating: z.object({ resolved: z.boolean(), satisfaction: Satisfaction, satisfactionLabel: z.string(), comment: z.string().nullable(), at: z.string() }).nullable(),
  duplicateOf: z.object({ id: z.string(), number: z.string() }).nullable(),
  timeline: z.array(TimelineEntry),
  /** Seconds from submission to assignment (a measure); null until assigned. */
  dispatchSeconds: z.number().nullable(),
  /** Whether the viewer follows it (同问) or filed it. */
  mine: z.boolean(),
  allowedActions: z.array(AllowedAction),
  /** The appeal's version (its timeline's length): a move that names one (撤下) is refused 409 when it is stale. */
  version: z.number().int(),
  /** Taken off the public board (撤下公开): when, by whom and why; shown to those who work on it, else null. */
  boardRemoved: z.object({ at: z.string(), byName: z.string(), reason: z.string() }).nullable(),
});
export type AppealDetail = z.infer<typeof AppealDetail>;

export const CreateAppealBody = z
  .strictObject({
    idempotencyKey: IdempotencyKey,
    kind: AppealKind,
    /** Null or absent: the category suggestion is made from the description (a sure one files and dispatches as if chosen; else a hint for the dispatcher). */
    categoryId: objectId.nullable().default(null),
    description: trimmed(5, 2000),
    photoIds: PhotoIds.default([]),
    /** The community (社区/村) or grid (网格) where it happens. */
    regionId: objectId,
    place: trimmed(1, 100).nullable().default(null),
    /** The point chosen on the map (WeChat's chooseLocation, the browser's geolocation), beside the text place. */
    location: AppealLocationInput.nullable().default(null),
    isPublic: z.boolean().default(true),
    isAnonymous: z.boolean().default(false),
    /** Staff filing for someone else: a grid worker's 代报, a hotline operator's 代录. Residents leave it out. */
    channel: z.enum(['grid_worker', 'hotline']).optional(),
    /** The person the appeal is for, when staff file it; the phone is shown only to handlers. */
    reporter: z.strictObject({ name: trimmed(1, 20), phone: phone.nullable().default(null) }).optional(),
  })
  .refine((b) => !b.channel || b.reporter, { message: '代报、代录需要填写反映人', path: ['reporter'] })
  .refine((b) => b.channel || !b.reporter, { message: '只有代报、代录时才填写反映人', path: ['reporter'] });
export type CreateAppealBody = z.infer<typeof CreateAppealBody>;

export const APPEAL_VIEWS = ['mine', 'inbox', 'queue', 'direct', 'overdue', 'public'] as const;
// A calendar day that exists: 2026-02-30 matches the pattern but Date.parse would roll it to 2 March.
const dateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, '没有这一天，请检查日期');

export const ListAppealsQuery = z.strictObject({
  /**
   * mine: filed or followed by me; inbox: everything in my scope (staff); queue: waiting for a
   * dispatcher (待受理, 已受理未派); direct: direct dispatches not yet reviewed; overdue: past their
   * deadline in my scope; public: public appeals anyone may read.
   */
  view: z.enum(APPEAL_VIEWS).default('inbox'),
  /** One state or several, comma-separated. */
  state: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(AppealState).min(1).max(APPEAL_STATES.length))
    .optional(),
  /** A ticket number, as read out on the phone (case and spaces do not matter). */
  number: z.string().trim().toUpperCase().regex(/^[A-Z]{1,8}-\d{8}-\d{4,6}$/, '编号格式如 DX-20261126-0042').optional(),
  categoryId: objectId.optional(),
  regionId: objectId.optional(),
  departmentId: objectId.optional(),
  overdue: z.enum(['true', 'false']).optional(),
  /** Submitted on or after this day, China time. */
  from: dateOnly.optional(),
  /** Submitted on or before this day, China time. */
  to: dateOnly.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type ListAppealsQuery = z.infer<typeof ListAppealsQuery>;

/** Overdue appeals first, then newest first; `nextCursor` null on the last page. */
export const AppealPage = z.object({ items: z.array(AppealSummary), nextCursor: z.string().nullable() });
export type AppealPage = z.infer<typeof AppealPage>;

/** The inbox badges: appeals in the caller's scope per state, and the queues that need someone. */
export const AppealCounts = z.object({
  byState: z.record(AppealState, z.number().int()),
  overdue: z.number().int(),
  queue: z.number().int(),
  direct: z.number().int(),
});
export type AppealCounts = z.infer<typeof AppealCounts>;

export const SimilarQuery = z.strictObject({ categoryId: objectId, regionId: objectId });
/** 同问: open appeals of the same category in the same community in recent days. */
export const SimilarList = z.object({ items: z.array(AppealSummary) });

export const AcceptBody = z.strictObject({ note: note.optional(), categoryId: objectId.optional() });
export const RejectBody = z.strictObject({ reason });
export const MergeBody = z.strictObject({ intoId: objectId, note: note.optional() });
export const AssignBody = z.strictObject({ departmentId: objectId, note: note.optional(), categoryId: objectId.optional() });
export const ReturnBody = z.strictObject({ reason });
export const TransferBody = z.strictObject({ departmentId: objectId, reason });
export const StartBody = z.strictObject({ note: note.optional() });
export const ReplyBody = z.strictObject({ answer: trimmed(5, 2000), photoIds: PhotoIds.default([]) });
export const RateBody = z.strictObject({ resolved: z.boolean(), satisfaction: Satisfaction, comment: trimmed(1, 500).optional() });
export const ReopenBody = z.strictObject({ reason });
export const RemindBody = z.strictObject({ note: note.optional() });
export const FollowBody = z.strictObject({});
export const ReviewBody = z.strictObject({ note: note.optional() });

export type MoveBodies = {
  accept: z.infer<typeof AcceptBody>;
  reject: z.infer<typeof RejectBody>;
  merge: z.infer<typeof MergeBody>;
  assign: z.infer<typeof AssignBody>;
  return: z.infer<typeof ReturnBody>;
  transfer: z.infer<typeof TransferBody>;
  start: z.infer<typeof StartBody>;
  reply: z.infer<typeof ReplyBody>;
  rate: z.infer<typeof RateBody>;
  reopen: z.infer<typeof ReopenBody>;
};

// ---- The bot's endpoints (/api/v1/bot/appeals ...) ----
// What the bot gets back about an appeal (receipt, status) carries no personal data: no reporter,
// no note, no department, no staff name. The bot may say any of it in a group chat.

/** A member's message in a bound group (`#报事 ...`), or a grid worker's confirmed forward. */
export const BotCreateAppealBody = z.strictObject({
  /** The puppet's message id: a retried call files nothing new. */
  idempotencyKey: IdempotencyKey,
  channel: z.enum(['group_chat', 'grid_worker']),
  /** group_chat: the bound room it was said in. */
  roomId: z.string().min(1).max(WECHAT_ID_MAX).optional(),
  /** Who said it (group_chat) or who forwarded it (grid_worker: a contact bound to a grid worker). */
  contact: z.strictObject({ id: z.string().min(1).max(WECHAT_ID_MAX), name: trimmed(1, 60) }),
  text: trimmed(2, 2000),
  photoIds: PhotoIds.default([]),
  /** Appeals from the bot are private unless the member asked for publication (`#报事 公开 …`). */
  isPublic: z.boolean().default(false),
})
  .refine((b) => b.channel !== 'group_chat' || b.roomId, { message: '群聊诉求需要群编号', path: ['roomId'] });
export type BotCreateAppealBody = z.infer<typeof BotCreateAppealBody>;

export const BotAppealReceipt = z.object({ id: z.string(), number: z.string(), state: AppealState, stateLabel: z.string(), regionName: z.string(), isPublic: z.boolean() });
export type BotAppealReceipt = z.infer<typeof BotAppealReceipt>;

/** A photo sent by the same member shortly after their appeal joins it. */
export const BotAttachPhotosBody = z.strictObject({ roomId: z.string().min(1).max(WECHAT_ID_MAX), contactId: z.string().min(1).max(WECHAT_ID_MAX), photoIds: PhotoIds.min(1) });

export const NumberParams = z.strictObject({ number: z.string().trim().toUpperCase().regex(/^[A-Z]{1,8}-\d{8}-\d{4,6}$/, '编号格式如 DX-20261126-0042') });
/**
 * Who asks `查询 <编号>`: the WeChat contact, and the group chat when asked in one. The answer is
 * given only for the asking group's community or the contact's own appeals (404 otherwise).
 */
export const BotAppealLookupQuery = z.strictObject({ contactId: z.string().min(1).max(WECHAT_ID_MAX), roomId: z.string().min(1).max(WECHAT_ID_MAX).optional() });
/** `查询 <编号>`: the state and the last step's label and time; never a note or a name. */
export const BotAppealStatus = z.object({ number: z.string(), state: AppealState, stateLabel: z.string(), lastStep: z.object({ label: z.string(), at: z.string() }) });
export type BotAppealStatus = z.infer<typeof BotAppealStatus>;

/** Whether a private-chat contact is a bound grid worker (only they may forward appeals to the bot). */
export const ContactParams = z.strictObject({ contactId: z.string().regex(new RegExp(`^[A-Za-z0-9_@.:-]{1,${WECHAT_ID_MAX}}$`), '联系人编号无效') });
export const BotContactInfo = z.object({ gridWorker: z.boolean(), name: z.string().nullable(), regionName: z.string().nullable() });
export type BotContactInfo = z.infer<typeof BotContactInfo>;

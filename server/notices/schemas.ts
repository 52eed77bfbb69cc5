/**
 * The one definition of every notice (通知公告) shape: the notice, its scope and its deliveries to
 * bound group chats. The mini-program imports these types (types only).
 */
import { z } from 'zod';
import { IdempotencyKey, objectId, trimmed } from '../core/validate';
import { OUTBOX_STATES } from '../outbox';
import { NOTICE_LEVELS, NOTICE_STATES } from '../../common/news-labels';
import { EditVersion } from '../news';
import { NOTICE_LINK_KINDS } from './model';

export const NoticeLevel = z.enum(NOTICE_LEVELS);
export type NoticeLevel = z.infer<typeof NoticeLevel>;
export const NoticeState = z.enum(NOTICE_STATES);
export type NoticeState = z.infer<typeof NoticeState>;

export const NoticeSummary = z.object({
  id: z.string(),
  title: z.string(),
  level: NoticeLevel,
  levelLabel: z.string(),
  /** Names of the regions in scope (the county's name when county-wide). */
  regionNames: z.array(z.string()),
  /** Emergency notices stay pinned on top while published. */
  pinned: z.boolean(),
  publishedAt: z.string().nullable(),
  /** The first 80 characters of the body. */
  excerpt: z.string(),
});
export type NoticeSummary = z.infer<typeof NoticeSummary>;

/** Emergency first, then important, then newest; `nextCursor` null on the last page. */
export const NoticePage = z.object({ items: z.array(NoticeSummary), nextCursor: z.string().nullable() });
export type NoticePage = z.infer<typeof NoticePage>;

export const NoticeDetail = NoticeSummary.extend({
  body: z.string(),
  publisherName: z.string(),
  /** The record it is about (a consultation's decision links the consultation), or null. */
  link: z.object({ kind: z.enum(NOTICE_LINK_KINDS), id: z.string() }).nullable(),
});
export type NoticeDetail = z.infer<typeof NoticeDetail>;

/** Per state: how the notice's deliveries to group chats stand. */
export const DeliveryCounts = z.record(z.enum(OUTBOX_STATES), z.number().int());

export const NoticeManageItem = NoticeDetail.extend({
  state: NoticeState,
  stateLabel: z.string(),
  regionIds: z.array(z.string()),
  createdByName: z.string(),
  updatedAt: z.string(),
  deliveries: DeliveryCounts,
  /** Moves on with every write; an edit names the version it was made on (also the ETag `"v<version>"`). */
  version: z.number().int(),
});
export type NoticeManageItem = z.infer<typeof NoticeManageItem>;
export const NoticeManagePage = z.object({ items: z.array(NoticeManageItem), nextCursor: z.string().nullable() });

const noticeFields = {
  title: trimmed(4, 40),
  /** Plain text: it goes into group chats as it is. */
  body: trimmed(4, 1500),
  level: NoticeLevel.default('normal'),
  /** Townships or communities; empty: the whole county. Community staff may only name their own communities. */
  regionIds: z.array(objectId).max(30).default([]),
};
/** A retry of the same save (same key, same writer) gets the first draft back, not a second one. */
export const CreateNoticeBody = z.strictObject({ ...noticeFields, idempotencyKey: IdempotencyKey });
export type CreateNoticeBody = z.infer<typeof CreateNoticeBody>;
/** An edit names the version it was made on (here or `If-Match: "v<version>"`); a stale one is a 409. */
export const UpdateNoticeBody = z.strictObject({
  version: EditVersion.optional(),
  title: noticeFields.title.optional(),
  body: noticeFields.body.optional(),
  level: NoticeLevel.optional(),
  regionIds: z.array(objectId).max(30).optional(),
});
export const WithdrawNoticeBody = z.strictObject({ reason: trimmed(2, 200) });

/** The delivery of one notice to one bound group chat (an outbox record). */
export const NoticeDelivery = z.object({
  roomId: z.string(),
  roomTopic: z.string(),
  regionName: z.string(),
  state: z.enum(OUTBOX_STATES),
  stateLabel: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
});
export type NoticeDelivery = z.infer<typeof NoticeDelivery>;
export const NoticeDeliveryList = z.object({ items: z.array(NoticeDelivery), counts: DeliveryCounts });
export type NoticeDeliveryList = z.infer<typeof NoticeDeliveryList>;

const cursor = z.string().max(200).optional();
const limit = z.coerce.number().int().min(1).max(50).default(20);
/** Published notices for a region (the reader's community: its own, its township's and county-wide ones). */
export const NoticeListQuery = z.strictObject({ regionId: objectId.optional(), q: trimmed(1, 40).optional(), cursor, limit });
export const NoticeManageQuery = z.strictObject({
  state: NoticeState.optional(),
  q: trimmed(1, 40).optional(),
  cursor,
  limit,
});

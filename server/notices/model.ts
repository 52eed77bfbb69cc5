import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';
import type { Role } from '../../common/roles';
import { NOTICE_LEVELS, NOTICE_STATES, type NoticeLevelName, type NoticeStateName } from '../../common/news-labels';

export const NOTICES_CACHE = 'notices';

/** A record a notice links to; only kinds the mini-program can open. */
export const NOTICE_LINK_KINDS = ['consultation'] as const;
export interface NoticeLink {
  kind: (typeof NOTICE_LINK_KINDS)[number];
  id: string;
}

/**
 * A notice (通知公告). Publishing it enqueues one outbox record per bound group chat in scope
 * (dedupeKey `notice:<id>:<roomId>`, ref `notice:<id>`), emergencies at the front of the queue.
 */
export interface NoticeDoc {
  _id: Types.ObjectId;
  title: string;
  body: string;
  level: NoticeLevelName;
  /** Scope: the regions named and their paths; empty arrays mean the whole county. */
  regionIds: Types.ObjectId[];
  regionPaths: string[];
  regionNames: string[];
  state: NoticeStateName;
  /** Emergency notices stay on top while published. */
  pinned: boolean;
  /** The list's single sort key, descending: `<level rank 2/1/0><publishedAt ms, 13 digits><_id hex>`. */
  listKey: string | null;
  searchTerms: string[];
  createdById: Types.ObjectId;
  createdByName: string;
  /** The writer's key for the first save: unique with createdById, so a retried save creates one draft. */
  idempotencyKey: string;
  /** requestHash of the first save's body: the same key with another body is a 409 (core/create-once.ts). */
  createHash: string | null;
  /** Incremented by every write; edits are conditional on it (core/versions.ts). */
  version: number;
  publishedById: Types.ObjectId | null;
  publishedByName: string | null;
  /** The role the publisher acted in: what residents and group chats read instead of the name (people/privacy.ts). */
  publishedByRole: Role | null;
  publishedAt: Date | null;
  withdrawnAt: Date | null;
  withdrawReason: string | null;
  /** What the notice is about, when another feature published it (a consultation's decision): the app links to it. */
  link: NoticeLink | null;
  /** Deliveries enqueued so far (the fan-out is idempotent per room, so a retried publish completes it). */
  fanOutDone: boolean;
  createdAt: Date;
  updatedAt: Date;
}
export const noticeSchema = new Schema<NoticeDoc>(
  {
    title: { type: String, required: true },
    body: { type: String, required: true },
    level: { type: String, enum: NOTICE_LEVELS, required: true },
    regionIds: { type: [Schema.Types.ObjectId], default: [] },
    regionPaths: { type: [String], default: [] },
    regionNames: { type: [String], default: [] },
    state: { type: String, enum: NOTICE_STATES, required: true },
    pinned: { type: Boolean, default: false },
    listKey: { type: String, default: null },
    searchTerms: { type: [String], default: [] },
    createdById: { type: Schema.Types.ObjectId, required: true },
    createdByName: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    createHash: { type: String, default: null },
    version: { type: Number, default: 0 },
    publishedById: { type: Schema.Types.ObjectId, default: null },
    publishedByName: { type: String, default: null },
    publishedByRole: { type: String, default: null },
    publishedAt: { type: Date, default: null },
    withdrawnAt: { type: Date, default: null },
    withdrawReason: { type: String, default: null },
    fanOutDone: { type: Boolean, default: false },
    link: { type: new Schema<NoticeLink>({ kind: { type: String, enum: NOTICE_LINK_KINDS, required: true }, id: { type: String, required: true } }, { _id: false }), default: null },
  },
  { ...baseOptions, minimize: false },
);
noticeSchema.index({ state: 1, listKey: -1 });
noticeSchema.index({ state: 1, fanOutDone: 1 });
noticeSchema.index({ createdById: 1, _id: -1 });
noticeSchema.index({ createdById: 1, idempotencyKey: 1 }, { unique: true });
noticeSchema.index({ searchTerms: 1 });
// The notices of a place (the scoped branch of its $or) and the readers' search, in list order.
noticeSchema.index({ regionPaths: 1, state: 1, listKey: -1 });
noticeSchema.index({ searchTerms: 1, state: 1, listKey: -1 });
noticeSchema.plugin(cacheStampPlugin(NOTICES_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function noticeModels(conn: Connection) {
  return {
    Notice: ownModel(conn, 'Notice', noticeSchema),
  };
}

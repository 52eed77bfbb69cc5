import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';
import { APPEAL_CHANNELS, APPEAL_KINDS, APPEAL_STATES, FINAL_STATES, type AppealChannel, type AppealKind, type AppealState, type EventAction } from './state-machine';
import { SATISFACTION } from './schemas';

/**
 * One event of the timeline, embedded in the appeal so that a move and its record are one
 * single-document write (no transactions on the embedded database).
 */
export interface TimelineEvent {
  _id: Types.ObjectId;
  at: Date;
  action: EventAction;
  from: AppealState | null;
  to: AppealState | null;
  /** null: the server itself (direct dispatch, the scheduler). */
  byId: Types.ObjectId | null;
  byName: string;
  byRole: string | null;
  note: string | null;
  /**
   * On a `rate` event: the rating given. The appeal keeps only the rating in force (a reopen
   * withdraws it), so this is how the measures still know, for the day it was given, how a rating
   * later withdrawn said (server/measures/formulas.ts). Absent on ratings given before it was kept.
   */
  rating?: { resolved: boolean; satisfaction: (typeof SATISFACTION)[number] } | null;
  /**
   * On a move that changed the appeal's department or category (派单, 改派, 退回, a category
   * corrected at 受理 or 派单): both as they were before it. The measures count a day's facts under
   * the department and category the appeal had at the day's end, whatever it moved to later.
   * Absent on other events, and on moves made before it was kept.
   */
  before?: { departmentId: Types.ObjectId | null; categoryId: Types.ObjectId | null } | null;
}

/** A point on the map as filed: GCJ-02 degrees, and the place's name and address when the map gave them. */
export interface AppealLocation {
  lat: number;
  lng: number;
  name: string | null;
  address: string | null;
}

/** A category suggested for the appeal at filing, with its score (0..1), as the catalogue named it then. */
export interface AppealSuggestion {
  categoryId: Types.ObjectId;
  categoryName: string;
  score: number;
  /**
   * True when the suggestion was sure enough (the admins' threshold) to be filed as the appeal's
   * category (智能直派, create.ts): the category is then the server's choice, learned only once a
   * person confirms it (category-confirmations.ts). Absent on older appeals: false.
   */
  chosen?: boolean;
}

export interface AppealDoc {
  _id: Types.ObjectId;
  /** DX-20261126-0042: readable aloud, unique (appeals/ticket-numbers.ts). */
  number: string;
  kind: AppealKind;
  state: AppealState;
  channel: AppealChannel;
  categoryId: Types.ObjectId | null;
  categoryName: string | null;
  /**
   * The category suggestion's top answer (智能分类) for an appeal filed without a category (the
   * bot's group intake and forwards): shown to staff; the appeal's category only when it was sure
   * enough for direct dispatch by suggestion (`chosen`), and even then not learned until a person
   * confirms it (category-confirmations.ts). Absent or null when none was made.
   */
  suggestion?: AppealSuggestion | null;
  /** The community or grid it happens in, and that region's path (`/county/township/community/`). */
  regionId: Types.ObjectId;
  regionPath: string;
  /**
   * The paths of the township and the community it lies in (scope.ts scopePathsOf; for an appeal
   * filed above that level, its own region's path), so a township's or a community's lists and
   * badges are one index range by equality instead of a walk filtered by path prefix. Written at
   * filing (regions never move), and on appeals filed before they existed by the start-up step in
   * scope-paths.ts.
   */
  townshipPath: string;
  communityPath: string;
  regionName: string;
  departmentId: Types.ObjectId | null;
  departmentName: string | null;
  description: string;
  place: string | null;
  /** The point chosen on the map (GCJ-02) beside the text place; personal data (people/privacy.ts). Absent on appeals filed before. */
  location?: AppealLocation | null;
  photoIds: string[];
  isPublic: boolean;
  isAnonymous: boolean;
  /** The account that sent it: the resident, the grid worker (代报), the operator (代录) or the bot. */
  submittedById: Types.ObjectId;
  /** The resident it is for, when they have an account (the mini-program, or a group member's contact). */
  reporterId: Types.ObjectId | null;
  /** Personal data (PIPL): shown only to those handling the appeal; never logged. */
  reporterName: string;
  reporterPhone: string | null;
  /** The e-mail an outside system gave (Open311); absent or null otherwise. Personal data, as the phone. */
  reporterEmail?: string | null;
  /** Group chat channel: the room and the member's contact, for the answer with an @mention. */
  roomId: string | null;
  reporterContactId: string | null;
  /** A retry with the same key from the same account returns this appeal (unique with submittedById). */
  idempotencyKey: string;
  /** requestHash of the filing's body (core/create-once): the same key with another body is a 409. Absent on appeals filed before. */
  requestHash?: string | null;
  followerIds: Types.ObjectId[];
  followersCount: number;
  submittedAt: Date;
  /** China-time day of submission, YYYYMMDD: the measures' bucket, stored at write time. */
  day: string;
  acceptBy: Date;
  firstContactBy: Date;
  resolveBy: Date;
  /** The deadline of the current step; null once nothing is due. The scheduler scans this. */
  dueAt: Date | null;
  /** Past `dueAt` and flagged (督办); cleared when a move sets a new deadline. */
  overdue: boolean;
  overdueCount: number;
  acceptedAt: Date | null;
  assignedAt: Date | null;
  /** The first time the handling unit started or replied: the response-rate measure. */
  firstContactAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
  /** Milliseconds from submission to the first assignment (a measure of dispatch). */
  dispatchMs: number | null;
  directDispatch: boolean;
  /** A direct dispatch a dispatcher has looked at (their review view lists the rest). */
  dispatchReviewed: boolean;
  answer: { text: string; photoIds: string[]; at: Date; departmentName: string | null } | null;
  rating: { resolved: boolean; satisfaction: (typeof SATISFACTION)[number]; comment: string | null; at: Date } | null;
  duplicateOfId: Types.ObjectId | null;
  duplicateOfNumber: string | null;
  /**
   * A dispatcher took it off the public board (撤下公开, board.ts): `isPublic` is then false, and
   * this says when, who and why (for staff). Absent or null on appeals never taken off.
   */
  boardRemoved?: { at: Date; byId: Types.ObjectId | null; byName: string; reason: string } | null;
  /** China-time day of the last 催办: at most one a day. */
  lastRemindDay: string | null;
  timeline: TimelineEvent[];
  /**
   * The timeline's length, bumped with every event: the appeal's version for conditional updates,
   * and, with `notifiedCount`, the transactional outbox: events past `notifiedCount` still wait to
   * be turned into outbox messages (appeals/notify.ts), so a crash between the move and the
   * notification loses nothing.
   */
  eventCount: number;
  notifiedCount: number;
  notifyPending: boolean;
  /** Failed relays in a row (notify.ts); 0 after a success. Absent on appeals filed before it existed. */
  notifyAttempts?: number;
  /** After a failed relay the sweep leaves the appeal alone until then (backoff); null or absent when not failing. */
  notifyRetryAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const timelineSchema = new Schema<TimelineEvent>(
  {
    at: { type: Date, required: true },
    action: { type: String, required: true },
    from: { type: String, default: null },
    to: { type: String, default: null },
    byId: { type: Schema.Types.ObjectId, default: null },
    byName: { type: String, required: true },
    byRole: { type: String, default: null },
    note: { type: String, default: null },
    rating: { type: new Schema({ resolved: Boolean, satisfaction: { type: String, enum: SATISFACTION } }, { _id: false }), default: undefined },
    before: {
      type: new Schema({ departmentId: { type: Schema.Types.ObjectId, default: null }, categoryId: { type: Schema.Types.ObjectId, default: null } }, { _id: false }),
      default: undefined,
    },
  },
  { _id: true },
);

export const appealSchema = new Schema<AppealDoc>(
  {
    number: { type: String, required: true, unique: true },
    kind: { type: String, enum: APPEAL_KINDS, required: true },
    state: { type: String, enum: APPEAL_STATES, required: true },
    channel: { type: String, enum: APPEAL_CHANNELS, required: true },
    categoryId: { type: Schema.Types.ObjectId, default: null },
    categoryName: { type: String, default: null },
    suggestion: {
      type: new Schema({ categoryId: Schema.Types.ObjectId, categoryName: String, score: Number, chosen: Boolean }, { _id: false }),
      default: null,
    },
    regionId: { type: Schema.Types.ObjectId, required: true },
    regionPath: { type: String, required: true },
    townshipPath: { type: String, required: true },
    communityPath: { type: String, required: true },
    regionName: { type: String, required: true },
    departmentId: { type: Schema.Types.ObjectId, default: null },
    departmentName: { type: String, default: null },
    description: { type: String, required: true },
    place: { type: String, default: null },
    location: {
      type: new Schema({ lat: Number, lng: Number, name: { type: String, default: null }, address: { type: String, default: null } }, { _id: false }),
      default: null,
    },
    photoIds: { type: [String], default: [] },
    isPublic: { type: Boolean, default: true },
    isAnonymous: { type: Boolean, default: false },
    submittedById: { type: Schema.Types.ObjectId, required: true },
    reporterId: { type: Schema.Types.ObjectId, default: null },
    reporterName: { type: String, required: true },
    reporterPhone: { type: String, default: null },
    reporterEmail: { type: String, default: null },
    roomId: { type: String, default: null },
    reporterContactId: { type: String, default: null },
    idempotencyKey: { type: String, required: true },
    requestHash: { type: String, default: null },
    followerIds: { type: [Schema.Types.ObjectId], default: [] },
    followersCount: { type: Number, default: 0 },
    submittedAt: { type: Date, required: true },
    day: { type: String, required: true },
    acceptBy: { type: Date, required: true },
    firstContactBy: { type: Date, required: true },
    resolveBy: { type: Date, required: true },
    dueAt: { type: Date, default: null },
    overdue: { type: Boolean, default: false },
    overdueCount: { type: Number, default: 0 },
    acceptedAt: { type: Date, default: null },
    assignedAt: { type: Date, default: null },
    firstContactAt: { type: Date, default: null },
    repliedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    dispatchMs: { type: Number, default: null },
    directDispatch: { type: Boolean, default: false },
    dispatchReviewed: { type: Boolean, default: false },
    answer: {
      type: new Schema({ text: String, photoIds: [String], at: Date, departmentName: { type: String, default: null } }, { _id: false }),
      default: null,
    },
    rating: {
      type: new Schema({ resolved: Boolean, satisfaction: { type: String, enum: SATISFACTION }, comment: { type: String, default: null }, at: Date }, { _id: false }),
      default: null,
    },
    duplicateOfId: { type: Schema.Types.ObjectId, default: null },
    duplicateOfNumber: { type: String, default: null },
    boardRemoved: {
      type: new Schema({ at: Date, byId: { type: Schema.Types.ObjectId, default: null }, byName: String, reason: String }, { _id: false }),
      default: null,
    },
    lastRemindDay: { type: String, default: null },
    timeline: { type: [timelineSchema], default: [] },
    eventCount: { type: Number, default: 0 },
    notifiedCount: { type: Number, default: 0 },
    notifyPending: { type: Boolean, default: false },
    notifyAttempts: { type: Number, default: 0 },
    notifyRetryAt: { type: Date, default: null },
  },
  baseOptions,
);
/**
 * The workbench badges' namespace (counts.ts), which the lists' pages share (queries.ts): bumped
 * by a filing and by the writes that move an appeal between badges or scopes (a move, the overdue
 * scan, a follower joining) or change what a list's row shows (LISTED_FIELDS: the moves write them
 * beside `state`; a photo the bot adds changes the row's thumbnail), not by the notification
 * relay's bookkeeping or a reminder. One stamp for both, so a write bumps once.
 */
export const APPEAL_COUNTS_CACHE = 'appeal-counts';
export const APPEAL_LISTS_CACHE = APPEAL_COUNTS_CACHE;
export const COUNTED_FIELDS = ['state', 'overdue', 'directDispatch', 'dispatchReviewed', 'regionPath', 'townshipPath', 'communityPath', 'departmentId', 'reporterId', 'submittedById', 'followerIds'] as const;
/** What a list's row (views.ts toSummary) reads besides COUNTED_FIELDS. */
const LISTED_FIELDS = ['number', 'kind', 'channel', 'categoryId', 'categoryName', 'suggestion', 'regionId', 'regionName', 'departmentName', 'description', 'photoIds', 'reporterName', 'isPublic', 'isAnonymous', 'submittedAt', 'dueAt', 'followersCount'] as const;
appealSchema.plugin(cacheStampPlugin(APPEAL_COUNTS_CACHE, { paths: [...COUNTED_FIELDS, ...LISTED_FIELDS] }));
/**
 * The county's ended appeals (closed, rejected, merged) settled before a day (counts.ts): their
 * badges are counted once and kept until a write may change that set. A move's filter names the
 * state it starts from (moves.ts commit), so a move from an open state cannot touch a settled
 * appeal, and one into an ended state stamps `closedAt` now, after the settled day: neither
 * bumps. What does: a move out of an ended state (a reopen), an insert of an ended appeal (the
 * seed, a restore), a write whose filter does not rule ended appeals out (a backfill of paths),
 * any delete or replacement. Filings and the moves of open appeals, nearly every write, leave it.
 */
export const APPEAL_SETTLED_CACHE = 'appeal-settled';
const SETTLED_FIELDS = ['state', 'closedAt', 'regionPath', 'townshipPath', 'communityPath', 'departmentId'] as const;
const isEnded = (state: unknown) => (FINAL_STATES as readonly unknown[]).includes(state);
/** Whether a filter's `state` rules every ended state out: an open state, or `$in` of open states only. */
export function filterIsOpen(filter: Record<string, unknown>): boolean {
  const st = filter.state;
  if (typeof st === 'string') return !isEnded(st);
  const within = st && typeof st === 'object' ? (st as { $in?: unknown }).$in : undefined;
  return Array.isArray(within) && within.length > 0 && !within.some(isEnded) && Object.keys(st as object).length === 1;
}
appealSchema.plugin(cacheStampPlugin(APPEAL_SETTLED_CACHE, { paths: SETTLED_FIELDS, query: (filter) => !filterIsOpen(filter), insert: (doc) => isEnded(doc.state) }));
// A retried submission finds the first one; the unique pair makes two racing retries one appeal.
appealSchema.index({ submittedById: 1, idempotencyKey: 1 }, { unique: true });
// The queries a MongoDB user would write for the lists: scope (region prefix, department,
// reporter) with state, newest first by _id (ids grow with submission time), and the scheduler's
// scan of deadlines.
appealSchema.index({ regionPath: 1, state: 1, _id: -1 });
appealSchema.index({ departmentId: 1, state: 1, _id: -1 });
appealSchema.index({ reporterId: 1, _id: -1 });
// "My appeals" is an $or of reporter, submitter and follower (同问): MongoDB serves an $or only
// when each branch has an index of its own, else it reads the whole collection.
appealSchema.index({ submittedById: 1, _id: -1 });
appealSchema.index({ followerIds: 1, _id: -1 });
// The embedded database keys an array as a whole (db/ferretdb/README.md), so `{followerIds: me}`
// reads every appeal there; the follower branch also asks `followersCount > 0` (scope.ts
// ownFilter), which this index answers: only appeals someone joined are read. "My appeals" and a
// resident's badges page that branch on the follow rows instead (AppealFollowDoc below, mine.ts);
// the `$or` stays for a cursor of another part and for other readers of ownFilter. The follow
// rows' start-up backfill walks the joined appeals on this index too (follows.ts).
appealSchema.index({ followersCount: 1, _id: -1 });
// A resident's badges (counts.ts ownCounts): exact counts of their reported appeals per state and
// overdue, and of those they also submitted, which the embedded database answers from this
// index's entries alone (an SQL count over the resident's keys, no stored appeal read);
// {reporterId, _id} lacks the state, so SQLite would read each of the resident's stored appeals
// for it (issue 16). submittedById second: the equalities of the reporter-and-submitter count lead,
// as MongoDB needs. The submitter's own counts need no index: a resident submits only what they
// report (counts.ts checks it per request).
appealSchema.index({ reporterId: 1, submittedById: 1, state: 1, overdue: 1 });
appealSchema.index({ state: 1, _id: -1 });
// A township's or a community's lists (a dispatcher's, community staff's, a grid worker's, or the
// `regionId` filter), overdue first, with or without a state: one range of one of these.
appealSchema.index({ townshipPath: 1, overdue: 1, _id: -1 });
appealSchema.index({ townshipPath: 1, state: 1, overdue: 1, _id: -1 });
appealSchema.index({ communityPath: 1, overdue: 1, _id: -1 });
appealSchema.index({ communityPath: 1, state: 1, overdue: 1, _id: -1 });
// Each view's overdue-first parts: the dispatcher's queue, a department's inbox, the public list,
// the review of direct dispatches (rare among all appeals: without it a walk of every appeal).
appealSchema.index({ state: 1, overdue: 1, _id: -1 });
appealSchema.index({ departmentId: 1, overdue: 1, _id: -1 });
appealSchema.index({ isPublic: 1, state: 1, _id: -1 });
// The public board (board.ts) filtered by category: public, answered, of one category, newest first.
appealSchema.index({ isPublic: 1, state: 1, categoryId: 1, _id: -1 });
appealSchema.index({ directDispatch: 1, dispatchReviewed: 1, overdue: 1, _id: -1 });
// The bot's photo-attach lookup: a group member's latest appeal in the room.
appealSchema.index({ roomId: 1, reporterContactId: 1, _id: -1 });
// Lists show overdue appeals first: each part newest first.
appealSchema.index({ overdue: 1, _id: -1 });
appealSchema.index({ dueAt: 1, overdue: 1 });
appealSchema.index({ categoryId: 1, regionPath: 1, submittedAt: -1 });
// The monthly report (report-rows.ts): a month's filings in filing order, county-wide, a
// department's, a township's or a community's (their stored paths: one range each).
appealSchema.index({ submittedAt: 1 });
appealSchema.index({ departmentId: 1, submittedAt: 1 });
appealSchema.index({ townshipPath: 1, submittedAt: 1 });
appealSchema.index({ communityPath: 1, submittedAt: 1 });
// Open311's GET requests (channel-reads.ts): one channel's appeals newest first, of one service or all.
appealSchema.index({ channel: 1, categoryId: 1, submittedAt: -1 });
appealSchema.index({ channel: 1, submittedAt: -1 });
// The relay's sweep: pending appeals, those never failed (null) first, then by the end of their backoff.
appealSchema.index({ notifyPending: 1, notifyRetryAt: 1 });
// Who may read a photo's original, and whether a photo is attached (photos.ts appealPhotoHolder).
// The measures' live read (timelines.ts): appeals closed, rejected or merged since a day.
appealSchema.index({ state: 1, closedAt: 1 });
appealSchema.index({ photoIds: 1 });
appealSchema.index({ 'answer.photoIds': 1 });
// The category suggestion's learner (category-confirmations.ts): appeals written since its checkpoint.
appealSchema.index({ updatedAt: 1 });

/**
 * Who follows which appeal (同问), one row per pair: the appeal's `followerIds` said again with a
 * scalar `userId`, because the embedded database keys an array as a whole (db/ferretdb/README.md)
 * and `{followerIds: me}` has no index range there. "My appeals" pages its follower branch on
 * {userId, appealId} (mine.ts); the badges count the appeals it lists (counts.ts).
 *
 * The appeal stays the truth: the follow and the merge write the row after the appeal's update
 * (follows.ts), so a row never claims a follow the appeal lacks; a row lost to a crash between the
 * two is written again by a retried follow or by the start-up backfill (follows.ts). Ids are the
 * appeal's and the user's; the row has no timestamps of its own.
 */
export interface AppealFollowDoc {
  _id: Types.ObjectId;
  appealId: Types.ObjectId;
  userId: Types.ObjectId;
}
export const appealFollowSchema = new Schema<AppealFollowDoc>(
  { appealId: { type: Schema.Types.ObjectId, required: true }, userId: { type: Schema.Types.ObjectId, required: true } },
  { versionKey: false, autoIndex: false },
);
// A row landing changes "my appeals" and the badges, which read it: it bumps their stamp after the
// appeal's update did, so a page read between the two is not kept.
appealFollowSchema.plugin(cacheStampPlugin(APPEAL_COUNTS_CACHE));
// One row per pair, so writing it again (a retry, the backfill, two processes) is an upsert of the same row.
appealFollowSchema.index({ appealId: 1, userId: 1 }, { unique: true });
// A resident's followed appeals newest first: the follower branch of "my appeals", one range.
appealFollowSchema.index({ userId: 1, appealId: -1 });

/** Per-day sequences for ticket numbers: `{ _id: 'appeal:20261126', seq }`, bumped with `$inc`. */
export interface CounterDoc {
  _id: string;
  seq: number;
}
export const counterSchema = new Schema<CounterDoc>({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false, autoIndex: false });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function appealModels(conn: Connection) {
  return {
    Appeal: ownModel(conn, 'Appeal', appealSchema),
    Counter: ownModel(conn, 'Counter', counterSchema),
    AppealFollow: ownModel(conn, 'AppealFollow', appealFollowSchema),
  };
}

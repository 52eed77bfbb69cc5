import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';
import { ARTICLE_STATES, COMMENT_STATES, type ArticleStateName, type CommentStateName } from '../../common/news-labels';

/** Cache namespaces: columns (the tab bar) and the feed, each invalidated by any write of its model. */
export const COLUMNS_CACHE = 'columns';
export const FEED_CACHE = 'news-feed';

export interface ColumnDoc {
  _id: Types.ObjectId;
  code: string;
  name: string;
  reviewLevels: number;
  emergency: boolean;
  sort: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}
export const columnSchema = new Schema<ColumnDoc>(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    reviewLevels: { type: Number, required: true, min: 1, max: 3 },
    emergency: { type: Boolean, default: false },
    sort: { type: Number, default: 100 },
    active: { type: Boolean, default: true },
  },
  baseOptions,
);
columnSchema.plugin(cacheStampPlugin(COLUMNS_CACHE));

/** One step of an article's history, embedded so a move and its record are one write. */
export interface ArticleEventDoc {
  _id: Types.ObjectId;
  at: Date;
  action: string;
  level: number | null;
  byId: Types.ObjectId | null;
  byName: string;
  note: string | null;
}

/**
 * An article. Counters (views, likes, comments) live in ArticleStats, not here: every write of an
 * article invalidates the cached feed, and a view must not.
 */
export interface ArticleDoc {
  _id: Types.ObjectId;
  columnId: Types.ObjectId;
  columnCode: string;
  columnName: string;
  title: string;
  summary: string;
  /** True when the writer left the summary empty and it is the start of the body's text (it follows body edits). */
  summaryAuto: boolean;
  /** Sanitised on save (sanitize.ts). */
  bodyHtml: string;
  coverPhotoId: string | null;
  source: string;
  author: string;
  /** Scope: the regions named, and their paths; empty arrays mean the whole county. */
  regionIds: Types.ObjectId[];
  regionPaths: string[];
  regionNames: string[];
  state: ArticleStateName;
  /** Copied from the column when submitted, so a column changed later does not move a review under way. */
  reviewLevels: number;
  /** While in review: the level waiting. */
  reviewLevel: number | null;
  /** Who approved each level of the current round (a reviewer approves one level at most). */
  approvedByIds: Types.ObjectId[];
  rejectReason: string | null;
  /** Publish at this time after the last approval (state scheduled until then). */
  publishAt: Date | null;
  publishedAt: Date | null;
  withdrawnAt: Date | null;
  pinned: boolean;
  emergency: boolean;
  /**
   * The feed's single sort key, descending: `<1 if pinned or emergency else 0><publishedAt ms, 13
   * digits><_id hex>`. One indexed string range pages the feed on both databases; null while unpublished.
   */
  feedKey: string | null;
  /** Words of title, summary and body text for search (search-terms.ts); indexed. */
  searchTerms: string[];
  createdById: Types.ObjectId;
  createdByName: string;
  /** The writer's key for the first save: unique with createdById, so a retried save creates one draft. */
  idempotencyKey: string;
  /** requestHash of the first save's body: the same key with another body is a 409 (core/create-once.ts). */
  createHash: string | null;
  /** The news tip (爆料) this draft was written from (server/tips), when it was. */
  tipId?: Types.ObjectId | null;
  /** Incremented by every write; edits are conditional on it (core/versions.ts). */
  version: number;
  history: ArticleEventDoc[];
  createdAt: Date;
  updatedAt: Date;
}

const articleEventSchema = new Schema<ArticleEventDoc>(
  {
    at: { type: Date, required: true },
    action: { type: String, required: true },
    level: { type: Number, default: null },
    byId: { type: Schema.Types.ObjectId, default: null },
    byName: { type: String, required: true },
    note: { type: String, default: null },
  },
  { _id: true },
);

export const articleSchema = new Schema<ArticleDoc>(
  {
    columnId: { type: Schema.Types.ObjectId, required: true },
    columnCode: { type: String, required: true },
    columnName: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, default: '' },
    summaryAuto: { type: Boolean, default: false },
    bodyHtml: { type: String, required: true },
    coverPhotoId: { type: String, default: null },
    source: { type: String, required: true },
    author: { type: String, required: true },
    regionIds: { type: [Schema.Types.ObjectId], default: [] },
    regionPaths: { type: [String], default: [] },
    regionNames: { type: [String], default: [] },
    state: { type: String, enum: ARTICLE_STATES, required: true },
    reviewLevels: { type: Number, required: true },
    reviewLevel: { type: Number, default: null },
    approvedByIds: { type: [Schema.Types.ObjectId], default: [] },
    rejectReason: { type: String, default: null },
    publishAt: { type: Date, default: null },
    publishedAt: { type: Date, default: null },
    withdrawnAt: { type: Date, default: null },
    pinned: { type: Boolean, default: false },
    emergency: { type: Boolean, default: false },
    feedKey: { type: String, default: null },
    searchTerms: { type: [String], default: [] },
    createdById: { type: Schema.Types.ObjectId, required: true },
    createdByName: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    createHash: { type: String, default: null },
    tipId: { type: Schema.Types.ObjectId, default: null },
    version: { type: Number, default: 0 },
    history: { type: [articleEventSchema], default: [] },
  },
  { ...baseOptions, minimize: false },
);
articleSchema.index({ state: 1, feedKey: -1 });
// Who may read a photo's original, and whether a photo is attached (photo-holder.ts).
articleSchema.index({ coverPhotoId: 1 });
articleSchema.index({ updatedAt: 1 });
articleSchema.index({ columnId: 1, state: 1, feedKey: -1 });
articleSchema.index({ state: 1, reviewLevel: 1, _id: -1 });
articleSchema.index({ createdById: 1, _id: -1 });
articleSchema.index({ createdById: 1, idempotencyKey: 1 }, { unique: true });
articleSchema.index({ state: 1, publishAt: 1 });
articleSchema.index({ searchTerms: 1 });
// The workbench's state tabs and column filter, newest first.
articleSchema.index({ state: 1, _id: -1 });
articleSchema.index({ columnCode: 1, _id: -1 });
// The feed of a place (the scoped branch of its $or) and the readers' search, newest first.
articleSchema.index({ regionPaths: 1, state: 1, feedKey: -1 });
articleSchema.index({ searchTerms: 1, state: 1, feedKey: -1 });
articleSchema.plugin(cacheStampPlugin(FEED_CACHE));

/** Counters of a published article, apart from it so views do not invalidate the feed. */
export interface ArticleStatsDoc {
  _id: Types.ObjectId; // the article's id
  views: number;
  likes: number;
  comments: number;
}
export const articleStatsSchema = new Schema<ArticleStatsDoc>(
  {
    views: { type: Number, default: 0 },
    likes: { type: Number, default: 0 },
    comments: { type: Number, default: 0 },
  },
  { versionKey: false, autoIndex: false, timestamps: false },
);

/**
 * A reader counted for an article on a China day (view-counter.ts): `_id` is `<day>|<articleId>|<reader>`,
 * so a reader seen by another process in an earlier flush is not counted again. Yesterday's rows are
 * deleted by the first flush of a new day (the index on `day` serves it).
 */
export interface ArticleViewDoc {
  _id: string;
  day: string;
  articleId: string;
}
export const articleViewSchema = new Schema<ArticleViewDoc>(
  {
    _id: { type: String, required: true },
    day: { type: String, required: true },
    articleId: { type: String, required: true },
  },
  { versionKey: false, autoIndex: false, timestamps: false },
);
articleViewSchema.index({ day: 1 });

/** One like per reader and article: the unique index is the guard, the counter moves only on insert/delete. */
export interface ArticleLikeDoc {
  _id: Types.ObjectId;
  articleId: Types.ObjectId;
  userId: Types.ObjectId;
  createdAt: Date;
}
export const articleLikeSchema = new Schema<ArticleLikeDoc>(
  {
    articleId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);
articleLikeSchema.index({ articleId: 1, userId: 1 }, { unique: true });

export interface CommentDoc {
  _id: Types.ObjectId;
  articleId: Types.ObjectId;
  articleTitle: string;
  /**
   * A comment under a consultation (议事) instead of an article: then `articleId` holds the
   * consultation's id and `articleTitle` its title (the moderators' queue shows it), and no
   * article counter moves. Null or absent: under an article.
   */
  subjectKind?: CommentSubjectKind | null;
  authorId: Types.ObjectId;
  authorName: string;
  text: string;
  state: CommentStateName;
  heldFor: 'sensitive' | 'reports' | null;
  matchedWords: string[];
  /** Readers who reported it; one report per reader. */
  reporterIds: Types.ObjectId[];
  reports: number;
  /** The reasons readers gave (one per report that gave one), for the editor who decides. */
  reportReasons: string[];
  /** A retry with the same key from the same author gets the first comment (unique with authorId). */
  idempotencyKey: string;
  decidedById: Types.ObjectId | null;
  decidedAt: Date | null;
  /** The editor's note with the decision, kept with it. */
  decisionNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}
/** What a comment can be under besides an article (the composition root says which exist: comment-routes.ts). */
export const COMMENT_SUBJECT_KINDS = ['consultation'] as const;
export type CommentSubjectKind = (typeof COMMENT_SUBJECT_KINDS)[number];

export const commentSchema = new Schema<CommentDoc>(
  {
    articleId: { type: Schema.Types.ObjectId, required: true },
    articleTitle: { type: String, required: true },
    subjectKind: { type: String, enum: COMMENT_SUBJECT_KINDS, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    authorName: { type: String, required: true },
    text: { type: String, required: true },
    state: { type: String, enum: COMMENT_STATES, required: true },
    heldFor: { type: String, default: null },
    matchedWords: { type: [String], default: [] },
    reporterIds: { type: [Schema.Types.ObjectId], default: [] },
    reports: { type: Number, default: 0 },
    reportReasons: { type: [String], default: [] },
    idempotencyKey: { type: String, required: true },
    decidedById: { type: Schema.Types.ObjectId, default: null },
    decidedAt: { type: Date, default: null },
    decisionNote: { type: String, default: null },
  },
  { ...baseOptions, minimize: false },
);
commentSchema.index({ articleId: 1, state: 1, _id: -1 });
commentSchema.index({ state: 1, _id: -1 });
commentSchema.index({ authorId: 1, idempotencyKey: 1 }, { unique: true });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function newsModels(conn: Connection) {
  return {
    Column: ownModel(conn, 'Column', columnSchema),
    Article: ownModel(conn, 'Article', articleSchema),
    ArticleStats: ownModel(conn, 'ArticleStats', articleStatsSchema),
    ArticleLike: ownModel(conn, 'ArticleLike', articleLikeSchema),
    ArticleView: ownModel(conn, 'ArticleView', articleViewSchema),
    Comment: ownModel(conn, 'Comment', commentSchema),
  };
}

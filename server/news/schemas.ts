/**
 * The one definition of every news shape the API takes and gives: columns (栏目), articles and their
 * review workflow, the feed, likes, comments and their moderation. The mini-program imports these
 * types (types only); the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { IdempotencyKey, objectId, trimmed } from '../core/validate';
import { PhotoId, PhotoRef } from '../photos';
import { ARTICLE_STATES, COMMENT_STATES, REVIEW_LEVEL_LABELS } from '../../common/news-labels';

export { ARTICLE_STATES, COMMENT_STATES, REVIEW_LEVEL_LABELS };
export const ArticleState = z.enum(ARTICLE_STATES);
export type ArticleState = z.infer<typeof ArticleState>;
export const CommentState = z.enum(COMMENT_STATES);
export type CommentState = z.infer<typeof CommentState>;

/** 1 初审, 2 复审, 3 终审: how many reviewers must approve an article of the column, each a different person. */
export const ReviewLevels = z.number().int().min(1).max(3);
export const ColumnCode = z.string().regex(/^[a-z][a-z0-9_]{1,29}$/, '栏目编码为2到30位小写字母、数字或下划线，以字母开头');

export const Column = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  reviewLevels: ReviewLevels,
  /** Articles of an emergency column go to the top of every feed, like pinned ones. */
  emergency: z.boolean(),
  sort: z.number().int(),
  active: z.boolean(),
});
export type Column = z.infer<typeof Column>;
export const ColumnList = z.object({ items: z.array(Column) });
export const CreateColumnBody = z.strictObject({
  code: ColumnCode,
  name: trimmed(2, 12),
  reviewLevels: ReviewLevels,
  emergency: z.boolean().default(false),
  sort: z.number().int().min(0).max(9999).default(100),
});
export const UpdateColumnBody = z.strictObject({
  name: trimmed(2, 12).optional(),
  reviewLevels: ReviewLevels.optional(),
  emergency: z.boolean().optional(),
  sort: z.number().int().min(0).max(9999).optional(),
  active: z.boolean().optional(),
});

/** One step of an article's history: who did what, when (every review step is kept). */
export const ArticleEvent = z.object({
  at: z.string(),
  /** create, edit, submit, approve, reject, schedule, publish, withdraw, pin, unpin */
  action: z.string(),
  actionLabel: z.string(),
  /** The review level an approve/reject was at. */
  level: z.number().int().nullable(),
  byName: z.string(),
  note: z.string().nullable(),
});
export type ArticleEvent = z.infer<typeof ArticleEvent>;

/** What the feed shows: no counters (views change on every read; the feed is cached until a publish). */
export const ArticleSummary = z.object({
  id: z.string(),
  columnId: z.string(),
  columnCode: z.string(),
  columnName: z.string(),
  title: z.string(),
  summary: z.string(),
  cover: PhotoRef.nullable(),
  source: z.string(),
  author: z.string(),
  /** Region names of the scope; empty: the whole county. */
  regionNames: z.array(z.string()),
  pinned: z.boolean(),
  emergency: z.boolean(),
  publishedAt: z.string().nullable(),
});
export type ArticleSummary = z.infer<typeof ArticleSummary>;

/** Pinned and emergency items first, then newest first; `nextCursor` null on the last page. */
export const ArticlePage = z.object({ items: z.array(ArticleSummary), nextCursor: z.string().nullable() });
export type ArticlePage = z.infer<typeof ArticlePage>;

/** What a reader gets: the sanitised body and the counters; `liked` for a signed-in reader. */
export const ArticleDetail = ArticleSummary.extend({
  /** Sanitised HTML (news/sanitize.ts): only what Taro's RichText shows, nothing that runs. */
  bodyHtml: z.string(),
  views: z.number().int(),
  likes: z.number().int(),
  comments: z.number().int(),
  liked: z.boolean(),
});
export type ArticleDetail = z.infer<typeof ArticleDetail>;

/** What the workbench gets: the workflow state, the history and what the viewer may do now. */
export const ArticleManageItem = ArticleSummary.extend({
  state: ArticleState,
  stateLabel: z.string(),
  /** While in review: the level waiting (1..reviewLevels); otherwise null. */
  reviewLevel: z.number().int().nullable(),
  reviewLevels: ReviewLevels,
  publishAt: z.string().nullable(),
  createdById: z.string(),
  createdByName: z.string(),
  updatedAt: z.string(),
  /** The reason of the last send-back, shown to the writer until they resubmit. */
  rejectReason: z.string().nullable(),
  /** Moves on with every write; an edit names the version it was made on (also the ETag `"v<version>"`). */
  version: z.number().int(),
});
export type ArticleManageItem = z.infer<typeof ArticleManageItem>;
export const ArticleManagePage = z.object({ items: z.array(ArticleManageItem), nextCursor: z.string().nullable() });
export type ArticleManagePage = z.infer<typeof ArticleManagePage>;

export const ARTICLE_ACTIONS = ['edit', 'submit', 'approve', 'reject', 'schedule', 'publish', 'withdraw', 'pin', 'unpin'] as const;
export const ArticleAction = z.enum(ARTICLE_ACTIONS);
export type ArticleAction = z.infer<typeof ArticleAction>;

export const ArticleManageDetail = ArticleManageItem.extend({
  bodyHtml: z.string(),
  regionIds: z.array(z.string()),
  views: z.number().int(),
  likes: z.number().int(),
  comments: z.number().int(),
  history: z.array(ArticleEvent),
  allowedActions: z.array(ArticleAction),
  /** The news tip (爆料) the draft was written from (server/tips), for the newsroom's link back; null or absent: none. */
  tipId: z.string().nullable().optional(),
});
export type ArticleManageDetail = z.infer<typeof ArticleManageDetail>;

const articleFields = {
  columnId: objectId,
  title: trimmed(4, 60),
  /** Shown in the feed; when empty the server takes the start of the body's text. */
  summary: z.string().trim().max(120).default(''),
  /** Any HTML: the server keeps only the safe subset (sanitize.ts) and refuses a body left empty by it. */
  bodyHtml: z.string().min(1, '正文不能为空').max(100_000, '正文过长（最多10万字符）'),
  coverPhotoId: PhotoId.nullable().default(null),
  source: trimmed(1, 40).default('县融媒体中心'),
  author: trimmed(1, 40),
  /** Communities or townships the article is for; empty: the whole county. */
  regionIds: z.array(objectId).max(20).default([]),
};
/** A retry of the same save (same key, same writer) gets the first draft back, not a second one. */
export const CreateArticleBody = z.strictObject({ ...articleFields, idempotencyKey: IdempotencyKey });
export type CreateArticleBody = z.infer<typeof CreateArticleBody>;
/** The version an edit was made on (or `If-Match: "v<version>"`): one of them is required; a stale one is a 409. */
export const EditVersion = z.number().int().min(0).max(999_999_999);
/** Only drafts (and sent-back or withdrawn articles, which are drafts again) can be edited. */
export const UpdateArticleBody = z.strictObject({
  version: EditVersion.optional(),
  columnId: articleFields.columnId.optional(),
  title: articleFields.title.optional(),
  summary: z.string().trim().max(120).optional(),
  bodyHtml: articleFields.bodyHtml.optional(),
  coverPhotoId: PhotoId.nullable().optional(),
  source: trimmed(1, 40).optional(),
  author: trimmed(1, 40).optional(),
  regionIds: z.array(objectId).max(20).optional(),
});
export type UpdateArticleBody = z.infer<typeof UpdateArticleBody>;

/** Move bodies, one per workflow action (POST /articles/:id/<action>). */
export const ArticleMoveBodies = {
  /** publishAt: publish at this time after the last approval (scheduled); null: at once. */
  submit: z.strictObject({ publishAt: z.iso.datetime({ offset: true }).nullable().default(null) }),
  approve: z.strictObject({ note: trimmed(1, 200).optional() }),
  reject: z.strictObject({ reason: trimmed(2, 200) }),
  schedule: z.strictObject({ publishAt: z.iso.datetime({ offset: true }) }),
  publish: z.strictObject({}),
  withdraw: z.strictObject({ reason: trimmed(2, 200) }),
  pin: z.strictObject({ pinned: z.boolean() }),
};

const cursor = z.string().max(200).optional();
const limit = z.coerce.number().int().min(1).max(50).default(20);

/** The public feed: one column (code) or all, for a region (the reader's community) or county-wide only. */
export const FeedQuery = z.strictObject({
  column: ColumnCode.optional(),
  regionId: objectId.optional(),
  cursor,
  limit,
});
export type FeedQuery = z.infer<typeof FeedQuery>;

/** Search over titles and bodies (news/search-terms.ts): all terms of `q` must match. */
export const SearchQuery = z.strictObject({ q: trimmed(1, 40), cursor, limit });

/** The workbench: by state, by review level waiting, mine only, and the same search. */
export const ManageQuery = z.strictObject({
  state: z.string().regex(/^[a-z]+(,[a-z]+)*$/, '状态为逗号分隔的列表').optional(),
  /** Review queue of this level (implies state=review). */
  level: z.coerce.number().int().min(1).max(3).optional(),
  mine: z.enum(['true', 'false']).optional(),
  column: ColumnCode.optional(),
  q: trimmed(1, 40).optional(),
  cursor,
  limit,
});
export type ManageQuery = z.infer<typeof ManageQuery>;

export const ManageCounts = z.object({
  /** Waiting per review level: { 1: n, 2: n, 3: n }. */
  review: z.record(z.string(), z.number().int()),
  drafts: z.number().int(),
  scheduled: z.number().int(),
  /** Comments waiting for an editor (held or hidden by reports). */
  moderation: z.number().int(),
});
export type ManageCounts = z.infer<typeof ManageCounts>;

export const LikeResult = z.object({ liked: z.boolean(), likes: z.number().int() });
export type LikeResult = z.infer<typeof LikeResult>;

// Comments
export const Comment = z.object({
  id: z.string(),
  /** The article it is under, or null when it is under a consultation (议事). */
  articleId: z.string().nullable(),
  consultationId: z.string().nullable(),
  /** Masked for everyone but the author and editors: 张*. */
  authorName: z.string(),
  text: z.string(),
  state: CommentState,
  stateLabel: z.string(),
  /** True for the caller's own comment (a held comment is shown to its author only). */
  mine: z.boolean(),
  createdAt: z.string(),
});
export type Comment = z.infer<typeof Comment>;
export const CommentPage = z.object({ items: z.array(Comment), nextCursor: z.string().nullable() });
export type CommentPage = z.infer<typeof CommentPage>;
/** Under an article or under a consultation (议事): exactly one of the two. */
const oneSubject = <T extends { articleId?: string; consultationId?: string }>(b: T, ctx: z.RefinementCtx) => {
  if ((b.articleId === undefined) === (b.consultationId === undefined)) ctx.addIssue({ code: 'custom', path: ['articleId'], message: '请指定文章或议事（二选一）' });
};
export const CreateCommentBody = z.strictObject({ articleId: objectId.optional(), consultationId: objectId.optional(), text: trimmed(1, 300), idempotencyKey: IdempotencyKey }).superRefine(oneSubject);
export type CreateCommentBody = z.infer<typeof CreateCommentBody>;
/** The reader's reason: one of REPORT_REASONS in the mini-program, or their own words. */
export const ReportCommentBody = z.strictObject({ reason: trimmed(1, 100).optional() });
export const ReportResult = z.object({ reports: z.number().int(), hidden: z.boolean() });
export type ReportResult = z.infer<typeof ReportResult>;

/** An editor's view: why it waits, the article it is under, the reports. */
export const ModerationItem = Comment.extend({
  articleTitle: z.string(),
  /** sensitive: a listed word matched (which ones); reports: three readers reported it. */
  heldFor: z.enum(['sensitive', 'reports']).nullable(),
  matchedWords: z.array(z.string()),
  reports: z.number().int(),
  /** The reasons the reporters gave (垃圾广告, 辱骂攻击 …). */
  reportReasons: z.array(z.string()),
});
export type ModerationItem = z.infer<typeof ModerationItem>;
export const ModerationPage = z.object({ items: z.array(ModerationItem), nextCursor: z.string().nullable() });
export const ModerationQuery = z.strictObject({ state: z.enum(['held', 'hidden', 'all']).default('all'), cursor, limit });
export const ModerationDecisionBody = z.strictObject({ decision: z.enum(['approve', 'remove']), note: trimmed(1, 200).optional() });
/** The visible comments of an article or a consultation, newest first (and the caller's own held ones). */
export const CommentListQuery = z.strictObject({ articleId: objectId.optional(), consultationId: objectId.optional(), cursor, limit }).superRefine(oneSubject);

/**
 * Readers' comments under published articles and their moderation:
 * - a comment with a listed word waits as `held` (sensitive-words.ts); others are `visible` at once;
 * - REPORTS_TO_HIDE different readers' reports hide a visible comment (`hidden`) until an editor decides;
 * - editors and reviewers approve (visible again) or remove what is held or hidden.
 *
 * ArticleStats.comments counts the visible comments: +1 when one becomes visible (written, approved),
 * -1 when a visible one is hidden. Every change of state is one conditional single-document update, so
 * concurrent reports hide a comment once and a decision is taken once.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound, rateLimited } from '../core/errors';
import { createOnce } from '../core/create-once';
import { rateLimiter } from '../core/rate-limit/limiter';
import { appearance } from '../people';
import type { Role } from '../../common/roles';
import { COMMENT_STATE_LABELS, REPORTS_TO_HIDE, type CommentStateName } from '../../common/news-labels';
import { newsModels, type CommentDoc, type CommentSubjectKind } from './model';
import type { Comment, CommentPage, CreateCommentBody, ModerationItem, ReportResult } from './schemas';
import { commentWordMatcher } from './sensitive-words';
import { encodeCursor } from './feed-key';

/** Who moderates comments (admin passes every role list), and sees authors' names unmasked. */
export const MODERATORS: readonly Role[] = ['editor', 'reviewer'];
/** Comments a reader may write per minute; more is refused with 429. */
export const COMMENTS_PER_MINUTE = 10;

const WAITING: CommentStateName[] = ['held', 'hidden'];

const isModerator = (user: AuthUser | null) => !!user && user.roles.some((r) => r === 'admin' || MODERATORS.includes(r));

/** A page cursor is the last comment's id, opaque to clients (encoded like the feed's). */
const encodeIdCursor = (id: Types.ObjectId) => encodeCursor(String(id));
function decodeIdCursor(cursor: string | undefined): Types.ObjectId | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(id)) throw badRequest('分页游标无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效的游标' }]);
  return new Types.ObjectId(id);
}

/** A comment as this viewer sees it: the author's name masked (张*) but for the author and moderators. */
export function toComment(c: CommentDoc, viewer: AuthUser | null): Comment {
  const mine = !!viewer && viewer.id === String(c.authorId);
  return {
    id: String(c._id),
    articleId: c.subjectKind ? null : String(c.articleId),
    consultationId: c.subjectKind === 'consultation' ? String(c.articleId) : null,
    // Readers are members of the public to each other; moderators see who wrote (people/privacy.ts).
    authorName: appearance({ name: c.authorName, kind: 'public', self: mine }, { personal: isModerator(viewer), anonymous: false, staff: false }),
    text: c.text,
    state: c.state,
    stateLabel: COMMENT_STATE_LABELS[c.state],
    mine,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

export function toModerationItem(c: CommentDoc, viewer: AuthUser): ModerationItem {
  return { ...toComment(c, viewer), articleTitle: c.articleTitle, heldFor: c.heldFor, matchedWords: c.matchedWords, reports: c.reports, reportReasons: c.reportReasons ?? [] };
}

/**
 * A record other than an article that takes comments, as its own feature answers: its title, and
 * whether new comments are taken now (a closed consultation's discussion is read, not added to);
 * null when there is no such record for this viewer. Handed in by the composition root, since the
 * features with such records sit above news.
 */
export type CommentSubject = (id: string) => Promise<{ title: string; open: boolean } | null>;

export interface CommentServiceOptions {
  /** The records besides articles that take comments (the composition root's list). */
  subjects?: Partial<Record<CommentSubjectKind, CommentSubject>>;
  /** Called after create has looked for an earlier comment with the same key (tests race two retries here). */
  afterLookup?: () => Promise<void>;
  /** Called after a report has read the comment, before it writes (tests hold three reports here). */
  afterReportRead?: () => Promise<void>;
}

export function commentService(ctx: AppContext, opts: CommentServiceOptions = {}) {
  const { Article, ArticleStats, Comment } = newsModels(ctx.conn);
  const limiter = rateLimiter(ctx);
  const matchWords = commentWordMatcher(ctx.config.sensitiveWordsExtra ?? []);

  /** An article's count of visible comments (a consultation's comments count nowhere). */
  const bumpCount = async (c: Pick<CommentDoc, 'articleId' | 'subjectKind'>, by: 1 | -1) => {
    if (!c.subjectKind) await ArticleStats.updateOne({ _id: c.articleId }, { $inc: { comments: by } }, { upsert: true });
  };

  async function publishedArticle(id: string): Promise<{ _id: Types.ObjectId; title: string }> {
    const a = await Article.findOne({ _id: id, state: 'published' }, { title: 1 }).lean<{ _id: Types.ObjectId; title: string }>();
    if (!a) throw notFound('文章');
    return a;
  }

  /** What a request's comments are under: a published article, or another feature's record (404 when it has none). */
  async function subjectOf(q: { articleId?: string; consultationId?: string }, writing: boolean): Promise<{ _id: Types.ObjectId; title: string; kind: CommentSubjectKind | null }> {
    if (q.articleId) return { ...(await publishedArticle(q.articleId)), kind: null };
    const find = opts.subjects?.consultation;
    const found = find ? await find(q.consultationId!) : null;
    if (!found) throw notFound('议事');
    if (writing && !found.open) throw invalidState('议事已结束，不能再发表评论');
    return { _id: new Types.ObjectId(q.consultationId!), title: found.title, kind: 'consultation' };
  }

  const findFirst = (authorId: Types.ObjectId, idempotencyKey: string) => Comment.findOne({ authorId, idempotencyKey }).lean<CommentDoc>();

  async function admit(user: AuthUser): Promise<void> {
    const d = await limiter.hit([{ key: `comment:user:${user.id}`, limit: COMMENTS_PER_MINUTE, windowMs: 60_000 }]);
    if (!d.allowed) throw rateLimited('评论太频繁，请稍后再试', d.retryAfterSeconds);
  }

  return {
    /** The visible comments of a published article, newest first, with the caller's own held or hidden ones. */
    async list(viewer: AuthUser | null, q: { articleId?: string; consultationId?: string; cursor?: string; limit: number }): Promise<CommentPage> {
      const article = await subjectOf(q, false);
      const before = decodeIdCursor(q.cursor);
      const filter: Record<string, unknown> = { articleId: article._id };
      if (viewer) filter.$or = [{ state: 'visible' }, { authorId: new Types.ObjectId(viewer.id), state: { $in: WAITING } }];
      else filter.state = 'visible';
      if (before) filter._id = { $lt: before };
      const docs = await Comment.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<CommentDoc[]>();
      const page = docs.slice(0, q.limit);
      return { items: page.map((c) => toComment(c, viewer)), nextCursor: docs.length > q.limit ? encodeIdCursor(page[page.length - 1]._id) : null };
    },

    /** Write a comment; a retry with the same key gets the first one (`created` false). */
    async create(user: AuthUser, body: CreateCommentBody): Promise<{ comment: CommentDoc; created: boolean }> {
      const authorId = new Types.ObjectId(user.id);
      let article: { _id: Types.ObjectId; title: string; kind: CommentSubjectKind | null } | undefined;
      const { doc, created } = await createOnce({
        findFirst: () => findFirst(authorId, body.idempotencyKey),
        afterLookup: opts.afterLookup,
        admit: async () => {
          article = await subjectOf(body, true);
          await admit(user);
        },
        insert: async () => {
          const matchedWords = matchWords(body.text);
          const c = await Comment.create({
            articleId: article!._id,
            articleTitle: article!.title,
            subjectKind: article!.kind,
            authorId,
            authorName: user.name,
            text: body.text,
            state: matchedWords.length ? 'held' : 'visible',
            heldFor: matchedWords.length ? 'sensitive' : null,
            matchedWords,
            reporterIds: [],
            reports: 0,
            reportReasons: [],
            idempotencyKey: body.idempotencyKey,
            decidedById: null,
            decidedAt: null,
            decisionNote: null,
          });
          return c.toObject() as CommentDoc;
        },
      });
      if (created && doc.state === 'visible') await bumpCount(doc, 1);
      return { comment: doc, created };
    },

    /**
     * One report per reader (kept in reporterIds); the REPORTS_TO_HIDE-th hides a visible comment.
     * Readers who reported before an approval stay in reporterIds, so they cannot hide it again.
     */
    async report(user: AuthUser, id: string, reason?: string): Promise<ReportResult> {
      const reporterId = new Types.ObjectId(user.id);
      const c = await Comment.findById(id).lean<CommentDoc>();
      // Held and removed comments are not shown to readers: nothing to report.
      if (!c || (c.state !== 'visible' && c.state !== 'hidden')) throw notFound('评论');
      if (String(c.authorId) === user.id) throw forbidden('不能举报自己的评论');
      await opts.afterReportRead?.();

      const counted = await Comment.findOneAndUpdate(
        { _id: c._id, state: { $in: ['visible', 'hidden'] }, reporterIds: { $ne: reporterId } },
        { $addToSet: { reporterIds: reporterId }, $inc: { reports: 1 }, ...(reason ? { $push: { reportReasons: reason } } : {}) },
        { returnDocument: 'after' },
      ).lean<CommentDoc>();
      let now = counted;
      if (counted && counted.state === 'visible' && counted.reports >= REPORTS_TO_HIDE) {
        // Several reports may pass the threshold together: the state condition lets one of them hide it.
        const hidden = await Comment.findOneAndUpdate(
          { _id: c._id, state: 'visible', reports: { $gte: REPORTS_TO_HIDE } },
          { $set: { state: 'hidden', heldFor: 'reports' } },
          { returnDocument: 'after' },
        ).lean<CommentDoc>();
        if (hidden) {
          await bumpCount(c, -1);
          now = hidden;
        }
      }
      // A second report by the same reader (or one that lost a race with a decision) changes nothing.
      now ??= await Comment.findById(c._id).lean<CommentDoc>();
      if (!now) throw notFound('评论');
      const hidden = now.state === 'hidden';
      return { reports: now.reports, hidden };
    },

    /** Held and hidden comments, oldest first (the queue's order), optionally one state only. */
    async moderation(viewer: AuthUser, q: { state: 'held' | 'hidden' | 'all'; cursor?: string; limit: number }): Promise<{ items: ModerationItem[]; nextCursor: string | null }> {
      const after = decodeIdCursor(q.cursor);
      const filter: Record<string, unknown> = { state: q.state === 'all' ? { $in: WAITING } : q.state };
      if (after) filter._id = { $gt: after };
      const docs = await Comment.find(filter).sort({ _id: 1 }).limit(q.limit + 1).lean<CommentDoc[]>();
      const page = docs.slice(0, q.limit);
      return { items: page.map((c) => toModerationItem(c, viewer)), nextCursor: docs.length > q.limit ? encodeIdCursor(page[page.length - 1]._id) : null };
    },

    /**
     * An editor's decision on a held or hidden comment: approve (visible; its reports start again from
     * zero, the earlier reporters cannot report it again) or remove. 409 from any other state.
     */
    async decide(user: AuthUser, id: string, decision: 'approve' | 'remove', note?: string): Promise<ModerationItem> {
      const set: Record<string, unknown> = { state: decision === 'approve' ? 'visible' : 'removed', decidedById: new Types.ObjectId(user.id), decidedAt: ctx.now(), decisionNote: note ?? null };
      if (decision === 'approve') Object.assign(set, { reports: 0, reportReasons: [] });
      const decided = await Comment.findOneAndUpdate({ _id: id, state: { $in: WAITING } }, { $set: set }, { returnDocument: 'after' }).lean<CommentDoc>();
      if (!decided) {
        const c = await Comment.findById(id, { state: 1 }).lean<CommentDoc>();
        if (!c) throw notFound('评论');
        throw invalidState(`评论${COMMENT_STATE_LABELS[c.state]}，只能审核待审核或被举报隐藏的评论`);
      }
      if (decision === 'approve') await bumpCount(decided, 1);
      return toModerationItem(decided, user);
    },

    /** How many comments wait for a moderator (the workbench's badge). */
    waiting: () => Comment.countDocuments({ state: { $in: WAITING } }),
  };
}
export type CommentService = ReturnType<typeof commentService>;

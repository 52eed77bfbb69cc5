/**
 * The moves of an article: submit, approve and reject per review level, schedule, publish,
 * withdraw, pin. Each is one conditional single-document update on the state (and level) it starts
 * from, with its history event in the same write: of two reviewers approving the same level at
 * once one wins and the other gets 409 naming the state the article is in now; two schedulers
 * publish a due article once.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { staleVersion, versionFilter } from '../core/versions';
import { feedKeyOf } from './feed-key';
import { ARTICLE_ACTION_LABELS, REVIEW_LEVEL_LABELS } from '../../common/news-labels';
import { newsModels, type ArticleDoc, type ColumnDoc } from './model';
import type { ArticleManageDetail, ArticleMoveBodies } from './schemas';
import { articleEvent, articleService, reviewRefusal, stateLabel } from './articles';
import type { z } from 'zod';

type Bodies = { [K in keyof typeof ArticleMoveBodies]: z.output<(typeof ArticleMoveBodies)[K]> };

export interface WorkflowOptions {
  /**
   * Called after a move has read the article and before it writes. Tests hold two moves here until
   * both have read, which makes the race of two presses certain instead of likely.
   */
  afterRead?: () => Promise<void>;
}

/** The state as the workbench names it: 审核中（复审） while a level waits. */
const whereLabel = (a: Pick<ArticleDoc, 'state' | 'reviewLevel'>) =>
  a.state === 'review' && a.reviewLevel ? `${stateLabel(a.state)}（${REVIEW_LEVEL_LABELS[a.reviewLevel] ?? `第${a.reviewLevel}级`}）` : stateLabel(a.state);

/** 409 naming the state: 文章当前状态为「已发布」，不能提交审核. */
export const moveRefused = (a: Pick<ArticleDoc, 'state' | 'reviewLevel'>, action: string) =>
  invalidState(`文章当前状态为「${whereLabel(a)}」，不能${ARTICLE_ACTION_LABELS[action] ?? action}`);

/** The fields a publication sets: the time, and the feed's sort key (pinned/emergency on top). */
export function publishedFields(a: Pick<ArticleDoc, '_id' | 'emergency' | 'pinned'>, at: Date) {
  return { state: 'published' as const, publishedAt: at, publishAt: null, reviewLevel: null, withdrawnAt: null, feedKey: feedKeyOf({ _id: a._id, publishedAt: at, pinned: a.pinned, emergency: a.emergency }) };
}

function futureTime(iso: string | null, now: Date): Date | null {
  if (iso === null) return null;
  const at = new Date(iso);
  if (at.getTime() <= now.getTime()) throw badRequest('定时发布时间须晚于现在', [{ path: 'body.publishAt', message: '须晚于现在' }]);
  return at;
}

export function articleWorkflow(ctx: AppContext, opts: WorkflowOptions = {}) {
  const { Article, ArticleStats, Column } = newsModels(ctx.conn);
  const articles = articleService(ctx);

  /** Versions the callers named, per article read (a move made on a version checks it in its write). */
  const expected = new WeakMap<ArticleDoc, number>();

  /** The article; with `version` (the If-Match of the move), a move made on an older version is a 409 STALE_VERSION. */
  async function read(id: string, version: number | null = null): Promise<ArticleDoc> {
    const a = await articles.load(id);
    if (version !== null) {
      if ((a.version ?? 0) !== version) throw staleVersion(a.version);
      expected.set(a, version);
    }
    await opts.afterRead?.();
    return a;
  }

  /**
   * The conditional write of a move (every write moves the version on); when the condition no
   * longer holds, 409 naming the state it is in now.
   */
  async function write(a: ArticleDoc, action: string, cond: Record<string, unknown>, update: Record<string, unknown>): Promise<ArticleDoc> {
    const version = expected.get(a);
    const filter = { _id: a._id, ...cond, ...(version !== undefined ? { version: versionFilter(version) } : {}) };
    const updated = await Article.findOneAndUpdate(filter, { ...update, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<ArticleDoc>();
    if (updated) return updated;
    const now = await Article.findById(a._id, { state: 1, reviewLevel: 1, version: 1 }).lean<ArticleDoc>();
    if (!now) throw notFound('文章');
    if (now.state === a.state && now.reviewLevel === a.reviewLevel) {
      if (version !== undefined) throw staleVersion(now.version);
      throw invalidState('文章刚被他人修改，请刷新后重试');
    }
    throw moveRefused(now, action);
  }

  /** Counters exist from the moment an article is readable. */
  const ensureStats = (id: Types.ObjectId) => ArticleStats.updateOne({ _id: id }, { $setOnInsert: { views: 0, likes: 0, comments: 0 } }, { upsert: true });

  async function done(a: ArticleDoc, user: AuthUser): Promise<ArticleManageDetail> {
    if (a.state === 'published') await ensureStats(a._id);
    return articles.detail(a, user);
  }

  return {
    async submit(user: AuthUser, id: string, body: Bodies['submit'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'draft' && a.state !== 'withdrawn') throw moveRefused(a, 'submit');
      const now = ctx.now();
      const publishAt = futureTime(body.publishAt, now);
      // The levels are the column's now; a column changed later does not move a review under way.
      const column = await Column.findById(a.columnId, { reviewLevels: 1 }).lean<ColumnDoc>();
      const reviewLevels = column?.reviewLevels ?? a.reviewLevels;
      const updated = await write(a, 'submit', { state: a.state }, {
        $set: { state: 'review', reviewLevel: 1, reviewLevels, approvedByIds: [], rejectReason: null, publishAt, feedKey: null },
        $push: { history: articleEvent(now, 'submit', user, null, publishAt ? `定时发布：${publishAt.toISOString()}` : null) },
      });
      return done(updated, user);
    },

    async approve(user: AuthUser, id: string, body: Bodies['approve'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'review' || !a.reviewLevel) throw moveRefused(a, 'approve');
      const refusal = reviewRefusal(a, user);
      if (refusal) throw forbidden(refusal);
      const level = a.reviewLevel;
      const me = new Types.ObjectId(user.id);
      const now = ctx.now();
      const events = [articleEvent(now, 'approve', user, level, body.note ?? null)];
      let set: Record<string, unknown>;
      if (level < a.reviewLevels) set = { reviewLevel: level + 1 };
      else if (a.publishAt && a.publishAt.getTime() > now.getTime()) {
        set = { state: 'scheduled', reviewLevel: null };
        events.push(articleEvent(now, 'schedule', user, null, `定时发布：${a.publishAt.toISOString()}`));
      } else {
        set = publishedFields(a, now);
        events.push(articleEvent(now, 'publish', user));
      }
      // The condition is the level read: of two approvals of one level, one finds it moved on.
      const updated = await write(a, 'approve', { state: 'review', reviewLevel: level, createdById: { $ne: me }, approvedByIds: { $ne: me } }, {
        $set: set,
        $push: { approvedByIds: me, history: { $each: events } },
      });
      return done(updated, user);
    },

    async reject(user: AuthUser, id: string, body: Bodies['reject'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'review' || !a.reviewLevel) throw moveRefused(a, 'reject');
      const refusal = reviewRefusal(a, user);
      if (refusal) throw forbidden(refusal);
      const updated = await write(a, 'reject', { state: 'review', reviewLevel: a.reviewLevel }, {
        $set: { state: 'draft', reviewLevel: null, approvedByIds: [], rejectReason: body.reason, publishAt: null },
        $push: { history: articleEvent(ctx.now(), 'reject', user, a.reviewLevel, body.reason) },
      });
      return done(updated, user);
    },

    /** A scheduled article gets another time. */
    async schedule(user: AuthUser, id: string, body: Bodies['schedule'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'scheduled') throw moveRefused(a, 'schedule');
      const now = ctx.now();
      const publishAt = futureTime(body.publishAt, now)!;
      const updated = await write(a, 'schedule', { state: 'scheduled' }, {
        $set: { publishAt },
        $push: { history: articleEvent(now, 'schedule', user, null, `定时发布：${publishAt.toISOString()}`) },
      });
      return done(updated, user);
    },

    /** A scheduled article now, without waiting for its time. */
    async publish(user: AuthUser, id: string, version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'scheduled') throw moveRefused(a, 'publish');
      const now = ctx.now();
      const updated = await write(a, 'publish', { state: 'scheduled' }, { $set: publishedFields(a, now), $push: { history: articleEvent(now, 'publish', user) } });
      return done(updated, user);
    },

    async withdraw(user: AuthUser, id: string, body: Bodies['withdraw'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      if (a.state !== 'published' && a.state !== 'scheduled') throw moveRefused(a, 'withdraw');
      const now = ctx.now();
      const updated = await write(a, 'withdraw', { state: a.state }, {
        $set: { state: 'withdrawn', withdrawnAt: now, feedKey: null, pinned: false, publishAt: null, reviewLevel: null },
        $push: { history: articleEvent(now, 'withdraw', user, null, body.reason) },
      });
      return done(updated, user);
    },

    /** Pin or unpin a published article (the feed key moves it to or from the top); the same state again is a no-op. */
    async pin(user: AuthUser, id: string, body: Bodies['pin'], version: number | null = null): Promise<ArticleManageDetail> {
      const a = await read(id, version);
      const action = body.pinned ? 'pin' : 'unpin';
      if (a.state !== 'published' || !a.publishedAt) throw moveRefused(a, action);
      if (a.pinned === body.pinned) return done(a, user);
      const updated = await write(a, action, { state: 'published', pinned: a.pinned, publishedAt: a.publishedAt }, {
        $set: { pinned: body.pinned, feedKey: feedKeyOf({ _id: a._id, publishedAt: a.publishedAt, pinned: body.pinned, emergency: a.emergency }) },
        $push: { history: articleEvent(ctx.now(), action, user) },
      });
      return done(updated, user);
    },

    /**
     * Publishes every scheduled article whose time has come. State lives in the articles, so a
     * restart loses nothing; each publish is conditional on the state and time read, so two
     * processes running this at once publish each article once. Returns how many this call published.
     */
    async publishDue(limit = 200): Promise<number> {
      const now = ctx.now();
      const due = await Article.find({ state: 'scheduled', publishAt: { $lte: now } }, { _id: 1, publishAt: 1, pinned: 1, emergency: 1 })
        .sort({ publishAt: 1 })
        .limit(limit)
        .lean<ArticleDoc[]>();
      let published = 0;
      for (const a of due) {
        const won = await Article.updateOne(
          { _id: a._id, state: 'scheduled', publishAt: a.publishAt },
          { $set: publishedFields(a, now), $inc: { version: 1 }, $push: { history: articleEvent(now, 'publish', null, null, '定时发布') } },
        );
        if (won.modifiedCount === 1) {
          published++;
          await ensureStats(a._id);
        }
      }
      return published;
    },
  };
}

export type ArticleWorkflow = ReturnType<typeof articleWorkflow>;

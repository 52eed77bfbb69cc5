/**
 * The readers' queries: the feed (per column, per region scope), search, an article with its
 * counters, likes. Every list walks the `feedKey` order (pinned/emergency first, then newest) with
 * a cursor that is the last key of the page, so a page is one range on one indexed string.
 */
import type { AppContext } from '../context';
import { isDuplicateKeyError, notFound } from '../core/errors';
import { photoRef } from '../photos';
import { regionLookup } from '../regions';
import { decodeCursor, encodeCursor } from './feed-key';
import { newsModels, type ArticleDoc, type ArticleStatsDoc, type ColumnDoc } from './model';
import type { ArticleDetail, ArticlePage, ArticleSummary, FeedQuery, LikeResult } from './schemas';
import { queryTerms } from './search-terms';
import { articleViews } from './view-counter';

export function toArticleSummary(a: ArticleDoc): ArticleSummary {
  return {
    id: String(a._id),
    columnId: String(a.columnId),
    columnCode: a.columnCode,
    columnName: a.columnName,
    title: a.title,
    summary: a.summary,
    cover: a.coverPhotoId ? photoRef(a.coverPhotoId) : null,
    source: a.source,
    author: a.author,
    regionNames: a.regionNames,
    pinned: a.pinned,
    emergency: a.emergency,
    publishedAt: a.publishedAt ? a.publishedAt.toISOString() : null,
  };
}

/** `/a/b/c/` → [`/a/`, `/a/b/`, `/a/b/c/`]: the region and every region above it. */
export function ancestorPaths(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, i) => `/${ids.slice(0, i + 1).join('/')}/`);
}

/**
 * Whether an article is for a place at `path`: county-wide (no regions), or scoped to that place
 * or a region above it (a township's article is for each of its communities, not the other way).
 */
export function inScope(regionPaths: readonly string[], path: string | null): boolean {
  if (regionPaths.length === 0) return true;
  return path !== null && regionPaths.some((p) => path.startsWith(p));
}

/** The same test as a filter: county-wide only without a region. */
export function scopeFilter(path: string | null): Record<string, unknown> {
  if (path === null) return { regionPaths: { $size: 0 } };
  return { $or: [{ regionPaths: { $size: 0 } }, { regionPaths: { $in: ancestorPaths(path) } }] };
}

/**
 * A page in feedKey order: `limit + 1` read to know whether there is a next page. The state and
 * the key range lead the filter so both databases walk the `{state, feedKey}` (or `{columnId,
 * state, feedKey}`) index newest first and stop after the page.
 */
async function page(ctx: AppContext, filter: Record<string, unknown>, cursor: string | undefined, limit: number): Promise<ArticlePage> {
  const after = decodeCursor(cursor);
  const docs = await newsModels(ctx.conn).Article.find({ state: 'published', ...(after ? { feedKey: { $lt: after } } : {}), ...filter })
    .sort({ feedKey: -1 })
    .limit(limit + 1)
    .lean<ArticleDoc[]>();
  const items = docs.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(toArticleSummary), nextCursor: docs.length > limit && last?.feedKey ? encodeCursor(last.feedKey) : null };
}

export function newsFeed(ctx: AppContext) {
  const { Article, ArticleStats, ArticleLike, Column } = newsModels(ctx.conn);
  const views = articleViews(ctx);

  async function published(id: string): Promise<ArticleDoc> {
    const a = await Article.findOne({ _id: id, state: 'published' }).lean<ArticleDoc>();
    if (!a) throw notFound('文章');
    return a;
  }

  /** Counters, created on first use (an upsert race loses to a duplicate key once: retry). */
  async function bump(articleId: string, inc: { likes: number }): Promise<ArticleStatsDoc> {
    for (let attempt = 0; ; attempt++) {
      try {
        const s = await ArticleStats.findOneAndUpdate({ _id: articleId }, { $inc: inc }, { upsert: true, returnDocument: 'after' }).lean<ArticleStatsDoc>();
        return s!;
      } catch (err) {
        if (attempt > 2 || !isDuplicateKeyError(err)) throw err;
      }
    }
  }

  async function likeCount(articleId: string): Promise<number> {
    const s = await ArticleStats.findById(articleId, { likes: 1 }).lean<ArticleStatsDoc>();
    return Math.max(0, s?.likes ?? 0);
  }

  return {
    async feed(q: FeedQuery): Promise<ArticlePage> {
      const filter: Record<string, unknown> = {};
      if (q.column) {
        const col = await Column.findOne({ code: q.column }, { _id: 1 }).lean<ColumnDoc>();
        if (!col) throw notFound('栏目');
        filter.columnId = col._id;
      }
      let path: string | null = null;
      if (q.regionId) {
        path = await regionLookup(ctx).pathOf(q.regionId);
        if (path === null) throw notFound('区域');
      }
      return page(ctx, { ...filter, ...scopeFilter(path) }, q.cursor, q.limit);
    },

    /** Every term of `q` must be among the article's terms; an article anywhere in the county. */
    search(terms: string[], cursor: string | undefined, limit: number): Promise<ArticlePage> {
      return page(ctx, { searchTerms: { $all: terms } }, cursor, limit);
    },

    queryTerms,

    /**
     * A read: notes a view (counted once per reader and day, written in batches: view-counter.ts;
     * nothing is written here) and answers with the counters and whether the caller liked it.
     */
    async read(id: string, userId: string | null, reader: string): Promise<ArticleDetail> {
      const a = await published(id);
      views.note(id, reader);
      const [stats, liked] = await Promise.all([ArticleStats.findById(id).lean<ArticleStatsDoc>(), userId ? ArticleLike.exists({ articleId: a._id, userId }) : null]);
      return {
        ...toArticleSummary(a),
        bodyHtml: a.bodyHtml,
        views: (stats?.views ?? 0) + views.pendingFor(id),
        likes: Math.max(0, stats?.likes ?? 0),
        comments: Math.max(0, stats?.comments ?? 0),
        liked: !!liked,
      };
    },

    /** One like per reader: the unique index decides, and the counter moves only when a like was added. */
    async like(id: string, userId: string): Promise<LikeResult> {
      const a = await published(id);
      try {
        await ArticleLike.create({ articleId: a._id, userId });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        return { liked: true, likes: await likeCount(id) };
      }
      const s = await bump(id, { likes: 1 });
      return { liked: true, likes: Math.max(0, s.likes ?? 0) };
    },

    async unlike(id: string, userId: string): Promise<LikeResult> {
      const a = await published(id);
      const gone = await ArticleLike.deleteOne({ articleId: a._id, userId });
      if (gone.deletedCount !== 1) return { liked: false, likes: await likeCount(id) };
      const s = await bump(id, { likes: -1 });
      return { liked: false, likes: Math.max(0, s.likes ?? 0) };
    },
  };
}

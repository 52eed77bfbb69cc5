import type { AppContext } from '../context';
import { badRequest } from '../core/errors';
import { queryKey } from '../core/cache/read-cache';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { newsFeed } from './feed';
import { readerKey } from './view-counter';
import { FEED_CACHE } from './model';
import { ArticleDetail, ArticlePage, FeedQuery, LikeResult, SearchQuery } from './schemas';

/** Readers: the feed (cached, ETag), search, an article with its counters, likes. */
export function feedRoutes(ctx: AppContext): RouteDef[] {
  const news = newsFeed(ctx);
  return [
    route({
      method: 'get', path: '/feed', summary: '新闻列表（按栏目、按所在社区，置顶与应急在前）', access: 'public', query: FeedQuery, response: ArticlePage,
      // The same for every caller: one cache entry per normalized query, invalidated by any article write.
      handler: ({ req, res, query }) => ctx.cache.respond({ req, res }, { namespace: FEED_CACHE, key: queryKey(query) }, () => news.feed(query)),
    }),
    route({
      method: 'get', path: '/search', summary: '搜索新闻（标题与正文）', access: 'public', query: SearchQuery, response: ArticlePage,
      handler: ({ query }) => {
        const terms = news.queryTerms(query.q);
        if (terms.length === 0) throw badRequest('请输入要搜索的文字', [{ path: 'query.q', message: '没有可搜索的文字' }]);
        return news.search(terms, query.cursor, query.limit);
      },
    }),
    route({
      method: 'get', path: '/articles/:id', summary: '阅读文章（每位读者每篇每天计一次阅读，批量写入）', access: 'public', params: idParams, response: ArticleDetail,
      handler: ({ params, user, req }) => {
        const userId = user && !user.roles.includes('bot') ? user.id : null;
        return news.read(params.id, userId, readerKey(userId, req.ip ?? '', req.get('user-agent') ?? ''));
      },
    }),
    route({
      method: 'put', path: '/articles/:id/like', summary: '点赞（每人一次，重复点赞不重复计数）', access: 'user', params: idParams, response: LikeResult,
      handler: ({ params, user }) => news.like(params.id, user!.id),
    }),
    route({
      method: 'delete', path: '/articles/:id/like', summary: '取消点赞', access: 'user', params: idParams, response: LikeResult,
      handler: ({ params, user }) => news.unlike(params.id, user!.id),
    }),
  ];
}

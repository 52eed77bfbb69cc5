import type { AppContext } from '../context';
import { queryKey } from '../core/cache/read-cache';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { REGIONS_CACHE } from '../regions';
import { APPEAL_LISTS_CACHE } from './model';
import { BoardDetail, BoardPage, BoardQuery } from './board-schemas';
import { publicBoard } from './board';

/**
 * The public board (公开诉求), mounted at /api/v1/board: the same for every caller, signed in or not,
 * so one cache entry per query or item, kept until an appeal changes in a way a list shows (the
 * lists' stamp: a reply, a rating, 撤下 all write `state` or `isPublic`) or a region does.
 */
export function boardRoutes(ctx: AppContext): RouteDef[] {
  const board = publicBoard(ctx);
  const cached = { namespace: [APPEAL_LISTS_CACHE, REGIONS_CACHE] } as const;
  return [
    route({
      method: 'get', path: '/', summary: '公开诉求（已答复的公开诉求，按分类、社区筛选，游标分页）', access: 'public', query: BoardQuery, response: BoardPage,
      handler: ({ req, res, query }) => ctx.cache.respond({ req, res }, { ...cached, key: `list:${queryKey(query)}` }, () => board.page(query)),
    }),
    route({
      method: 'get', path: '/:id', summary: '公开诉求详情（问题、答复、承办单位、评价；个人信息已隐去）', access: 'public', params: idParams, response: BoardDetail,
      handler: ({ req, res, params }) => ctx.cache.respond({ req, res }, { ...cached, key: `item:${params.id}` }, () => board.item(params.id)),
    }),
  ];
}

import type { AppContext } from '../context';
import { badRequest } from '../core/errors';
import { queryKey } from '../core/cache/read-cache';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { chinaIsoDate } from '../../common/china-time';
import { APPEAL_LISTS_CACHE, BoardDetail, BoardPage, BoardQuery, publicBoard } from '../appeals';
import { DEPARTMENTS_CACHE } from '../departments';
import { measureRankings, previousMonth, RANKING_TEXT } from '../measures';
import { REGIONS_CACHE } from '../regions';
import { BoardRates, BoardRatesQuery } from './schemas';

/** How far back the board's rates go (closed months before this one): a public read computes a month, so the months are few. */
const CLOSED_MONTHS = 12;

/**
 * The public board (公开诉求), mounted at /api/v1/board: the same for every caller, signed in or not,
 * so one cache entry per query, item or month, kept until an appeal changes in a way a list shows
 * (the lists' stamp: a reply, a rating, 撤下 all write `state` or `isPublic`) or a region or a unit
 * is renamed. The rates are the measures' monthly ranking of townships and units.
 */
export function boardRoutes(ctx: AppContext): RouteDef[] {
  const board = publicBoard(ctx);
  const rankings = measureRankings(ctx);
  const cached = { namespace: [APPEAL_LISTS_CACHE, REGIONS_CACHE] } as const;

  /** This month (the default) or one of the twelve closed months before it (China time); 400 otherwise. */
  function monthOf(asked: string | undefined): string {
    const current = chinaIsoDate(ctx.now()).slice(0, 7);
    if (asked === undefined) return current;
    if (asked > current) throw badRequest(`月份（month）${asked} 尚未到来，只能查看本月及之前${CLOSED_MONTHS}个月`, [{ path: 'query.month', message: '不能是将来的月份' }]);
    let oldest = current;
    for (let i = 0; i < CLOSED_MONTHS; i++) oldest = previousMonth(oldest);
    if (asked < oldest) throw badRequest(`月份（month）${asked} 太早，只能查看本月及之前${CLOSED_MONTHS}个月（${oldest} 起）`, [{ path: 'query.month', message: '超出范围' }]);
    return asked;
  }

  async function rates(month: string): Promise<BoardRates> {
    const ranked = async (by: 'township' | 'department') => ({ month, previousMonth: previousMonth(month), by, formula: RANKING_TEXT, ...(await rankings.rank(month, by)) });
    const [townships, departments] = await Promise.all([ranked('township'), ranked('department')]);
    return { townships, departments };
  }

  return [
    route({
      method: 'get', path: '/', summary: '公开诉求（已答复的公开诉求，按分类、社区筛选，游标分页）', access: 'public', query: BoardQuery, response: BoardPage,
      handler: ({ req, res, query }) => ctx.cache.respond({ req, res }, { ...cached, key: `list:${queryKey(query)}` }, () => board.page(query)),
    }),
    // Before /:id, which would take "rates" for an id.
    route({
      method: 'get', path: '/rates', summary: '各乡镇、各承办单位一个月的办理情况（三率、按期办结率与排名；本月及之前12个月）', access: 'public', query: BoardRatesQuery, response: BoardRates,
      handler: ({ req, res, query }) => {
        const month = monthOf(query.month);
        return ctx.cache.respond({ req, res }, { namespace: [...cached.namespace, DEPARTMENTS_CACHE], key: `rates:${month}` }, () => rates(month));
      },
    }),
    route({
      method: 'get', path: '/:id', summary: '公开诉求详情（问题、答复、承办单位、评价；个人信息已隐去）', access: 'public', params: idParams, response: BoardDetail,
      handler: ({ req, res, params }) => ctx.cache.respond({ req, res }, { ...cached, key: `item:${params.id}` }, () => board.item(params.id)),
    }),
  ];
}

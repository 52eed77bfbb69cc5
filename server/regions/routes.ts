import type { AppContext } from '../context';
import { route } from '../core/route';
import { queryKey } from '../core/cache/read-cache';
import { idParams } from '../core/validate';
import { REGIONS_CACHE } from './model';
import { CreateRegionBody, ListRegionsQuery, NearestRegions, NearestRegionsQuery, Region, RegionList, UpdateRegionBody } from './schemas';
import { regionService, type RegionHolders } from './service';

export function regionRoutes(ctx: AppContext, holders: RegionHolders) {
  const regions = regionService(ctx, holders);
  const one = async (id: string) => (await regions.toDtos([await regions.get(id)]))[0];
  // Public and the same for every caller: cached per query (writes bump REGIONS_CACHE).
  const cached = { namespace: REGIONS_CACHE };
  return [
    route({ method: 'get', path: '/', summary: '区域列表（按上级逐级展开）', access: 'public', query: ListRegionsQuery, response: RegionList, handler: ({ req, res, query }) => ctx.cache.respond({ req, res }, { ...cached, key: `list:${queryKey(query)}` }, () => regions.list(query)) }),
    // The report form's suggestion from a chosen point (signed-in residents and staff filing); not
    // cached: every point is another query, and the answer is computed from the few hundred centres.
    route({ method: 'get', path: '/nearest', summary: '按位置推荐最近的社区或网格', access: 'user', query: NearestRegionsQuery, response: NearestRegions, handler: ({ query }) => regions.nearest(query) }),
    route({ method: 'get', path: '/:id', summary: '区域详情', access: 'public', params: idParams, response: Region, handler: ({ req, res, params }) => ctx.cache.respond({ req, res }, { ...cached, key: `one:${params.id}` }, () => one(params.id)) }),
    route({ method: 'post', path: '/', summary: '新建区域', access: ['admin'], body: CreateRegionBody, response: Region, status: 201, handler: async ({ body }) => one(String((await regions.create(body))._id)) }),
    route({ method: 'patch', path: '/:id', summary: '修改区域', access: ['admin'], params: idParams, body: UpdateRegionBody, response: Region, handler: async ({ params, body }) => { await regions.update(params.id, body); return one(params.id); } }),
    route({ method: 'delete', path: '/:id', summary: '删除区域（无下级、无用户、无群聊时）', access: ['admin'], params: idParams, handler: ({ params }) => regions.remove(params.id) }),
  ];
}

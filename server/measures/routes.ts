import type { AppContext } from '../context';
import { route } from '../core/route';
import type { Role } from '../../common/roles';
import { Dashboard, Groups, GroupsQuery, IssueScreenKeyBody, IssuedScreenKey, Measures, MeasuresQuery, Rankings, RankingsQuery, ScreenKey, ScreenKeyList, Series, SeriesQuery } from './schemas';
import { screenKeys } from './screens';
import { idParams } from '../core/validate';
import { measureService } from './service';
import { RANKING_TEXT, previousMonth } from './rankings';

/** Staff who work on appeals, each in their own scope (cells.ts); the admin passes every list. */
const STAFF: readonly Role[] = ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'];

export function measureRoutes(ctx: AppContext) {
  const measures = measureService(ctx);
  const screens = screenKeys(ctx);
  return [
    route({ method: 'get', path: '/', summary: '诉求办理统计（三率、按期办结率及其基础数据；按角色范围）', access: STAFF, query: MeasuresQuery, response: Measures, handler: ({ query, user }) => measures.figures(user!, query) }),
    route({ method: 'get', path: '/groups', summary: '分单位统计（按乡镇、社区、部门、类别或渠道）', access: STAFF, query: GroupsQuery, response: Groups, handler: ({ query, user }) => measures.groups(user!, query) }),
    route({ method: 'get', path: '/series', summary: '统计趋势（按日、周或月）', access: STAFF, query: SeriesQuery, response: Series, handler: ({ query, user }) => measures.series(user!, query) }),
    route({
      method: 'get', path: '/rankings', summary: '月度排名（乡镇、社区、部门；全县公开）', access: STAFF, query: RankingsQuery, response: Rankings,
      handler: async ({ query }) => ({ month: query.month, previousMonth: previousMonth(query.month), by: query.by, formula: RANKING_TEXT, ...(await measures.rankings(query)) }),
    }),
    route({ method: 'get', path: '/dashboard', summary: '全县数据大屏', access: STAFF, response: Dashboard, handler: ({ user }) => measures.dashboard(user!) }),
    // The media centre's display: the county's dashboard with a screen key (X-Screen-Key), no one's sign-in.
    route({
      method: 'get', path: '/screen', summary: '数据大屏（大屏密钥，请求头 X-Screen-Key；只读全县大屏数据）', access: 'public', response: Dashboard,
      handler: async ({ req }) => {
        await screens.admit(req.get('x-screen-key'));
        return measures.countyDashboard();
      },
    }),
    route({ method: 'get', path: '/screens', summary: '大屏密钥列表（管理员）', access: ['admin'], response: ScreenKeyList, handler: () => screens.list() }),
    route({ method: 'post', path: '/screens', summary: '签发大屏密钥（只显示这一次）', access: ['admin'], body: IssueScreenKeyBody, response: IssuedScreenKey, status: 201, handler: ({ user, body }) => screens.issue(user!, body) }),
    route({ method: 'post', path: '/screens/:id/revoke', summary: '停用大屏密钥', access: ['admin'], params: idParams, response: ScreenKey, handler: ({ user, params }) => screens.revoke(user!, params.id) }),
  ];
}

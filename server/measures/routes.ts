import type { AppContext } from '../context';
import { route } from '../core/route';
import type { Role } from '../../common/roles';
import { Measures, MeasuresQuery } from './schemas';
import { measureService } from './service';

/** Staff who work on appeals, each in their own scope (service.ts); the admin passes every list. */
const STAFF: readonly Role[] = ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'];

export function measureRoutes(ctx: AppContext) {
  const measures = measureService(ctx);
  return [
    route({ method: 'get', path: '/', summary: '诉求办理统计（三率、按期办结率及其基础数据；按角色范围）', access: STAFF, query: MeasuresQuery, response: Measures, handler: ({ query, user }) => measures.figures(user!, query) }),
  ];
}

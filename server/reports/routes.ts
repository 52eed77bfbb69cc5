import type { AppContext } from '../context';
import { route } from '../core/route';
import type { Role } from '../../common/roles';
import { MonthlyReportQuery, XLSX_TYPE } from './schemas';
import { monthlyReports } from './monthly';

/** The staff who read the measures (server/measures/routes.ts), each in their own scope; the admin passes every list. */
const STAFF: readonly Role[] = ['dispatcher', 'community_staff', 'grid_worker', 'department_staff'];

export function reportRoutes(ctx: AppContext) {
  const monthly = monthlyReports(ctx);
  return [
    route({
      method: 'get', path: '/monthly.xlsx', summary: '诉求办理月报（Excel：三率、排名、超期、诉求明细；按角色范围）', access: STAFF, query: MonthlyReportQuery,
      file: { type: XLSX_TYPE, description: 'The month\'s report as an .xlsx workbook, sent as a stream: sheets 三率 (the four rates and their counts beside the previous month, with each formula), 排名 (townships, communities, departments), 超期 (督办 flags raised in the month) and 诉求明细 (every appeal filed in the month in the caller\'s work scope, no reporter names or phones). A month in progress is reported up to today (截至).' },
      handler: ({ query, user, req, res }) => monthly.send(user!, query.month, req, res),
    }),
  ];
}

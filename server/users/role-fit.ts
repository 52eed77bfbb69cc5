import { badRequest, type AppError } from '../core/errors';
import { REGION_LEVEL_LABELS, type RegionLevel } from '../regions';
import { REGION_SCOPED_ROLES, ROLE_LABELS, type Role } from '../../common/roles';
import { ROLE_REGION_LEVELS } from './roles';

/** What a staff account will look like after a create or an update. */
export interface StaffShape {
  roles: readonly Role[];
  regions: readonly { name: string; level: RegionLevel }[];
  departmentId: string | null;
}

/** Which body field an error names: the one the request changed, so the admin knows what to fix. */
export interface FitFields {
  regionIds: string;
  departmentId: string;
}

const refuse = (path: string, message: string) => badRequest(`请求参数有误：${path} ${message}`, [{ path, message }]);
const levelsText = (levels: readonly RegionLevel[]) => levels.map((l) => REGION_LEVEL_LABELS[l]).join('或');

/**
 * Whether roles, regions and department fit together (null when they do):
 * - every region lies at a level one of the roles works at (ROLE_REGION_LEVELS);
 * - every region-scoped role (grid worker, community staff, dispatcher) has at least one region
 *   at its level, since a scoped role without regions sees nothing;
 * - department staff belong to a department, and only they do.
 */
export function roleFitError(user: StaffShape, fields: FitFields): AppError | null {
  const allowed = new Set(user.roles.flatMap((r) => ROLE_REGION_LEVELS[r] ?? []));
  const roleNames = user.roles.map((r) => ROLE_LABELS[r]).join('、');
  for (const region of user.regions) {
    if (allowed.has(region.level)) continue;
    if (allowed.size === 0) return refuse(fields.regionIds, `${roleNames}不按区域分工，不能分配区域（「${region.name}」）`);
    return refuse(fields.regionIds, `${roleNames}只能分配到${levelsText([...allowed])}一级，「${region.name}」是${REGION_LEVEL_LABELS[region.level]}`);
  }
  for (const role of user.roles) {
    if (!REGION_SCOPED_ROLES.includes(role)) continue;
    const levels = ROLE_REGION_LEVELS[role] ?? [];
    if (!user.regions.some((r) => levels.includes(r.level))) return refuse(fields.regionIds, `${ROLE_LABELS[role]}需要分配至少一个${levelsText(levels)}`);
  }
  const inDepartment = user.roles.includes('department_staff');
  if (inDepartment && !user.departmentId) return refuse(fields.departmentId, `${ROLE_LABELS.department_staff}需要指定所属部门`);
  if (!inDepartment && user.departmentId) return refuse(fields.departmentId, `只有${ROLE_LABELS.department_staff}属于部门，${roleNames}不能指定部门`);
  return null;
}

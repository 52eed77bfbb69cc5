import { z } from 'zod';
import type { RegionLevel } from '../regions/model';

export const ROLES = [
  'resident',
  'grid_worker',
  'community_staff',
  'dispatcher',
  'department_staff',
  'editor',
  'reviewer',
  'admin',
  'bot',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ROLE_LABELS: Record<Role, string> = {
  resident: '居民',
  grid_worker: '网格员',
  community_staff: '社区工作人员',
  dispatcher: '指挥中心调度员',
  department_staff: '职能部门工作人员',
  editor: '编辑',
  reviewer: '审核',
  admin: '系统管理员',
  bot: '群聊机器人',
};

export const STAFF_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'resident' && r !== 'bot');
/** Roles whose work is bounded by regions (the regions they are assigned). */
export const REGION_SCOPED_ROLES: readonly Role[] = ['grid_worker', 'community_staff', 'dispatcher'];

export const isStaff = (roles: readonly Role[]) => roles.some((r) => STAFF_ROLES.includes(r));

/**
 * The region levels each role works at: a grid worker on grids, community staff on communities
 * (社区/村), a dispatcher at a township's or the county's 12345 centre, an admin county-wide. Roles
 * not listed work without regions (department staff by their department, the media centre's
 * editors and reviewers county-wide; a resident's community is their home region, not a work
 * region). A user's regions must each fit one of their roles (server/users/role-fit.ts).
 */
export const ROLE_REGION_LEVELS: Partial<Record<Role, readonly RegionLevel[]>> = {
  grid_worker: ['grid'],
  community_staff: ['community'],
  dispatcher: ['township', 'county'],
  admin: ['county'],
};

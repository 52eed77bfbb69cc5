/**
 * The roles a user can hold and their Chinese labels: the one definition, shared by the server
 * (its zod enum, the route table's access lists, the user model) and the mini-program. No
 * imports: the mini-program bundles this file.
 */
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
export type Role = (typeof ROLES)[number];

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

import type { Role } from '../api/types';

export const ROLE_LABELS: Record<Role, string> = {
  resident: '居民',
  grid_worker: '网格员',
  community_staff: '社区工作人员',
  dispatcher: '指挥中心调度员',
  department_staff: '职能部门工作人员',
  editor: '编辑',
  reviewer: '审核员',
  admin: '系统管理员',
  bot: '机器人',
};

export function roleLabels(roles: readonly Role[]): string[] {
  return roles.map((r) => ROLE_LABELS[r] ?? r);
}

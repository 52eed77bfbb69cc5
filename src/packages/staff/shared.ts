import type { AllowedAction, AppealCounts, AppealState, Me, Role } from '../../api/types';
import { chinaShortTime, parseInstant } from '../../../common/china-time';

type WithRoles = Pick<Me, 'roles'>;

/** Admins pass every role check, as on the server (the role lists in its route tables). */
const has = (user: WithRoles, role: Role) => user.roles.includes(role) || user.roles.includes('admin');

/** Group chats are bound by community staff (for their communities) and admins (any community). */
export const canBindRooms = (user: WithRoles) => has(user, 'community_staff');
export const isAdmin = (user: WithRoles) => user.roles.includes('admin');

/** The group-chat bot's WeChat name (the demo county's account). */
export const BOT_NAME = '东溪融媒小助手';

// ---- Appeals (诉求) ----

/** The 12345 centre: accepts, dispatches, reviews direct dispatches, chases the overdue, takes hotline calls. */
export const isDispatcher = (user: WithRoles) => has(user, 'dispatcher');

/** Everyone whose work includes appeals: they see the inbox (the server scopes what is in it). */
export const worksOnAppeals = (user: WithRoles) =>
  (['grid_worker', 'community_staff', 'dispatcher', 'department_staff'] as const).some((r) => has(user, r));

/**
 * Filing for someone else: a grid worker's 代报 for residents of their grids, a dispatcher's 热线代录
 * for a phone call. A grid worker who is also a dispatcher files as the hotline (the wider scope).
 */
export function fileChannel(user: WithRoles): 'grid_worker' | 'hotline' | null {
  if (isDispatcher(user)) return 'hotline';
  if (user.roles.includes('grid_worker')) return 'grid_worker';
  return null;
}

export const FILE_CHANNEL_LABELS = { grid_worker: '网格员代报', hotline: '热线代录' } as const;

/** States in which an appeal is still someone's work: the inbox badge counts these. */
export const OPEN_STATES: readonly AppealState[] = ['submitted', 'accepted', 'assigned', 'in_progress'];

/** Open appeals in the caller's scope (the workbench's 诉求办理 badge). */
export const openCount = (counts: AppealCounts) => OPEN_STATES.reduce((sum, s) => sum + (counts.byState[s] ?? 0), 0);

/** The inbox views (server: ListAppealsQuery.view) a staff member opens from the workbench. */
export type StaffView = 'inbox' | 'queue' | 'direct' | 'overdue';
export const VIEW_TITLES: Record<StaffView, string> = { inbox: '诉求办理', queue: '待派单', direct: '直派复核', overdue: '超期督办' };
export const asStaffView = (v: string | undefined): StaffView => (v === 'queue' || v === 'direct' || v === 'overdue' ? v : 'inbox');

/**
 * The moves staff make on the handle page, in the order the buttons show. Residents' actions
 * (rate, reopen, remind, follow) belong to the resident's detail page and are not offered here.
 */
export const STAFF_ACTIONS = ['accept', 'assign', 'review', 'start', 'reply', 'transfer', 'return', 'merge', 'reject'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];
export const STAFF_ACTION_LABELS: Record<StaffAction, string> = {
  accept: '受理',
  reject: '不予受理',
  merge: '合并',
  assign: '派单',
  return: '退回',
  transfer: '改派',
  start: '开始办理',
  reply: '答复',
  review: '复核',
};
export const staffActions = (allowed: readonly AllowedAction[]): StaffAction[] =>
  STAFF_ACTIONS.filter((a) => (allowed as readonly string[]).includes(a));

/** Pages of the staff subpackage. */
export const staffPage = (page: string, query?: Record<string, string>) => {
  const qs = query ? Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : '';
  return `/packages/staff/pages/${page}/index${qs ? `?${qs}` : ''}`;
};

/** '11月27日 14:05' in China time, whatever the device's zone; '' for a value that is not a date. */
export function shortTime(iso: string | null | undefined): string {
  const ms = parseInstant(iso);
  return ms === null ? '' : chinaShortTime(ms);
}

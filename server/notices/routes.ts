import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Notices (通知公告): readers' list and detail; staff write, publish (fan-out to group chats), withdraw, follow deliveries. */
export function noticeRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

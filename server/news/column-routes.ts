import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Columns (栏目): the public list (cached) and admins' editing. */
export function columnRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

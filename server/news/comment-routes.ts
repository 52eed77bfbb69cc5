import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Comments: readers write and report; editors moderate. */
export function commentRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

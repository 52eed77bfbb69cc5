import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** The services directory: public list (cached), admins edit. */
export function serviceDirectoryRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

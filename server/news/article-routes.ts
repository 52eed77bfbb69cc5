import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** The newsroom's workflow: write, submit, review per level, schedule, publish, withdraw, pin. */
export function articleRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

export function appealRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

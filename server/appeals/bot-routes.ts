import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** What the bot may do with appeals: file from a group or a grid worker's forward, add photos, look one up. */
export function appealBotRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

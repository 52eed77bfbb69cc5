import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** The bot reads the services directory to answer keyword questions. */
export function serviceDirectoryBotRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

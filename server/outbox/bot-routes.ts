import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Skeleton: the outbox feature fills these in (the bot claims and reports deliveries). */
export function outboxBotRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

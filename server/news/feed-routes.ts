import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Readers: the feed (cached, ETag), search, an article with its counters, likes. */
export function feedRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

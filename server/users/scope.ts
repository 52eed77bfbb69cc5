import type { AuthUser } from '../core/route';
import { pathPrefixRegex } from '../regions/service';

/** County-wide roles see everything; region-scoped staff see their subtrees. */
const COUNTY_WIDE = ['admin'] as const;

export function isCountyWide(user: AuthUser): boolean {
  return user.roles.some((r) => (COUNTY_WIDE as readonly string[]).includes(r));
}

/** Whether a region (by its path) lies inside the user's regions. */
export function coversRegion(user: AuthUser, regionPath: string): boolean {
  return isCountyWide(user) || user.scopePaths.some((p) => regionPath.startsWith(p));
}

/**
 * A query filter limiting a collection to the user's regions, on a stored region path field.
 * Returns null for county-wide users (no limit); an impossible filter for users with no regions.
 */
export function regionScopeFilter(user: AuthUser, field: string): Record<string, unknown> | null {
  if (isCountyWide(user)) return null;
  if (user.scopePaths.length === 0) return { [field]: { $in: [] } };
  return { $or: user.scopePaths.map((p) => ({ [field]: pathPrefixRegex(p) })) };
}

/**
 * The regions a user reads in. Grid workers read their grids' whole community (its group chats and
 * appeals: neighbours' issues cross grid lines), while they act and see personal data in their
 * own grids only. A grid's path is `/county/township/community/grid/`.
 */
export function readScopePaths(user: AuthUser): string[] {
  if (!user.roles.includes('grid_worker')) return user.scopePaths;
  const widened = user.scopePaths.map((p) => {
    const ids = p.split('/').filter(Boolean);
    return ids.length === 4 ? `/${ids.slice(0, 3).join('/')}/` : p;
  });
  return [...new Set(widened)];
}

/**
 * A staff member's scope is a set of (role, region) pairs, checked pair by pair: a grid worker who
 * is also community staff is "own grid" only in their grids, and community staff who are also a
 * township's dispatcher dispatch only in that township. The pairs come from the user's regions:
 * the region-scoped roles work at disjoint levels (roles.ts ROLE_REGION_LEVELS, checked below), so
 * each region belongs to exactly one of the user's roles, read off its depth in the tree
 * (`/county/township/community/grid/`).
 */
import type { AuthUser } from '../core/route';
import { pathPrefixRegex, REGION_LEVELS, type RegionLevel } from '../regions';
import { REGION_SCOPED_ROLES, type Role } from '../../common/roles';
import { ROLE_REGION_LEVELS } from './roles';

/** County-wide roles see everything; region-scoped staff see their subtrees. */
const COUNTY_WIDE = ['admin'] as const;

export function isCountyWide(user: AuthUser): boolean {
  return user.roles.some((r) => (COUNTY_WIDE as readonly string[]).includes(r));
}

/** One pair of a user's scope: a role and a region (by its path) it works in. */
export interface ScopePair {
  role: Role;
  path: string;
}

/** The level of a region from its path: `/c/` is the county, `/c/t/c/g/` a grid. */
export function levelOfPath(path: string): RegionLevel | null {
  return REGION_LEVELS[path.split('/').filter(Boolean).length - 1] ?? null;
}

/** The role a region of this level belongs to among the user's region-scoped roles (levels are disjoint). */
function roleAtLevel(roles: readonly Role[], level: RegionLevel): Role | null {
  return REGION_SCOPED_ROLES.find((r) => roles.includes(r) && (ROLE_REGION_LEVELS[r] ?? []).includes(level)) ?? null;
}

/** Every (role, region) pair of the user; a region that fits none of their roles grants nothing. */
export function scopePairs(user: AuthUser): ScopePair[] {
  const pairs: ScopePair[] = [];
  for (const path of user.scopePaths) {
    const level = levelOfPath(path);
    const role = level && roleAtLevel(user.roles, level);
    if (role) pairs.push({ role, path });
  }
  return pairs;
}

/** The regions the user works in as `role` (empty when they do not have it). */
export function rolePaths(user: AuthUser, role: Role): string[] {
  return scopePairs(user)
    .filter((p) => p.role === role)
    .map((p) => p.path);
}

/** The paths of `roles` (every region-scoped role when not given). */
function pathsOf(user: AuthUser, roles?: readonly Role[]): string[] {
  return scopePairs(user)
    .filter((p) => !roles || roles.includes(p.role))
    .map((p) => p.path);
}

/**
 * Whether a region (by its path) lies inside the user's regions, in one of `roles` when given (a
 * room's binding code: as community staff; a notice's scope: as its writer's roles), in any
 * region-scoped role otherwise. Admins cover everything.
 */
export function coversRegion(user: AuthUser, regionPath: string, roles?: readonly Role[]): boolean {
  return isCountyWide(user) || pathsOf(user, roles).some((p) => regionPath.startsWith(p));
}

/**
 * A query filter limiting a collection to the user's regions (in `roles` when given), on a stored
 * region path field. Returns null for county-wide users (no limit); an impossible filter for users
 * with no regions.
 */
export function regionScopeFilter(user: AuthUser, field: string, roles?: readonly Role[]): Record<string, unknown> | null {
  if (isCountyWide(user)) return null;
  const paths = roles ? pathsOf(user, roles) : user.scopePaths;
  if (paths.length === 0) return { [field]: { $in: [] } };
  return { $or: paths.map((p) => ({ [field]: pathPrefixRegex(p) })) };
}

/** A grid's community: `/c/t/v/g/` → `/c/t/v/`. */
const communityOf = (gridPath: string) => `/${gridPath.split('/').filter(Boolean).slice(0, 3).join('/')}/`;

/**
 * The regions a user reads in, each role's own: grid workers read their grids' whole community
 * (its group chats and appeals: neighbours' issues cross grid lines), while they act and see
 * personal data in their own grids only; community staff their communities; dispatchers their
 * townships or the county.
 */
export function readScopePaths(user: AuthUser, roles?: readonly Role[]): string[] {
  const paths = scopePairs(user)
    .filter((p) => !roles || roles.includes(p.role))
    .map((p) => (p.role === 'grid_worker' ? communityOf(p.path) : p.path));
  return [...new Set(paths)];
}

// The pairs rest on each level belonging to one region-scoped role only: fail at start, not in a leak.
{
  const seen = new Map<RegionLevel, Role>();
  for (const role of REGION_SCOPED_ROLES) {
    for (const level of ROLE_REGION_LEVELS[role] ?? []) {
      const other = seen.get(level);
      if (other) throw new Error(`ROLE_REGION_LEVELS: ${other} and ${role} both work at ${level}; scope pairs need disjoint levels`);
      seen.set(level, role);
    }
  }
}

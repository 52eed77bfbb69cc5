/**
 * Which appeals a caller may see, as a query (docs/PRODUCT.md "Scope"): everyone sees what they
 * filed or follow; a grid worker, community staff and a dispatcher what lies under their regions;
 * department staff what is assigned to their department; an admin everything.
 */
import { Types } from 'mongoose';
import type { AuthUser } from '../core/route';
import type { AppealDoc } from './model';
import type { Role } from '../../common/roles';
import { readScopePaths, rolePaths } from '../users';

/** A filter on appeals; loose on purpose: clauses are combined with $or and $and. */
export type Filter = Record<string, unknown>;
const REGION_ROLES = ['grid_worker', 'community_staff', 'dispatcher'] as const;


/**
 * The township's and the community's paths of an appeal in this region (AppealDoc townshipPath,
 * communityPath): its path cut to that level, or the whole path when it lies higher (an Open311
 * filing placed at the county).
 */
export function scopePathsOf(regionPath: string): { townshipPath: string; communityPath: string } {
  const parts = regionPath.split('/').filter(Boolean);
  const cut = (levels: number) => `/${parts.slice(0, levels).join('/')}/`;
  return { townshipPath: cut(2), communityPath: cut(3) };
}

/** How deep a region path lies: the county's is 1, a township's 2, a community's 3, a grid's 4. */
export const pathDepth = (path: string) => path.split('/').filter(Boolean).length;

/**
 * The appeals under a region (by its path) as one equality on an indexed field: a township's or a
 * community's by the field filing stored, a grid's (which has no regions under it) by its path;
 * the county's is no condition at all.
 */
export function underRegion(path: string): Filter {
  const depth = pathDepth(path);
  if (depth <= 1) return {};
  if (depth === 2) return { townshipPath: path };
  if (depth === 3) return { communityPath: path };
  return { regionPath: path };
}

/**
 * The caller's own appeals: filed by them or for them, or joined (同问). A joined appeal has
 * `followersCount > 0` (the follow and the merge push the follower and count it in one update):
 * said in the filter, the embedded database reads only appeals someone joined for that branch
 * instead of every appeal (an array has no per-element index there; model.ts).
 */
export function ownFilter(user: AuthUser): Filter[] {
  const me = new Types.ObjectId(user.id);
  return [{ reporterId: me }, { submittedById: me }, { followerIds: me, followersCount: { $gt: 0 } }];
}

/**
 * Work scope only (staff), in `roles` when given (the dispatcher's queues: their dispatcher
 * regions, not the community they also staff); empty when the caller has none.
 */
export function workFilters(user: AuthUser, roles: readonly Role[] = [...REGION_ROLES, 'department_staff']): Filter[] {
  const clauses: Filter[] = [];
  // Every appeal lies under the county: a county-wide scope is no condition at all (and the
  // list then runs on the overdue/_id index instead of reading every path); a township's or a
  // community's is an equality on its stored path (underRegion).
  for (const p of readScopePaths(user, roles)) clauses.push(underRegion(p));
  if (roles.includes('department_staff') && user.roles.includes('department_staff') && user.departmentId) clauses.push({ departmentId: new Types.ObjectId(user.departmentId) });
  return clauses;
}

/** Everything the caller may read, or `{}` for an admin. One clause stays a plain filter (indexable). */
export function readFilter(user: AuthUser): Filter {
  if (user.roles.includes('admin')) return {};
  return anyOf([...workFilters(user), ...ownFilter(user)]);
}

export function anyOf(clauses: Filter[]): Filter {
  if (clauses.length === 0) return { _id: { $in: [] } };
  if (clauses.some((c) => Object.keys(c).length === 0)) return {};
  return clauses.length === 1 ? clauses[0] : { $or: clauses };
}

const isUnder = (regionPath: string, paths: readonly string[]) => paths.some((p) => regionPath.startsWith(p));

/** How the caller stands to one appeal: what they may do and what personal data they may see. */
export interface Standing {
  admin: boolean;
  /** A dispatcher whose regions hold it. */
  dispatcher: boolean;
  /** Department staff of the department it is assigned to. */
  handler: boolean;
  /** A grid worker whose grids' communities hold it (they read the community's appeals). */
  gridWorker: boolean;
  /** A grid worker whose own grids hold it (they handle it there and see who reported it). */
  ownGrid: boolean;
  /** Community staff whose community holds it (they watch, they do not handle). */
  communityStaff: boolean;
  /** Filed it, or it was filed for them, or they follow it. */
  own: boolean;
  reporter: boolean;
  /** Filed it (for themselves or, as staff, for someone else). */
  submitter: boolean;
}

export function standingOf(user: AuthUser, a: Pick<AppealDoc, 'regionPath' | 'departmentId' | 'reporterId' | 'submittedById' | 'followerIds'>): Standing {
  const has = (r: AuthUser['roles'][number]) => user.roles.includes(r);
  // Each role in its own regions only (users/scope.ts: scope is a set of (role, region) pairs).
  const within = (role: Role, paths = rolePaths(user, role)) => has(role) && isUnder(a.regionPath, paths);
  const reporter = String(a.reporterId) === user.id || (String(a.submittedById) === user.id && !isStaffFiled(user));
  return {
    admin: has('admin'),
    dispatcher: within('dispatcher'),
    handler: has('department_staff') && !!user.departmentId && String(a.departmentId) === user.departmentId,
    gridWorker: within('grid_worker', readScopePaths(user, ['grid_worker'])),
    ownGrid: within('grid_worker'),
    communityStaff: within('community_staff'),
    own: reporter || String(a.submittedById) === user.id || a.followerIds.some((f) => String(f) === user.id),
    reporter,
    submitter: String(a.submittedById) === user.id,
  };
}

/** Staff filing for someone else are not the reporter (the resident they filed for is). */
const isStaffFiled = (user: AuthUser) => user.roles.some((r) => r !== 'resident');

/** Works on it as staff in one of their (role, region) pairs or their department. */
export const worksOn = (s: Standing) => s.admin || s.dispatcher || s.handler || s.gridWorker || s.communityStaff;

export const canRead = (s: Standing, isPublic: boolean) => worksOn(s) || s.own || isPublic;

/**
 * Reads the appeal's text as written: those working on it and whoever filed it. Everyone else
 * (followers, readers of public appeals) gets phone, ID and house numbers masked.
 */
export const readsFullText = (s: Standing) => worksOn(s) || s.reporter || s.submitter;

/** Name and phone of the reporter: those handling it (PIPL); anonymous ones only the dispatcher. */
export function seesPersonalData(s: Standing, isAnonymous: boolean): boolean {
  if (s.admin || s.dispatcher) return true;
  if (isAnonymous) return false;
  return s.handler || s.ownGrid;
}

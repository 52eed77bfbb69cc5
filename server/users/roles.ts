import { z } from 'zod';
import { ROLES, type Role as RoleName } from '../../common/roles';
import type { RegionLevel } from '../regions';

/** The roles as a zod enum, for request and response schemas (the names and labels: common/roles.ts). */
export const Role = z.enum(ROLES);
export type Role = RoleName;

/**
 * The region levels each role works at: a grid worker on grids, community staff on communities
 * (社区/村), a dispatcher at a township's or the county's 12345 centre, an admin county-wide. Roles
 * not listed work without regions (department staff by their department, the media centre's
 * editors and reviewers county-wide; a resident's community is their home region, not a work
 * region). A user's regions must each fit one of their roles (server/users/role-fit.ts).
 */
export const ROLE_REGION_LEVELS: Partial<Record<Role, readonly RegionLevel[]>> = {
  grid_worker: ['grid'],
  community_staff: ['community'],
  dispatcher: ['township', 'county'],
  admin: ['county'],
};

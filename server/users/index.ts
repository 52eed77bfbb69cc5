/**
 * The users feature's face: what other features (and the demo seed) may use of it.
 */
export { userService, type UserService } from './service';
// Who a token's subject is, from memory kept true through the database (identity.ts).
export { identityCache, type Identity } from './identity';
export { identityKey, type UserDoc, type IdentityDoc } from './model';
export { hashPassword, verifyPassword, burnPasswordCheck } from './passwords';
// A staff member's scope: (role, region) pairs, read off an AuthUser.
export { coversRegion, readScopePaths, regionScopeFilter, rolePaths } from './scope';
// The account as the apps see it (a session carries it), and a staff account's sign-in name rule.
export { Me, CreateUserBody } from './schemas';
export { countUsersInRegion, countResidentsHomedIn } from './service';

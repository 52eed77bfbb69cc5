import type { AuthUser } from '../../server/core/route';
import { checkAccess } from '../../server/core/route';
import { coversRegion, readScopePaths, regionScopeFilter, rolePaths, scopePairs } from '../../server/users/scope';
import { seesPersonalData, standingOf, workFilters } from '../../server/appeals/scope';
import { Types } from 'mongoose';
import { roleFitError, type StaffShape } from '../../server/users/role-fit';

const user = (roles: AuthUser['roles'], scopePaths: string[] = []): AuthUser => ({
  id: 'u1',
  name: '测试',
  roles,
  scopePaths,
  scopeRegionIds: [],
  departmentId: null,
  regionId: null,
});

describe('region scoping', () => {
  it('a township dispatcher covers the township subtree only', () => {
    const d = user(['dispatcher'], ['/c/t1/']);
    expect(coversRegion(d, '/c/t1/')).toBe(true);
    expect(coversRegion(d, '/c/t1/v3/g9/')).toBe(true);
    expect(coversRegion(d, '/c/t2/v1/')).toBe(false);
    // A sibling whose id merely starts the same is not inside: paths end with '/'.
    expect(coversRegion(d, '/c/t10/')).toBe(false);
  });

  it('admins cover everything and get no filter', () => {
    const a = user(['admin']);
    expect(coversRegion(a, '/x/')).toBe(true);
    expect(regionScopeFilter(a, 'regionPath')).toBeNull();
  });

  it('staff without regions match nothing, not everything', () => {
    expect(regionScopeFilter(user(['grid_worker']), 'regionPath')).toEqual({ regionPath: { $in: [] } });
  });

  it('builds one anchored prefix per region', () => {
    const f = regionScopeFilter(user(['community_staff'], ['/c/t1/v1/', '/c/t1/v2/']), 'regionPath') as { $or: { regionPath: RegExp }[] };
    expect(f.$or.map((o) => o.regionPath.source)).toEqual(['^\\/c\\/t1\\/v1\\/', '^\\/c\\/t1\\/v2\\/']);
  });
});

describe('route access', () => {
  it('public, user, bot and role lists', () => {
    expect(() => checkAccess('public', null)).not.toThrow();
    expect(() => checkAccess('user', null)).toThrow('请先登录');
    expect(() => checkAccess('user', user(['bot']))).toThrow();
    expect(() => checkAccess('bot', user(['admin']))).toThrow();
    expect(() => checkAccess(['dispatcher'], user(['resident']))).toThrow('没有权限');
    expect(() => checkAccess(['dispatcher'], user(['admin']))).not.toThrow();
  });
});

describe('roles and the levels of their regions', () => {
  // Catches: a role given regions at the wrong level (scope widened or emptied), or a combination
  // of roles where one role's regions hide that another has none.
  const FIELDS = { regionIds: 'body.regionIds', departmentId: 'body.departmentId' };
  const region = (level: StaffShape['regions'][number]['level']) => ({ name: level, level });
  const fit = (roles: StaffShape['roles'], levels: StaffShape['regions'][number]['level'][], departmentId: string | null = null) =>
    roleFitError({ roles, regions: levels.map(region), departmentId }, FIELDS)?.details?.[0] ?? null;

  it('accepts each role at its own level, and several roles each with theirs', () => {
    expect(fit(['grid_worker'], ['grid'])).toBeNull();
    expect(fit(['community_staff'], ['community', 'community'])).toBeNull();
    expect(fit(['dispatcher'], ['township'])).toBeNull();
    expect(fit(['dispatcher'], ['county'])).toBeNull();
    expect(fit(['admin'], [])).toBeNull();
    expect(fit(['admin'], ['county'])).toBeNull();
    expect(fit(['resident'], [])).toBeNull();
    expect(fit(['editor', 'reviewer'], [])).toBeNull();
    expect(fit(['department_staff'], [], 'd1')).toBeNull();
    expect(fit(['grid_worker', 'dispatcher'], ['grid', 'township'])).toBeNull();
  });

  it('refuses a region no role works at, a scoped role without a region of its level, and a misplaced department', () => {
    expect(fit(['grid_worker'], ['community'])).toMatchObject({ path: 'body.regionIds', message: expect.stringContaining('网格员只能分配到网格一级') });
    expect(fit(['dispatcher'], ['grid'])).toMatchObject({ path: 'body.regionIds', message: expect.stringContaining('乡镇/街道或县') });
    expect(fit(['editor'], ['county'])).toMatchObject({ path: 'body.regionIds', message: expect.stringContaining('不按区域分工') });
    expect(fit(['grid_worker', 'dispatcher'], ['grid'])).toMatchObject({ path: 'body.regionIds', message: expect.stringContaining('指挥中心调度员需要分配至少一个') });
    expect(fit(['community_staff'], [])).toMatchObject({ path: 'body.regionIds' });
    expect(fit(['department_staff'], [])).toMatchObject({ path: 'body.departmentId' });
    expect(fit(['grid_worker'], ['grid'], 'd1')).toMatchObject({ path: 'body.departmentId' });
  });
});

describe('several roles: scope is a set of (role, region) pairs', () => {
  const someone = new Types.ObjectId();
  const appealAt = (regionPath: string) => ({ regionPath, departmentId: null, reporterId: someone, submittedById: someone, followerIds: [] });
  // Grid g1 of community v1 as grid worker, the same community v1 as community staff.
  const gridAndCommunity = user(['grid_worker', 'community_staff'], ['/c/t1/v1/g1/', '/c/t1/v1/']);
  // Community v1 of township t1 as community staff, township t2 as dispatcher.
  const communityAndDispatcher = user(['community_staff', 'dispatcher'], ['/c/t1/v1/', '/c/t2/']);

  it('each region belongs to the role that works at its level', () => {
    // Catches: one flat list of regions used for every role (the pairs are what everything else checks).
    expect(scopePairs(gridAndCommunity)).toEqual([
      { role: 'grid_worker', path: '/c/t1/v1/g1/' },
      { role: 'community_staff', path: '/c/t1/v1/' },
    ]);
    expect(rolePaths(communityAndDispatcher, 'dispatcher')).toEqual(['/c/t2/']);
    expect(rolePaths(communityAndDispatcher, 'community_staff')).toEqual(['/c/t1/v1/']);
    // A region that fits none of the user's roles grants nothing.
    expect(scopePairs(user(['grid_worker'], ['/c/t1/']))).toEqual([]);
  });

  it('a grid worker who is also community staff is "own grid" only in their grid', () => {
    // Catches: the community (a community staff region) counted as the grid worker's own grid,
    // showing every reporter's name and phone in the whole community.
    const ownGrid = standingOf(gridAndCommunity, appealAt('/c/t1/v1/g1/'));
    const nextGrid = standingOf(gridAndCommunity, appealAt('/c/t1/v1/g2/'));
    expect([ownGrid.ownGrid, ownGrid.communityStaff, seesPersonalData(ownGrid, false)]).toEqual([true, true, true]);
    expect([nextGrid.ownGrid, nextGrid.gridWorker, nextGrid.communityStaff, seesPersonalData(nextGrid, false)]).toEqual([false, true, true, false]);
    // 代报 (filing for someone) is a grid worker's act: in the grid only.
    expect(coversRegion(gridAndCommunity, '/c/t1/v1/g2/', ['grid_worker'])).toBe(false);
    expect(coversRegion(gridAndCommunity, '/c/t1/v1/g1/', ['grid_worker'])).toBe(true);
    expect(coversRegion(gridAndCommunity, '/c/t1/v1/g2/', ['community_staff'])).toBe(true);
  });

  it('community staff who are also a dispatcher of another township dispatch only there', () => {
    // Catches: the dispatcher role applied to the community they staff (accept, assign, reject
    // there, and anonymous reporters' phones), or the community role to the township.
    const home = standingOf(communityAndDispatcher, appealAt('/c/t1/v1/g3/'));
    const dispatched = standingOf(communityAndDispatcher, appealAt('/c/t2/v7/'));
    expect([home.dispatcher, home.communityStaff, seesPersonalData(home, true), seesPersonalData(home, false)]).toEqual([false, true, false, false]);
    expect([dispatched.dispatcher, dispatched.communityStaff, seesPersonalData(dispatched, true)]).toEqual([true, false, true]);
    // The dispatcher's queues are built from the dispatcher's regions only.
    // (a township asked by the path its appeals store, one index range)
    expect(workFilters(communityAndDispatcher, ['dispatcher'])).toEqual([{ townshipPath: '/c/t2/' }]);
    // Reading (the inbox) is every role's regions.
    expect(readScopePaths(communityAndDispatcher).sort()).toEqual(['/c/t1/v1/', '/c/t2/']);
  });

  it('a grid worker reads the community of their grid, and a dispatcher with a grid worker role reads both', () => {
    // Catches: the widening of a grid to its community applied to another role's regions, or lost.
    expect(readScopePaths(user(['grid_worker', 'dispatcher'], ['/c/t1/v1/g1/', '/c/t2/'])).sort()).toEqual(['/c/t1/v1/', '/c/t2/']);
    expect(readScopePaths(user(['grid_worker', 'dispatcher'], ['/c/t1/v1/g1/', '/c/t2/']), ['dispatcher'])).toEqual(['/c/t2/']);
  });
});

import type { AuthUser } from '../../server/core/route';
import { checkAccess } from '../../server/core/route';
import { coversRegion, regionScopeFilter } from '../../server/users/scope';
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

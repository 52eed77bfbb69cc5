import type { AuthUser } from '../../server/core/route';
import { checkAccess } from '../../server/core/route';
import { coversRegion, regionScopeFilter } from '../../server/users/scope';

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

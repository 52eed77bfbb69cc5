import { demoPeople } from '../../common/demo-county';
import { roleFitError } from '../../server/users/role-fit';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.staffToken('admin');
});
afterAll(() => s?.stop());


describe('admin: /api/v1/users', () => {
  it('lists users with masked phones, filtered by role, paged', async () => {
    const res = await s.api('GET', '/api/v1/users?role=grid_worker&pageSize=5', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(18);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.items[0].phone).toMatch(/^\d{3}\*{4}\d{4}$/);
  });

  it('shows the full phone in the detail view and audit-logs the read', async () => {
    const list = await s.api('GET', '/api/v1/users?role=editor', { token: admin });
    const id = list.body.items[0].id;
    const res = await s.api('GET', `/api/v1/users/${id}`, { token: admin });
    expect(res.body.phone).toMatch(/^1\d{10}$/);
    const audit = await s.models.Audit.find({ targetId: id, action: 'read_personal_data' }).lean();
    expect(audit).toHaveLength(1);
  });

  it('creates a staff account that can sign in, and refuses a taken username', async () => {
    const body = { name: '新网格员', username: 'new_grid', password: 'longenough1', roles: ['grid_worker'], regionIds: [await s.regionId('DX-01-01-02')] };
    const created = await s.api('POST', '/api/v1/users', { token: admin, body });
    expect(created.status).toBe(201);
    const login = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'new_grid', password: 'longenough1' } });
    expect(login.status).toBe(200);
    const dup = await s.api('POST', '/api/v1/users', { token: admin, body });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('new_grid');
  });

  it('validates: short password, bad username, unknown region, bot role', async () => {
    const base = { name: '甲', username: 'someone', password: 'longenough1', roles: ['grid_worker'] };
    expect((await s.api('POST', '/api/v1/users', { token: admin, body: { ...base, password: 'short' } })).body.error.message).toContain('body.password');
    expect((await s.api('POST', '/api/v1/users', { token: admin, body: { ...base, username: 'Bad Name' } })).status).toBe(400);
    const unknownRegion = await s.api('POST', '/api/v1/users', { token: admin, body: { ...base, regionIds: ['0123456789abcdef01234567'] } });
    expect(unknownRegion.status).toBe(400);
    expect((await s.api('POST', '/api/v1/users', { token: admin, body: { ...base, roles: ['bot'] } })).status).toBe(400);
  });

  it('deactivating a user ends their sessions and their access', async () => {
    const login = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'taoyuan', password: 'xianrong123' } });
    const res = await s.api('PATCH', `/api/v1/users/${login.body.user.id}`, { token: admin, body: { active: false } });
    expect(res.status).toBe(200);
    expect((await s.api('GET', '/api/v1/me', { token: login.body.accessToken })).status).toBe(401);
    expect((await s.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } })).status).toBe(401);
  });

  it('is for admins only', async () => {
    const resident = await s.residentToken();
    expect((await s.api('GET', '/api/v1/users', { token: resident })).status).toBe(403);
  });
});

describe('/api/v1/departments', () => {
  it('lists the eight demo departments to any signed-in user', async () => {
    const res = await s.api('GET', '/api/v1/departments', { token: await s.residentToken() });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(8);
    expect(res.body.items[0].name).toBe('县水务局');
  });

  it('admin creates, renames, and cannot delete a department with staff', async () => {
    const created = await s.api('POST', '/api/v1/departments', { token: admin, body: { name: '县教育局', code: 'education' } });
    expect(created.status).toBe(201);
    const renamed = await s.api('PATCH', `/api/v1/departments/${created.body.id}`, { token: admin, body: { name: '县教育和体育局' } });
    expect(renamed.body.name).toBe('县教育和体育局');
    expect((await s.api('DELETE', `/api/v1/departments/${created.body.id}`, { token: admin })).status).toBe(204);

    const water = (await s.api('GET', '/api/v1/departments', { token: admin })).body.items[0];
    const busy = await s.api('DELETE', `/api/v1/departments/${water.id}`, { token: admin });
    expect(busy.status).toBe(409);
    const dup = await s.api('POST', '/api/v1/departments', { token: admin, body: { name: '县水务局', code: 'water2' } });
    expect(dup.status).toBe(409);
  });
});

describe('admin: roles and the level of their regions must fit', () => {
  // Catches: PATCH/POST /users giving any role any regions (a grid worker "on" a township, community
  // staff on a grid, an editor with work regions), which silently widens or empties a scope.
  const ids: Record<string, string> = {};
  let waterDept: string;
  beforeAll(async () => {
    for (const code of ['DX', 'DX-01', 'DX-01-01', 'DX-01-02', 'DX-01-01-01', 'DX-01-01-02']) ids[code] = await s.regionId(code);
    waterDept = (await s.api('GET', '/api/v1/departments', { token: admin })).body.items[0].id;
  });

  let n = 0;
  async function newStaff(roles: string[], regionCodes: string[], departmentId: string | null = null): Promise<string> {
    const body = { name: '测试人员', username: `fit_${++n}`, password: 'longenough1', roles, regionIds: regionCodes.map((c) => ids[c]), departmentId };
    const res = await s.api('POST', '/api/v1/users', { token: admin, body });
    if (res.status !== 201) throw new Error(`create ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }
  const patch = (id: string, body: unknown) => s.api('PATCH', `/api/v1/users/${id}`, { token: admin, body });
  const stored = async (id: string) => (await s.api('GET', `/api/v1/users?q=测试人员&pageSize=100`, { token: admin })).body.items.find((u: { id: string }) => u.id === id);

  function expectRefused(res: { status: number; body: any }, field: string, text: RegExp) {
    expect({ status: res.status, code: res.body?.error?.code, path: res.body?.error?.details?.[0]?.path }).toEqual({ status: 400, code: 'VALIDATION_FAILED', path: field });
    expect(res.body.error.message).toContain(field);
    expect(res.body.error.message).toMatch(text);
  }

  it('PATCH refuses a grid worker on a community, community staff on a grid, a dispatcher on a community', async () => {
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    expectRefused(await patch(grid, { regionIds: [ids['DX-01-01']] }), 'body.regionIds', /网格员只能分配到网格一级，「东城社区」是社区\/村/);
    expect((await stored(grid)).regionIds).toEqual([ids['DX-01-01-01']]);

    const community = await newStaff(['community_staff'], ['DX-01-01']);
    expectRefused(await patch(community, { regionIds: [ids['DX-01-01-02']] }), 'body.regionIds', /社区工作人员只能分配到社区\/村一级/);
    const dispatcher = await newStaff(['dispatcher'], ['DX-01']);
    expectRefused(await patch(dispatcher, { regionIds: [ids['DX-01'], ids['DX-01-02']] }), 'body.regionIds', /「西城社区」是社区\/村/);
    expect((await stored(dispatcher)).regionIds).toEqual([ids['DX-01']]);
  });

  it('PATCH accepts regions at the role level: another grid, a township or the county for a dispatcher', async () => {
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    expect((await patch(grid, { regionIds: [ids['DX-01-01-02']] })).body.regionIds).toEqual([ids['DX-01-01-02']]);
    const dispatcher = await newStaff(['dispatcher'], ['DX-01']);
    expect((await patch(dispatcher, { regionIds: [ids['DX']] })).status).toBe(200);
    // Two roles: each region fits one of them, and each scoped role has one of its level.
    const both = await patch(grid, { roles: ['grid_worker', 'community_staff'], regionIds: [ids['DX-01-01-02'], ids['DX-01-01']] });
    expect(both.status).toBe(200);
    expect(both.body.roles).toEqual(['grid_worker', 'community_staff']);
  });

  it('PATCH of the roles alone is checked against the regions the user keeps, naming body.roles', async () => {
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    expectRefused(await patch(grid, { roles: ['community_staff'] }), 'body.roles', /社区工作人员只能分配到社区\/村一级，「[^」]+」是网格/);
    expectRefused(await patch(grid, { roles: ['editor'] }), 'body.roles', /编辑不按区域分工/);
    expect((await stored(grid)).roles).toEqual(['grid_worker']);
    // Roles and regions changed together are checked together.
    expect((await patch(grid, { roles: ['community_staff'], regionIds: [ids['DX-01-02']] })).status).toBe(200);
  });

  it('a region-scoped role needs a region of its level; roles without regions take none', async () => {
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    expectRefused(await patch(grid, { regionIds: [] }), 'body.regionIds', /网格员需要分配至少一个网格/);
    const editor = await newStaff(['editor'], []);
    expectRefused(await patch(editor, { regionIds: [ids['DX-01']] }), 'body.regionIds', /编辑不按区域分工，不能分配区域（「城关镇」）/);
    expectRefused(await patch(editor, { roles: ['dispatcher'] }), 'body.roles', /指挥中心调度员需要分配至少一个乡镇\/街道或县/);
    // The admin works county-wide: the county or nothing.
    const adminUser = await newStaff(['admin'], ['DX']);
    expectRefused(await patch(adminUser, { regionIds: [ids['DX-01-01']] }), 'body.regionIds', /系统管理员只能分配到县一级/);
  });

  it('department staff belong to a department, and only they do', async () => {
    const dept = await newStaff(['department_staff'], [], waterDept);
    expectRefused(await patch(dept, { departmentId: null }), 'body.departmentId', /职能部门工作人员需要指定所属部门/);
    expectRefused(await patch(dept, { roles: ['editor'] }), 'body.roles', /编辑不能指定部门/);
    expect((await patch(dept, { roles: ['editor'], departmentId: null })).status).toBe(200);
    const editor = await newStaff(['editor'], []);
    expectRefused(await patch(editor, { departmentId: waterDept }), 'body.departmentId', /只有职能部门工作人员属于部门/);
  });

  it('POST /users applies the same rule', async () => {
    const body = { name: '测试人员', username: 'fit_post', password: 'longenough1', roles: ['community_staff'], regionIds: [ids['DX-01-01-01']] };
    expectRefused(await s.api('POST', '/api/v1/users', { token: admin, body }), 'body.regionIds', /社区工作人员只能分配到社区\/村一级/);
    expectRefused(await s.api('POST', '/api/v1/users', { token: admin, body: { ...body, roles: ['department_staff'], regionIds: [] } }), 'body.departmentId', /需要指定所属部门/);
    // Nothing was created: the username is still free.
    expect((await s.api('POST', '/api/v1/users', { token: admin, body: { ...body, regionIds: [ids['DX-01-01']] } })).status).toBe(201);
  });

  it('a rename or a deactivation is not blocked by older data that does not fit', async () => {
    // Catches: the fit check run on every PATCH, so an account from before the rule can't even be deactivated.
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    await s.models.User.updateOne({ _id: grid }, { $set: { regionIds: [ids['DX-01']] } });
    expect((await patch(grid, { name: '改名了' })).status).toBe(200);
    expect((await patch(grid, { active: false })).status).toBe(200);
  });

  it('every seeded demo account fits the rule', async () => {
    // Catches: a demo county that contradicts the rule, so an admin editing a seeded account is refused.
    const demoUsernames = demoPeople.flatMap((p) => (p.username ? [p.username] : []));
    const docs = await s.models.User.find({ username: { $in: demoUsernames } }).lean();
    const regions = new Map((await s.models.Region.find().lean()).map((r) => [String(r._id), r]));
    expect(docs).toHaveLength(demoUsernames.length);
    const misfits = docs.flatMap((u) => {
      const err = roleFitError({ roles: u.roles, regions: u.regionIds.map((id) => regions.get(String(id))!), departmentId: u.departmentId ? String(u.departmentId) : null }, { regionIds: 'regionIds', departmentId: 'departmentId' });
      return err ? [`${u.username}: ${err.message}`] : [];
    });
    expect(misfits).toEqual([]);
  });

  it('refuses with 409 when another change lands between the fit check and the write', async () => {
    // Catches: a fit check on a stale read: another admin changes the roles meanwhile, and the write
    // would combine their roles with these regions unchecked.
    const grid = await newStaff(['grid_worker'], ['DX-01-01-01']);
    const { User } = s.models;
    const original = User.findById;
    const spy = jest.spyOn(User, 'findById').mockImplementation(function (this: typeof User, ...args: Parameters<typeof User.findById>) {
      const query = original.apply(this, args);
      if (String(args[0]) !== grid) return query;
      spy.mockRestore();
      // The service's read returns the old user; the other admin's change is stored right after it.
      const lean = query.lean.bind(query);
      return Object.assign(query, {
        lean: (...a: unknown[]) =>
          (lean as (...x: unknown[]) => Promise<unknown>)(...a).then(async (doc) => {
            await User.updateOne({ _id: grid }, { $set: { roles: ['community_staff'], regionIds: [ids['DX-01-02']] } });
            return doc;
          }),
      });
    } as never);
    const res = await patch(grid, { regionIds: [ids['DX-01-01-02']] });
    spy.mockRestore();
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('刚被他人修改');
    const after = await stored(grid);
    expect({ roles: after.roles, regionIds: after.regionIds }).toEqual({ roles: ['community_staff'], regionIds: [ids['DX-01-02']] });
  });
});

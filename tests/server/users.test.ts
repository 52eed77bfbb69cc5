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
    const audit = await s.ctx.models.Audit.find({ targetId: id, action: 'read_personal_data' }).lean();
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

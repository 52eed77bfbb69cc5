import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.staffToken('admin');
});
afterAll(() => s?.stop());

const departmentId = async (code: string) => String((await s.models.Department.findOne({ code }).lean())!._id);

describe('GET /api/v1/categories', () => {
  it('lists the demo catalogue without signing in, with default units and deadlines', async () => {
    const res = await s.api('GET', '/api/v1/categories');
    expect(res.status).toBe(200);
    const water = res.body.items.find((c: { code: string }) => c.code === 'water-supply');
    expect(water).toMatchObject({ name: '停水、水质问题', group: '公用事业', defaultDepartmentId: await departmentId('water') });
    // Water, power, gas, heating: resolved within 24 h; the rest within 7 days; wage arrears 15 days.
    expect(water.deadlines).toEqual({ acceptHours: 2, firstContactHours: 24, resolveHours: 24 });
    expect(res.body.items.find((c: { code: string }) => c.code === 'noise').deadlines.resolveHours).toBe(168);
    expect(res.body.items.find((c: { code: string }) => c.code === 'wage-arrears').deadlines.resolveHours).toBe(360);
    expect(res.body.items.find((c: { code: string }) => c.code === 'other').defaultDepartmentId).toBeNull();
  });
});

describe('admin: POST/PATCH /api/v1/categories', () => {
  it('creates a category with default deadlines, refuses a duplicate code and an unknown department', async () => {
    const body = { code: 'stray-dogs', name: '流浪犬只', group: '城市管理', defaultDepartmentId: await departmentId('urban') };
    const created = await s.api('POST', '/api/v1/categories', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.body.deadlines).toEqual({ acceptHours: 2, firstContactHours: 24, resolveHours: 168 });
    const dup = await s.api('POST', '/api/v1/categories', { token: admin, body });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('stray-dogs');
    const noDept = await s.api('POST', '/api/v1/categories', { token: admin, body: { ...body, code: 'x-y', defaultDepartmentId: '0123456789abcdef01234567' } });
    expect(noDept.status).toBe(400);
  });

  it('retires a category: residents no longer see it, admins do with all=true', async () => {
    const list = await s.api('GET', '/api/v1/categories');
    const prices = list.body.items.find((c: { code: string }) => c.code === 'prices');
    const res = await s.api('PATCH', `/api/v1/categories/${prices.id}`, { token: admin, body: { active: false, deadlines: { acceptHours: 1, firstContactHours: 12, resolveHours: 72 } } });
    expect(res.status).toBe(200);
    expect(res.body.deadlines.resolveHours).toBe(72);
    const visible = await s.api('GET', '/api/v1/categories');
    expect(visible.body.items.some((c: { code: string }) => c.code === 'prices')).toBe(false);
    const all = await s.api('GET', '/api/v1/categories?all=true', { token: admin });
    expect(all.body.items.some((c: { code: string }) => c.code === 'prices')).toBe(true);
  });

  it('validates deadlines and is for admins only', async () => {
    const list = await s.api('GET', '/api/v1/categories');
    const id = list.body.items[0].id;
    const bad = await s.api('PATCH', `/api/v1/categories/${id}`, { token: admin, body: { deadlines: { acceptHours: 0, firstContactHours: 24, resolveHours: 24 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('body.deadlines.acceptHours');
    const staff = await s.staffToken('dispatcher');
    expect((await s.api('PATCH', `/api/v1/categories/${id}`, { token: staff, body: { name: 'x' } })).status).toBe(403);
  });
});

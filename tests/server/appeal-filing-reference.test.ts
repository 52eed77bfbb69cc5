/**
 * Filing reads its region, category and the category's unit through the read cache
 * (server/appeals/create.ts): a change to any of them, written by another process straight to the
 * database, counts for the very next filing.
 */
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let token = '';
let seq = 0;
const ids = { water: '', waterDept: '', xicheng: '' };

beforeAll(async () => {
  server = await startTestServer({ backgroundJobs: false });
  token = await server.residentToken('demo-resident-03');
  const { Category, Department } = server.models;
  ids.water = String((await Category.findOne({ code: 'water-supply' }).lean())!._id);
  ids.waterDept = String((await Department.findOne({ code: 'water' }).lean())!._id);
  ids.xicheng = await server.regionId('DX-01-02');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const file = (overrides: Record<string, unknown> = {}) =>
  server.api('POST', '/api/v1/appeals', {
    token,
    body: { idempotencyKey: `reference-key-${++seq}`, kind: 'help', categoryId: ids.water, description: '西城社区三号楼停水一整天了', regionId: ids.xicheng, ...overrides },
  });

// Catches cached reference data that a write does not invalidate: the second filing of each case
// would still be dispatched to a retired unit, filed under a retired category or a stale name.
it('a unit retired, a region renamed and a category retired count for the next filing', async () => {
  const { Category, Department, Region } = server.models;
  const first = await file();
  expect(first.status).toBe(201);
  expect(first.body.state).toBe('assigned');
  expect(first.body.departmentName).toBe('县水务局');

  await Department.updateOne({ _id: ids.waterDept }, { $set: { active: false } });
  const noUnit = await file();
  expect(noUnit.status).toBe(201);
  expect(noUnit.body.state).toBe('submitted');
  expect(noUnit.body.departmentName).toBeNull();

  const before = (await Region.findById(ids.xicheng).lean())!;
  await Region.updateOne({ _id: ids.xicheng }, { $set: { pathNames: [...before.pathNames.slice(0, -1), '新西城社区'], name: '新西城社区' } });
  const renamed = await file();
  expect(renamed.status).toBe(201);
  expect(renamed.body.regionName).toContain('新西城社区');

  await Category.updateOne({ _id: ids.water }, { $set: { active: false } });
  const retired = await file();
  expect(retired.status).toBe(400);
  expect(retired.body.error.details[0].path).toBe('body.categoryId');

  // A retry of an accepted filing still gets its appeal, whatever became of its category.
  const retry = await server.api('POST', '/api/v1/appeals', {
    token,
    body: { idempotencyKey: 'reference-key-1', kind: 'help', categoryId: ids.water, description: '西城社区三号楼停水一整天了', regionId: ids.xicheng },
  });
  expect(retry.status).toBe(200);
  expect(retry.body.id).toBe(first.body.id);
});

import { describeSeed, isDemoDatabase, isEmpty, seedDemoCounty } from '../../server/seed/seed';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: false });
});
afterAll(() => s?.stop());

describe('the demo county seed', () => {
  it('fills an empty database once, and adds only what a demo database lacks later', async () => {
    const { models } = s.ctx;
    expect(await isEmpty(models)).toBe(true);
    const first = await seedDemoCounty(models);
    expect(first.applied.map((a) => a.name)).toEqual(['regions', 'departments', 'categories', 'people', 'group chats']);
    expect(describeSeed(first)).toContain('27 regions');
    expect(await isDemoDatabase(models)).toBe(true);
    expect((await seedDemoCounty(models)).applied).toEqual([]);

    // As if the database had been made before categories existed.
    await models.Category.deleteMany({});
    await models.SeedRecord.deleteOne({ _id: 'categories' });
    const users = await models.User.countDocuments();
    const later = await seedDemoCounty(models);
    expect(later.applied).toEqual([{ name: 'categories', count: 17 }]);
    expect(await models.User.countDocuments()).toBe(users);
    const water = await models.Category.findOne({ code: 'water-supply' }).lean();
    const waterDept = await models.Department.findOne({ code: 'water' }).lean();
    expect(String(water!.defaultDepartmentId)).toBe(String(waterDept!._id));
  });

  it('binds the seeded group chats to their communities, by their community staff', async () => {
    await seedDemoCounty(s.ctx.models); // whatever ran before: seeding is idempotent
    const room = await s.ctx.models.Room.findOne({ roomId: 'dongcheng-neighbours@chatroom' }).lean();
    const staff = await s.ctx.models.User.findOne({ username: 'dongcheng' }).lean();
    expect(String(room!.boundBy)).toBe(String(staff!._id));
    expect(await s.ctx.models.Room.countDocuments({ roomId: 'xicheng-neighbours@chatroom' })).toBe(0);
  });
});

import { describeSeed, isDemoDatabase, isEmpty, NotADemoDatabaseError, resetDatabase, seedCollectionCounts, seedDemoCounty } from '../../server/seed/seed';
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


class Interrupted extends Error {}
const interruptAfter = (n: number) => ({
  afterWrite: (written: number) => {
    if (written === n) throw new Interrupted(`stopped after ${n} documents`);
  },
});

describe('an interrupted seed', () => {
  // Bug caught: a seed interrupted inside a section left its half-written documents unrecorded;
  // the next run wrote the section again on top of them (duplicate regions, users, identities;
  // or a duplicate-key failure on every later start).
  it('is undone and written again by the next run, ending as a clean seed would', async () => {
    const { models } = s.ctx;
    await resetDatabase(models);
    await seedDemoCounty(models);
    const clean = await seedCollectionCounts(models);

    await resetDatabase(models);
    // Regions (27), departments (8) and categories (17) are 52 documents: 60 is inside "people".
    await expect(seedDemoCounty(models, new Date(), interruptAfter(60))).rejects.toThrow(Interrupted);
    const half = await seedCollectionCounts(models);
    expect(half.User).toBeGreaterThan(0);
    expect(half.User).toBeLessThan(clean.User);
    expect(await isDemoDatabase(models)).toBe(true);

    // Data added to the demo database meanwhile is not the seed's to delete.
    await models.User.create({ name: '后来的居民', roles: ['resident'] });
    const again = await seedDemoCounty(models);
    expect(again.repaired).toEqual(['people']);
    expect(again.applied.map((a) => a.name)).toEqual(['people', 'group chats']);
    expect(await seedCollectionCounts(models)).toEqual({ ...clean, User: clean.User + 1 });
    expect(await models.SeedRecord.countDocuments({ _id: /^pending:/ })).toBe(0);
    expect((await seedDemoCounty(models)).applied).toEqual([]);
  });

  // Bug caught: a database interrupted in the first section had some regions and no seed record,
  // so it looked like a real county's: never seeded again, and `seed --reset` would refuse it.
  it('is a demo database from its first document on', async () => {
    const { models } = s.ctx;
    await resetDatabase(models);
    await expect(seedDemoCounty(models, new Date(), interruptAfter(1))).rejects.toThrow(Interrupted);
    expect(await models.Region.countDocuments()).toBe(1);
    expect(await isDemoDatabase(models)).toBe(true);
    expect(await isEmpty(models)).toBe(false);
    const again = await seedDemoCounty(models);
    expect(again.repaired).toEqual(['regions']);
    expect(await models.Region.countDocuments()).toBe(27);
  });

  // Bug caught: a database holding only an administrator made by `npm run admin` counted as
  // empty, so a start without NODE_ENV=production seeded admin / xianrong123 into it.
  it('never lands in a database with other data, an administrator alone included', async () => {
    const { models } = s.ctx;
    await resetDatabase(models);
    await models.User.create({ name: '管理员', username: 'root', roles: ['admin'] });
    expect(await isEmpty(models)).toBe(false);
    await expect(seedDemoCounty(models)).rejects.toThrow(NotADemoDatabaseError);
    expect(await models.Region.countDocuments()).toBe(0);
  });
});

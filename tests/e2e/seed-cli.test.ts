/**
 * `npm run seed` as a process: it refuses to wipe or fill a real county's database, and a seed
 * killed halfway (SIGKILL, as a crash or a power cut would) is finished cleanly by the next run.
 */
import { isDemoDatabase, seedCollectionCounts } from '../../server/seed/seed';
import { startTestServer, type TestServer } from '../helpers/server';
import { runScript } from './run-script';

let s: TestServer;
let dev: Record<string, string>;
let prod: Record<string, string>;
beforeAll(async () => {
  s = await startTestServer({ seed: false });
  dev = { MONGODB_URI: s.ctx.config.mongodbUri! };
  prod = { ...dev, NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), BOT_TOKEN: 'b'.repeat(30) };
});
afterAll(() => s?.stop());
beforeEach(async () => {
  for (const model of Object.values(s.models)) await model.collection.deleteMany({});
});


describe('npm run seed -- --reset', () => {
  // Bug caught: `--reset` wiped any database it was pointed at, a production county's included.
  it('refuses under NODE_ENV=production, leaving the database as it was', async () => {
    await s.models.User.create({ name: '管理员', username: 'root', roles: ['admin'] });
    const run = await runScript('scripts/seed.ts', ['--reset'], prod);
    expect(run.output).toContain('NODE_ENV=production');
    expect(run.code).toBe(3);
    expect(await s.models.User.countDocuments()).toBe(1);
  }, 60_000);

  it('refuses a database that is not a demo one, whatever NODE_ENV says', async () => {
    await s.models.User.create({ name: '管理员', username: 'root', roles: ['admin'] });
    const run = await runScript('scripts/seed.ts', ['--reset'], dev);
    expect(run.output).toContain('不是演示数据库');
    expect(run.code).toBe(3);
    expect(await s.models.User.countDocuments()).toBe(1);
    expect(await s.models.Region.countDocuments()).toBe(0);
  }, 60_000);

  // Bug caught: `npm run seed` put admin / xianrong123 into a production database.
  it('does not seed the demo county in production without DEMO=1', async () => {
    const run = await runScript('scripts/seed.ts', [], prod);
    expect(run.output).toContain('DEMO=1');
    expect(run.code).toBe(3);
    expect(await s.models.User.countDocuments()).toBe(0);
  }, 60_000);
});

describe('a seed killed halfway', () => {
  // Bug caught: the killed run's half section stayed, unrecorded; the next run wrote the section
  // again on top of it (duplicate users), and before any record the database looked like a real
  // county's.
  it('is a demo database, and the next run ends with what a clean seed writes', async () => {
    // Regions, departments and categories are 52 documents: the 60th is inside "people".
    const killed = await runScript('scripts/seed.ts', [], { ...dev, XIANRONG_TEST_SEED_KILL_AFTER: '60' });
    expect(killed.output).not.toContain('Seeded the demo county');
    // tsx reports its child's death by SIGKILL as 128 + 9.
    expect(killed.code).toBe(137);
    const half = await seedCollectionCounts(s.models);
    expect(half.Region).toBe(27);
    expect(half.User).toBeGreaterThan(0);
    expect(await isDemoDatabase(s.models)).toBe(true);

    const again = await runScript('scripts/seed.ts', [], dev);
    expect(again.output).toContain('Undid an interrupted seed of: people.');
    expect(again.code).toBe(0);
    const repaired = await seedCollectionCounts(s.models);

    // A demo database may be reset; the clean seed writes exactly what the repaired one holds.
    const reset = await runScript('scripts/seed.ts', ['--reset'], dev);
    expect(reset.output).toContain('Database wiped.');
    expect(reset.code).toBe(0);
    expect(await seedCollectionCounts(s.models)).toEqual(repaired);
    expect(repaired.User).toBeGreaterThan(half.User);
  }, 120_000);
});

/**
 * History written into days that have ended: the demo seed files its appeals over the twenty days
 * before it runs, after the server's start has rolled those days up (empty). The figures must
 * count the seeded history, on the dashboard and the measures alike.
 */
import { measureRollup } from '../../server/measures';
import { seedDemoCounty } from '../../server/seed/seed';
import { chinaIsoDate } from '../../common/china-time';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: false, backgroundJobs: false });
}, 120_000);
afterAll(() => s?.stop());

it('counts the seeded history in days the rollup had already done', async () => {
  // Catches: the seed leaving the days the start's rollup marked done (with no cells) in place,
  // so the demo county's charts show nothing before today.
  const now = s.ctx.now();
  const rolled = await measureRollup(s.ctx).run();
  expect(rolled.days).toBeGreaterThan(20);
  await seedDemoCounty(s.models, now, { dataDir: s.ctx.config.dataDir });
  const from = chinaIsoDate(new Date(now.getTime() - 30 * 24 * 3600_000));
  const res = await s.api('GET', `/api/v1/measures?from=${from}&to=${chinaIsoDate(now)}`, { token: await s.staffToken('dispatcher') });
  expect(res.status).toBe(200);
  const filed = await s.models.Appeal.countDocuments({ submittedAt: { $gte: new Date(`${from}T00:00:00+08:00`) } });
  expect(filed).toBeGreaterThan(30);
  expect(res.body.counts.received).toBe(filed);
  // And once rolled up again, the same.
  await measureRollup(s.ctx).run();
  const again = await s.api('GET', `/api/v1/measures?from=${from}&to=${chinaIsoDate(now)}`, { token: await s.staffToken('dispatcher') });
  expect(again.body.days.rolledUp).toBeGreaterThan(20);
  expect(again.body.counts.received).toBe(filed);
});

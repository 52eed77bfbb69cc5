/**
 * `查询 <编号>` on the days that broke the suite: the bot on the simulated WeChat against the real
 * server on a fixed clock, at 02:14 on 7 December (a day 1 to 9) and across New Year (the China
 * day starts at 16:00 UTC). The expected answers are written out, not computed by the formatter
 * they check.
 */
import { testClock } from '../helpers/appeals';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO, startHarness, type Harness } from './harness';

const { dongcheng } = DEMO;
// Seeded on 20 November: the days below have no seeded appeals.
const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let h: Harness;
beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken });
});
afterAll(async () => {
  await h?.stop();
  await s?.stop();
});

/** Files `#报事` in 东城社区邻里群 at a UTC instant, then asks `查询` for it there: the two answers. */
async function fileAndAsk(at: string, text: string): Promise<{ number: string; answer: string }> {
  clock.set(at);
  const receipt = await h.ask(dongcheng.resident, `#报事 ${text}`, dongcheng.room);
  const number = /DX-\d{8}-\d{4,6}/.exec(receipt)?.[0] ?? `no number in: ${receipt}`;
  const answer = await h.ask(dongcheng.resident, `查询 ${number}`, dongcheng.room);
  return { number, answer: answer.replace(/^@\S+ /, '') };
}
/** `编号 N：<state>（最近：<step> <time>）`, the time as written out. */
const said = (number: string, time: string) => new RegExp(`^编号 ${number}：\\S+（最近：\\S+ ${time}）$`);

// Catches: 12月07日 (a padded day, the failure of 7 December) or a time or number in UTC
// (12月6日 18:14, DX-20261206) in the bot's answer.
test('on 7 December at 02:14 China time: DX-20261207, 12月7日 02:14', async () => {
  const { number, answer } = await fileAndAsk('2026-12-06T18:14:00.000Z', '东门路灯不亮');
  expect(number).toBe('DX-20261207-0001');
  expect(answer).toMatch(said(number, '12月7日 02:14'));
});

// Catches: a day or year that slips at New Year (the China year starts at 16:00 UTC on 31 December).
test('the last minute of the year and the first: 12月31日 23:59, then 1月1日 00:00 of the next year', async () => {
  const eve = await fileAndAsk('2026-12-31T15:59:00.000Z', '楼道灯一闪一闪');
  expect([eve.number, eve.answer]).toEqual(['DX-20261231-0001', expect.stringMatching(said(eve.number, '12月31日 23:59'))]);
  const newYear = await fileAndAsk('2026-12-31T16:00:00.000Z', '小区门口积水');
  expect([newYear.number, newYear.answer]).toEqual(['DX-20270101-0001', expect.stringMatching(said(newYear.number, '1月1日 00:00'))]);
});

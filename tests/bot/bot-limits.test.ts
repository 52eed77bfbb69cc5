/**
 * The bot against the server's limits and its own pace: a burst of `#报事` past the filing limit
 * is told once in the group and then met with silence; every answer goes through the account's
 * pacer, on a virtual clock (each wait the pacer asks for moves it; see notice-delivery.test.ts).
 * The server runs at the documented limits (appealLimitScale 1) on a fixed clock.
 */
import { abortableDelay } from '../../bot/runtime/pacer';
import { APPEAL_LIMITS } from '../../server/appeals/limits';
import { startTestServer, type TestServer } from '../helpers/server';
import { testClock } from '../helpers/appeals';
import { DEMO, startHarness, type Harness } from './harness';

const { dongcheng } = DEMO;
const serverClock = testClock('2026-11-20T02:10:00Z');
let s: TestServer;
let h: Harness | undefined;

beforeAll(async () => {
  s = await startTestServer({ now: serverClock.now, backgroundJobs: false, config: { appealLimitScale: 1 } });
});
afterAll(async () => {
  await s?.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const botLines = (roomId: string) => h!.sim.transcript(roomId).filter((e) => e.fromBot).map((e) => e.text);

// Catches: the bot repeating the refusal for every message of a member looping #报事 (it would
// flood the group it is meant to calm), or staying silent about the limit altogether.
test('a burst of #报事 past the limit: receipts, the limit said once, then silence', async () => {
  h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken });
  const member = dongcheng.resident;
  const burst = APPEAL_LIMITS.resident.perHour + 3;
  for (let i = 0; i < burst; i++) h.sim.say({ contactId: member, roomId: dongcheng.room, text: `#报事 第${i + 1}次反映：楼道灯又坏了` });
  // A member's messages are handled in order: the last one's silence is logged after all the others.
  await h.waitForLog((l) => l.msg === 'filing limited: already said in this group' && h!.logs.filter((x) => x.msg === l.msg).length === 2, 20_000);

  const name = h.sim.contact(member).payload.name;
  const lines = botLines(dongcheng.room);
  expect(lines).toHaveLength(APPEAL_LIMITS.resident.perHour + 1);
  expect(lines.slice(0, -1).every((l) => l.startsWith(`@${name} 已收到您的诉求，编号 DX-`))).toBe(true);
  expect(lines.at(-1)).toBe(`@${name} 提交太频繁，请50分钟后再试`);
  expect(h.requests.filter((r) => r.path === '/api/v1/bot/appeals')).toHaveLength(burst);
});

// Catches: answers said at once, outside the account's pace (WeChat restricts accounts that burst),
// e.g. a room full of members asking at the same moment.
test('answers to many members at once are paced: minIntervalMs apart, at most perMinute a minute', async () => {
  let skew = 0;
  const clock = {
    now: () => Date.now() + skew,
    delay: async (ms: number, signal: AbortSignal) => {
      signal.throwIfAborted();
      skew += ms;
      await abortableDelay(Math.min(ms, 10), signal);
    },
  };
  const MIN_INTERVAL_MS = 3000;
  const PER_MINUTE = 4;
  h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken, pace: { minIntervalMs: MIN_INTERVAL_MS, perMinute: PER_MINUTE, now: clock.now, delay: clock.delay } });
  const sends: number[] = [];
  const puppet = h.sim.puppet;
  const original = puppet.messageSendText.bind(puppet);
  puppet.messageSendText = (async (...args: unknown[]) => {
    sends.push(clock.now());
    return (original as (...a: unknown[]) => Promise<void>)(...args);
  }) as typeof puppet.messageSendText;

  // Seven members ask for the usage (`查询` alone: answered without the server) at once.
  const askers = ['wxid_demo_resident_01', 'wxid_demo_resident_07', 'wxid_demo_resident_13', 'wxid_demo_resident_19', 'wxid_demo_resident_25', dongcheng.staff, 'wxid_demo_dongcheng_grid1'];
  for (const contactId of askers) h.sim.say({ contactId, roomId: dongcheng.room, text: '查询' });
  const deadline = Date.now() + 20_000;
  while (botLines(dongcheng.room).length < askers.length) {
    if (Date.now() > deadline) throw new Error(`only ${botLines(dongcheng.room).length} answers`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(sends).toHaveLength(askers.length);
  for (let i = 1; i < sends.length; i++) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  for (let i = 0; i + PER_MINUTE < sends.length; i++) expect(sends[i + PER_MINUTE]! - sends[i]!).toBeGreaterThanOrEqual(60_000);
}, 60_000);

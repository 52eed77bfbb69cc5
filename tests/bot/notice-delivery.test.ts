/**
 * A notice to many group chats, end to end: an editor publishes it on the real server (own embedded
 * database, seeded, plus bound group chats of our own so that eight rooms are in scope), the bot on
 * the simulated WeChat drains the outbox at its pace, and every room hears it exactly once, also
 * when the bot is stopped halfway and another one finishes.
 *
 * The pace runs on a virtual clock: each wait the pacer asks for moves the clock by that much (and
 * waits a few real milliseconds), so a per-minute cap is tested without waiting minutes, while the
 * sends still go through the real pacer, plugin, server and mock puppet. Send times are read from
 * that clock at the moment the bot hands a text to the puppet.
 */
import { Types } from 'mongoose';
import { abortableDelay, type PacerOptions } from '../../bot/runtime/pacer';
import { botPaceFromEnv, DEFAULT_BOT_PACE } from '../../bot/main';
import type { OutboxDeliveryConfig } from '../../bot/plugins/outbox-delivery';
import { demoCounty } from '../../common/demo-county';
import { startTestServer, type TestServer } from '../helpers/server';
import { startHarness, type Harness } from './harness';

/** Group chats of our own, bound under 城关镇 (DX-01) besides the seeded ones there. */
const EXTRA_ROOMS = Array.from({ length: 6 }, (_, i) => ({
  roomId: `notice-pace-${i + 1}@chatroom`,
  topic: `城关镇测试群${i + 1}`,
  code: ['DX-01-01', 'DX-01-02', 'DX-01-03'][i % 3]!,
}));
const county = {
  groupChats: [...demoCounty.groupChats, ...EXTRA_ROOMS.map((r) => ({ roomId: r.roomId, topic: r.topic, memberContactIds: ['wxid_demo_dongcheng_staff'] }))],
  people: demoCounty.people,
};

interface Send {
  /** Virtual time when the bot handed the text to the puppet. */
  at: number;
  roomId: string;
  text: string;
}

/**
 * The pacer's clock: real time plus every wait asked for. `hold()` makes the next waits block
 * until the bot stops (a bot "stuck" between sends, to stop it halfway).
 */
function virtualClock() {
  let skew = 0;
  let holding = false;
  return {
    now: () => Date.now() + skew,
    hold: () => {
      holding = true;
    },
    delay: async (ms: number, signal: AbortSignal) => {
      if (holding) await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      signal.throwIfAborted();
      skew += ms;
      await abortableDelay(Math.min(ms, 10), signal);
    },
  };
}

/** Records what the bot says, with the virtual time, by wrapping the mock puppet's send. */
function recordSends(h: Harness, clock: { now: () => number }, onSend?: (sends: Send[]) => void): Send[] {
  const sends: Send[] = [];
  const puppet = h.sim.puppet;
  const original = puppet.messageSendText.bind(puppet);
  puppet.messageSendText = (async (conversationId: string, text: string, ...rest: unknown[]) => {
    sends.push({ at: clock.now(), roomId: conversationId, text });
    onSend?.(sends);
    return (original as (...a: unknown[]) => Promise<void>)(conversationId, text, ...rest);
  }) as typeof puppet.messageSendText;
  return sends;
}

describe('bot pace from the environment', () => {
  // Catches: a typo in the pace silently turning pacing off (a burst gets the account restricted).
  test('defaults to 3000 ms and 15 a minute, takes whole numbers in range, refuses anything else by name', () => {
    expect(botPaceFromEnv({})).toEqual(DEFAULT_BOT_PACE);
    expect(DEFAULT_BOT_PACE).toEqual({ minIntervalMs: 3000, perMinute: 15 });
    expect(botPaceFromEnv({ BOT_SEND_MIN_INTERVAL_MS: ' 5000 ', BOT_SEND_PER_MINUTE: '6' })).toEqual({ minIntervalMs: 5000, perMinute: 6 });
    expect(botPaceFromEnv({ BOT_SEND_MIN_INTERVAL_MS: '', BOT_SEND_PER_MINUTE: '' })).toEqual(DEFAULT_BOT_PACE);
    expect(() => botPaceFromEnv({ BOT_SEND_MIN_INTERVAL_MS: '3s' })).toThrow(/BOT_SEND_MIN_INTERVAL_MS.*"3s"/);
    expect(() => botPaceFromEnv({ BOT_SEND_MIN_INTERVAL_MS: '-1' })).toThrow(/BOT_SEND_MIN_INTERVAL_MS/);
    expect(() => botPaceFromEnv({ BOT_SEND_PER_MINUTE: '0' })).toThrow(/BOT_SEND_PER_MINUTE/);
    expect(() => botPaceFromEnv({ BOT_SEND_PER_MINUTE: '1.5' })).toThrow(/BOT_SEND_PER_MINUTE/);
    expect(() => botPaceFromEnv({ BOT_SEND_PER_MINUTE: '1000' })).toThrow(/BOT_SEND_PER_MINUTE/);
  });
});

describe('a notice to many group chats', () => {
  let s: TestServer;
  let editor: string;
  let inScope: string[];
  let seq = 0;
  const harnesses: Harness[] = [];
  /** The server's clock runs this far ahead: leases end without waiting for them. */
  let serverClockOffsetMs = 0;

  beforeAll(async () => {
    // No background jobs: the digest must not add its own messages to the rooms.
    s = await startTestServer({ backgroundJobs: false, now: () => new Date(Date.now() + serverClockOffsetMs) });
    const { Region, Room } = s.models;
    for (const r of EXTRA_ROOMS) {
      const reg = await Region.findOne({ code: r.code }).lean();
      await Room.create({ roomId: r.roomId, topic: r.topic, regionId: reg!._id, regionPath: reg!.path, boundBy: new Types.ObjectId(), boundAt: new Date() });
    }
    const township = await Region.findOne({ code: 'DX-01' }).lean();
    inScope = (await Room.find().lean()).filter((r) => r.regionPath.startsWith(township!.path)).map((r) => r.roomId).sort();
    editor = await s.staffToken('editor');
  }, 600_000);
  afterAll(async () => {
    await s?.stop();
  });
  beforeEach(async () => {
    // Only this suite's deliveries: whatever the seed queued for groups is cleared.
    await s.models.Outbox.deleteMany({ channel: 'bot_room' });
  });
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
  });

  const start = async ({ minIntervalMs, perMinute, now, delay, ...settings }: Partial<Omit<OutboxDeliveryConfig, 'client' | 'logger' | 'track' | 'pacer'>> & PacerOptions) => {
    const h = await startHarness({
      serverUrl: s.url,
      botToken: s.ctx.config.botToken,
      county,
      pace: { minIntervalMs, perMinute, now, delay },
      plugins: { outboxDelivery: { pollMs: 100, delay, ...settings } },
    });
    harnesses.push(h);
    return h;
  };

  async function publish(): Promise<{ id: string; text: string }> {
    const title = `城关镇停水通知第${++seq}次`;
    const created = await s.api('POST', '/api/v1/notices', { token: editor, body: { title, idempotencyKey: `bot-test-${seq}-${Date.now()}`, body: '明日上午九时至下午五时停水检修，请提前储水。', regionIds: [String((await s.models.Region.findOne({ code: 'DX-01' }).lean())!._id)] } });
    expect(created.status).toBe(201);
    const published = await s.api('POST', `/api/v1/notices/${created.body.id}/publish`, { token: editor });
    expect(published.status).toBe(200);
    const record = await s.models.Outbox.findOne({ ref: `notice:${created.body.id}` }).lean();
    return { id: created.body.id, text: (record!.payload as { text: string }).text };
  }
  const records = (id: string) => s.models.Outbox.find({ ref: `notice:${id}` }).lean();
  /** Polls until `n` of the notice's deliveries are sent (deadline 20 s). */
  async function untilSent(id: string, n: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const sent = await s.models.Outbox.countDocuments({ ref: `notice:${id}`, state: 'sent' });
      if (sent >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${sent} of ${n} deliveries sent`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const botLines = (h: Harness, roomId: string) => h.sim.transcript(roomId).filter((e) => e.fromBot).map((e) => e.text);

  // Catches: a burst to many rooms (WeChat restricts such accounts), a cap per minute never
  // enforced, a room messaged twice or missed, or deliveries left unreported.
  test('eight rooms hear it once each, at least minIntervalMs apart and never more than perMinute in a minute', async () => {
    expect(inScope.length).toBeGreaterThanOrEqual(8);
    const clock = virtualClock();
    const MIN_INTERVAL_MS = 3000;
    const PER_MINUTE = 5;
    const h = await start({ minIntervalMs: MIN_INTERVAL_MS, perMinute: PER_MINUTE, claimLimit: 5, now: clock.now, delay: clock.delay });
    const sends = recordSends(h, clock);
    const notice = await publish();
    await untilSent(notice.id, inScope.length);

    expect(sends.map((x) => x.roomId).sort()).toEqual(inScope);
    expect(sends.every((x) => x.text === notice.text)).toBe(true);
    for (const roomId of inScope) expect(botLines(h, roomId)).toEqual([notice.text]);
    const at = sends.map((x) => x.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
    // No 60 s holds more than PER_MINUTE sends: the (i + PER_MINUTE)-th starts a minute after the i-th.
    for (let i = 0; i + PER_MINUTE < at.length; i++) expect(at[i + PER_MINUTE]! - at[i]!).toBeGreaterThanOrEqual(60_000);
    // The cap, not the interval, held the sixth send back.
    expect(at[PER_MINUTE]! - at[PER_MINUTE - 1]!).toBeGreaterThan(MIN_INTERVAL_MS * 2);
    const done = await records(notice.id);
    expect(done.map((r) => [r.state, r.attempts])).toEqual(done.map(() => ['sent', 1]));
    // The editor's delivery view agrees.
    const view = await s.api('GET', `/api/v1/notices/${notice.id}/deliveries`, { token: editor });
    expect(view.body.counts).toEqual({ pending: 0, sending: 0, sent: inScope.length, failed: 0 });
  }, 60_000);

  // Catches: a restarted bot saying again what its previous run said, or never sending what that
  // run had claimed but not sent.
  test('a bot stopped after three sends and a new bot started finish the rest with no room hearing it twice', async () => {
    const notice = await publish();
    const clock1 = virtualClock();
    // The first bot claims every room at once, says three, then is stuck waiting for its next slot.
    const first = await start({ minIntervalMs: 3000, perMinute: 15, claimLimit: 20, leaseSeconds: 120, now: clock1.now, delay: clock1.delay });
    const sends1 = recordSends(first, clock1, (sends) => {
      if (sends.length === 3) clock1.hold();
    });
    await untilSent(notice.id, 3);
    await first.stop();
    expect(sends1).toHaveLength(3);
    const afterFirst = await records(notice.id);
    expect(afterFirst.filter((r) => r.state === 'sent')).toHaveLength(3);
    expect(afterFirst.filter((r) => r.state === 'sending')).toHaveLength(inScope.length - 3);

    const clock2 = virtualClock();
    const second = await start({ minIntervalMs: 3000, perMinute: 15, claimLimit: 5, now: clock2.now, delay: clock2.delay });
    const sends2 = recordSends(second, clock2);
    // While the first bot's lease holds, the second finds nothing to take.
    await second.waitForLog((l) => l.msg === 'outbox empty: waiting', 15_000);
    expect(sends2).toEqual([]);
    // The lease ends (the server's clock moves past it): the second bot takes the rest over.
    serverClockOffsetMs += 121_000;
    await untilSent(notice.id, inScope.length);

    const heard = [...sends1, ...sends2].map((x) => x.roomId).sort();
    expect(heard).toEqual(inScope);
    for (const roomId of inScope) expect([...botLines(first, roomId), ...botLines(second, roomId)]).toEqual([notice.text]);
    const done = await records(notice.id);
    const firstRooms = new Set(sends1.map((x) => x.roomId));
    for (const r of done) expect([r.state, r.attempts]).toEqual(['sent', firstRooms.has(r.recipient) ? 1 : 2]);
    for (let i = 1; i < sends2.length; i++) expect(sends2[i]!.at - sends2[i - 1]!.at).toBeGreaterThanOrEqual(3000);
  }, 60_000);
});

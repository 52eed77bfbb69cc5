/**
 * Outbox delivery: first the pacer alone, on a hand-driven clock (every wait it asks for moves the
 * clock by exactly that much, so the send times are the ones the rule allows, with no real time
 * passing); then the plugin on the simulated WeChat against the real server and its outbox (own
 * embedded database, seeded), with deliveries enqueued through the server's outbox service.
 */
import { createPacer } from '../../bot/runtime/pacer';
import type { OutboxDeliveryConfig } from '../../bot/plugins/outbox-delivery';
import { outbox } from '../../server/outbox/outbox';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO, startHarness, type Harness } from './harness';

function handClock() {
  let t = 1_000_000;
  const waits: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    waits,
    delay: async (ms: number, signal: AbortSignal) => {
      signal.throwIfAborted();
      waits.push(ms);
      t += ms;
    },
  };
}

describe('pacer', () => {
  // Catches: a burst to many rooms (WeChat restricts accounts that post to 100+ rooms at once).
  test('spaces sends by minIntervalMs, measured from the end of one send to the start of the next', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 3000, perMinute: 100, now: clock.now, delay: clock.delay });
    const starts: number[] = [];
    const signal = new AbortController().signal;
    for (let i = 0; i < 4; i++) {
      await pacer.run(async () => {
        starts.push(clock.now());
        clock.advance(500); // the send itself takes half a second
      }, signal);
    }
    expect(starts.map((s) => s - starts[0]!)).toEqual([0, 3500, 7000, 10500]);
    expect(clock.waits).toEqual([3000, 3000, 3000]);
  });

  // Catches: a per-minute cap that is never enforced because the interval alone looks fine.
  test('holds the 16th send of a minute until the first one is a minute old', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 1000, perMinute: 15, now: clock.now, delay: clock.delay });
    const ends: number[] = [];
    const signal = new AbortController().signal;
    for (let i = 0; i < 17; i++) await pacer.run(async () => void ends.push(clock.now()), signal);
    const t0 = ends[0]!;
    // 15 sends one second apart, then the 16th waits for the first to leave the 60 s window,
    // and the 17th for the second.
    expect(ends.slice(0, 15).map((e) => e - t0)).toEqual(Array.from({ length: 15 }, (_, i) => i * 1000));
    expect(ends[15]! - t0).toBe(60_000);
    expect(ends[16]! - t0).toBe(61_000);
    for (let i = 15; i < ends.length; i++) {
      expect(ends.filter((e) => e > ends[i]! - 60_000 && e <= ends[i]!).length).toBeLessThanOrEqual(15);
    }
  });

  // Catches: a failed send that does not count, letting retries burst.
  test('a failed send still uses its slot', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 2000, perMinute: 15, now: clock.now, delay: clock.delay });
    const signal = new AbortController().signal;
    await expect(pacer.run(async () => Promise.reject(new Error('puppet refused')), signal)).rejects.toThrow('puppet refused');
    expect(pacer.waitMs()).toBe(2000);
  });

  // Catches: a stop that waits out the pacer, or sends after it.
  test('an abort while waiting for a slot rejects without sending', async () => {
    const pacer = createPacer({ minIntervalMs: 60_000, perMinute: 15 });
    const controller = new AbortController();
    let sends = 0;
    await pacer.run(async () => void sends++, controller.signal);
    const waiting = pacer.run(async () => void sends++, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(sends).toBe(1);
  });

  // Catches: answers from several plugins at once each waiting on their own and then all sending
  // together (a burst), or bulk notices holding back the answers people wait for.
  test('concurrent senders go one at a time at the pace; answers go before waiting bulk sends', async () => {
    // Waits asked at the same moment end at the same moment: the clock moves to the latest end.
    let t = 1_000_000;
    const delay = async (ms: number, signal: AbortSignal) => {
      const until = t + ms;
      await Promise.resolve();
      signal.throwIfAborted();
      t = Math.max(t, until);
    };
    const pacer = createPacer({ minIntervalMs: 1000, perMinute: 100, now: () => t, delay });
    const signal = new AbortController().signal;
    const sends: { name: string; at: number }[] = [];
    let inFlight = 0;
    let overlapped = false;
    const send = (name: string) => async () => {
      inFlight++;
      if (inFlight > 1) overlapped = true;
      sends.push({ name, at: t });
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
    };
    // All five are waiting before the first send ends (started in the same tick).
    await Promise.all([
      pacer.run(send('bulk0'), signal, 'bulk'),
      pacer.run(send('bulk1'), signal, 'bulk'),
      pacer.run(send('bulk2'), signal),
      pacer.run(send('reply0'), signal, 'reply'),
      pacer.run(send('reply1'), signal, 'reply'),
    ]);
    expect(overlapped).toBe(false);
    expect(sends.map((x) => x.name)).toEqual(['bulk0', 'reply0', 'reply1', 'bulk1', 'bulk2']);
    for (let i = 1; i < sends.length; i++) expect(sends[i]!.at - sends[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(pacer.idle()).toBe(true);
  });

  test('refuses settings that cannot pace', () => {
    expect(() => createPacer({ perMinute: 0 })).toThrow(/perMinute/);
    expect(() => createPacer({ minIntervalMs: -1 })).toThrow(/minIntervalMs/);
  });
});

describe('outbox delivery on the real server', () => {
  let s: TestServer;
  let h: Harness | undefined;
  let seq = 0;
  const { dongcheng, xicheng } = DEMO;
  const MIN_INTERVAL_MS = 300;
  /** The server's clock runs this far ahead: leases end without waiting for them. */
  let serverClockOffsetMs = 0;

  beforeAll(async () => {
    s = await startTestServer({ now: () => new Date(Date.now() + serverClockOffsetMs) });
  });
  afterAll(async () => {
    await s.stop();
  });
  beforeEach(async () => {
    // Only this suite's deliveries: whatever the seed's appeals queued for groups is cleared.
    await s.models.Outbox.deleteMany({ channel: 'bot_room' });
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = ({ minIntervalMs = MIN_INTERVAL_MS, ...settings }: Partial<Omit<OutboxDeliveryConfig, 'client' | 'logger' | 'track' | 'pacer'>> & { minIntervalMs?: number } = {}) =>
    startHarness({
      serverUrl: s.url,
      botToken: s.ctx.config.botToken,
      pace: { minIntervalMs, perMinute: 100 },
      plugins: { outboxDelivery: { pollMs: 100, ...settings } },
    });

  async function enqueue(recipient: string, text: string, mentionContactIds: string[] = []): Promise<string> {
    const dedupeKey = `test:${++seq}`;
    await outbox(s.ctx).enqueue([{ dedupeKey, channel: 'bot_room', recipient, payload: { text, mentionContactIds } }]);
    const doc = await s.models.Outbox.findOne({ dedupeKey }).lean();
    return String(doc!._id);
  }
  const record = async (id: string) => (await s.models.Outbox.findById(id).lean()) as unknown as Record<string, unknown>;
  /** Polls the record until it reaches `state` (deadline 10 s). */
  async function pollState(id: string, state: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const doc = await record(id);
      if (doc.state === state) return doc;
      if (Date.now() > deadline) throw new Error(`outbox ${id} stayed ${String(doc.state)}, wanted ${state}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // Catches: deliveries not said in their room, mentions lost, or records left unreported.
  test('says each delivery in its room with its @mentions and reports it sent', async () => {
    const notice = await enqueue(dongcheng.room, '【通知】本周六上午停水检修');
    const answer = await enqueue(dongcheng.room, '您反映的问题已答复：路灯已修复', [dongcheng.resident, 'wxid_nobody_left']);
    const elsewhere = await enqueue(xicheng.room, '【通知】西城社区疫苗接种');
    h = await start();

    const sent = await Promise.all([notice, answer, elsewhere].map((id) => pollState(id, 'sent')));
    expect(sent.map((d) => d.sentAt)).toEqual([expect.any(Date), expect.any(Date), expect.any(Date)]);
    // The lease owner is the bot's account plus a nonce of this start (the server prefixes its own user id).
    expect(String(sent[0]!.leaseOwner)).toMatch(/bot:wxid_xianrong_bot:[0-9a-f]{12}$/);

    const said = (room: string) => h!.sim.transcript(room).filter((e) => e.fromBot).map((e) => e.text);
    const name = h.sim.contact(dongcheng.resident).payload.name;
    // A mentioned member who is unknown is skipped; the message still goes.
    expect(said(dongcheng.room)).toEqual(['【通知】本周六上午停水检修', `@${name} 您反映的问题已答复：路灯已修复`]);
    expect(said(xicheng.room)).toEqual(['【通知】西城社区疫苗接种']);
    // Logs carry ids, never the text.
    expect(JSON.stringify(h.logs)).not.toContain('停水');
  });

  // Catches: a burst of sends (WeChat restricts accounts that post in bursts).
  test('sends at least minIntervalMs apart', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await enqueue(i % 2 ? dongcheng.room : xicheng.room, `【通知】第${i + 1}条`));
    h = await start({ claimLimit: 2 });
    await Promise.all(ids.map((id) => pollState(id, 'sent')));
    const times = [dongcheng.room, xicheng.room]
      .flatMap((room) => h!.sim.transcript(room).filter((e) => e.fromBot))
      .map((e) => Date.parse(e.at))
      .sort((a, b) => a - b);
    expect(times).toHaveLength(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  });

  // Catches: retrying forever for a room the bot is not in.
  test('a room the bot is not in is reported as failed, not retried', async () => {
    const id = await enqueue('no-such-group@chatroom', '【通知】无人接收');
    h = await start();
    const failed = await pollState(id, 'failed');
    expect(failed).toMatchObject({ lastError: 'room not found', attempts: 1 });
  });

  // Catches: a restarted bot saying again what its previous run said, or never sending what that
  // run had claimed but not sent.
  test('after a stop mid-claim, the next start sends the rest once the lease ends, and nothing twice', async () => {
    const ids = [await enqueue(dongcheng.room, '【通知】第一条'), await enqueue(dongcheng.room, '【通知】第二条'), await enqueue(dongcheng.room, '【通知】第三条')];
    // The first run claims all three, sends one, then waits a minute for its next slot: stopped there.
    const first = await start({ minIntervalMs: 60_000, claimLimit: 3, leaseSeconds: 200 });
    h = first;
    await pollState(ids[0]!, 'sent');
    await first.stop();
    expect(first.sim.transcript(dongcheng.room).filter((e) => e.fromBot).map((e) => e.text)).toEqual(['【通知】第一条']);
    expect((await record(ids[1]!)).state).toBe('sending');

    // A new start is a new owner: while the old lease holds it finds nothing to claim.
    h = await start();
    await h.waitForLog((l) => l.msg === 'outbox empty: waiting');
    expect((await record(ids[1]!)).state).toBe('sending');
    // Once the lease has ended (the server's clock moves past it), it takes the two over.
    serverClockOffsetMs += 201_000;
    await Promise.all(ids.slice(1).map((id) => pollState(id, 'sent')));
    expect(h.sim.transcript(dongcheng.room).filter((e) => e.fromBot).map((e) => e.text)).toEqual(['【通知】第二条', '【通知】第三条']);
    expect((await record(ids[0]!)).attempts).toBe(1);
  });

  // Catches: a stop that hangs on the poll timer, or a loop that keeps claiming after stop.
  test('stops at once on bot stop, even in the middle of a long idle wait', async () => {
    h = await start({ pollMs: 60_000 });
    await h.waitForLog((l) => l.msg === 'outbox delivery started');
    // The first claim finds the outbox empty; the loop then waits 60 s for the next.
    await h.waitForLog((l) => l.msg === 'outbox empty: waiting');
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(h.logs.some((l) => l.msg === 'outbox delivery stopped')).toBe(true);
    const claims = h.requests.filter((r) => r.path === '/api/v1/bot/outbox/claim').length;
    // Enqueued after the stop: nobody claims it.
    const id = await enqueue(dongcheng.room, '【通知】停止之后');
    expect((await record(id)).state).toBe('pending');
    expect(h.requests.filter((r) => r.path === '/api/v1/bot/outbox/claim').length).toBe(claims);
    h = undefined;
  });
});

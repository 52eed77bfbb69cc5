/**
 * The outbox (server/outbox): idempotent enqueue, leased claims that never hand one record to two
 * claimers, takeover after a claimer died, retries with backoff, priority, the bot's claim and
 * complete routes, the WeChat subscribe adapter and the in-server deliverer. On the real embedded
 * database; time moves by an injected clock, never by waiting.
 */
import mongoose, { Types, type Connection } from 'mongoose';
import { createModels } from '../../server/models';
import type { AppContext } from '../../server/context';
import { MAX_ATTEMPTS, backoffMs, outbox, outboxStats } from '../../server/outbox/outbox';
import { startOutboxDeliverer } from '../../server/outbox/deliverer';
import { createWechatSubscribeSender, loggingSubscribeSender, parseFieldMap, subscribeSenderFromEnv, type SubscribeResult, type SubscribeSender } from '../../server/outbox/wechat-subscribe';
import { PRIORITY, WECHAT_ID_MAX, type OutboxItemInput, type SubscribePayload } from '../../server/outbox/schemas';
import { identityKey } from '../../server/users/model';
import { subscriptionGrants } from '../../server/subscriptions';
import { createLogger } from '../../server/core/logger';
import { AppError } from '../../server/core/errors';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

let s: TestServer;
/** The server's clock: tests move it forward instead of sleeping. */
let clock = Date.parse('2026-11-26T08:00:00.000Z');
const tick = (ms: number) => {
  clock += ms;
};

beforeAll(async () => {
  // WeChat and the progress template configured: the deliverer then sends only on a user's grant.
  s = await startTestServer({ seed: false, now: () => new Date(clock), config: { wechat: { appId: 'wx-test', secret: 'test-secret' }, subscribeTemplates: { appeal_progress: 'TPL-PROGRESS' } } });
}, 600_000); // the first run on a machine builds the database binary (minutes)
afterAll(() => s?.stop());
beforeEach(async () => {
  await s.models.Outbox.deleteMany({});
});

const room = (key: string, extra: Partial<OutboxItemInput> = {}): OutboxItemInput =>
  ({ dedupeKey: key, channel: 'bot_room', recipient: 'r1@chatroom', payload: { text: `消息 ${key}`, mentionContactIds: [] }, ...extra }) as OutboxItemInput;
const subscribe = (key: string, userId: string, data: Record<string, string> = { number: 'DX-20261126-0001', state: '已受理' }): OutboxItemInput => ({
  dedupeKey: key,
  channel: 'wechat_subscribe',
  recipient: userId,
  payload: { template: 'appeal_progress', page: 'pages/appeal-detail/index?id=1', data },
});
const stored = (id: string) => s.models.Outbox.findById(id).lean();
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a refusal');
};

describe('enqueue', () => {
  // Catches: a relay that runs twice (after a crash) sending the same notification twice.
  it('enqueueing the same dedupeKey twice stores one record, and a batch with a duplicate still stores the rest', async () => {
    const box = outbox(s.ctx);
    expect(await box.enqueue([room('k1')])).toEqual({ inserted: 1 });
    expect(await box.enqueue([room('k1', { payload: { text: '改过的内容', mentionContactIds: [] } } as Partial<OutboxItemInput>)])).toEqual({ inserted: 0 });
    expect(await box.enqueue([room('k2'), room('k1'), room('k3')])).toEqual({ inserted: 2 });
    const docs = await s.models.Outbox.find({}).sort({ dedupeKey: 1 }).lean();
    expect(docs.map((d) => d.dedupeKey)).toEqual(['k1', 'k2', 'k3']);
    // The first write wins: the duplicate did not overwrite it.
    expect(docs[0]).toMatchObject({ state: 'pending', attempts: 0, priority: PRIORITY.default, payload: { text: '消息 k1', mentionContactIds: [] } });
  });

  // Catches: a payload WeChat would refuse (values over 20 characters) or a malformed item stored.
  it('cuts subscribe values to 20 characters and refuses malformed items', async () => {
    const box = outbox(s.ctx);
    const userId = String(new Types.ObjectId());
    await box.enqueue([subscribe('long', userId, { note: '这是一条很长很长的处理说明，超过了微信订阅消息允许的二十个字' })]);
    const doc = await s.models.Outbox.findOne({ dedupeKey: 'long' }).lean();
    const note = (doc!.payload as SubscribePayload).data.note;
    expect(Array.from(note)).toHaveLength(20);
    expect(note.endsWith('…')).toBe(true);
    await expect(box.enqueue([{ ...room('bad'), payload: { text: '' } } as OutboxItemInput])).rejects.toThrow();
    await expect(box.enqueue([subscribe('not-a-user', 'someone')])).rejects.toThrow();
    expect(await s.models.Outbox.countDocuments({ dedupeKey: { $in: ['bad', 'not-a-user'] } })).toBe(0);
  });

  // Catches: one bad recipient in a relay's batch (a contact id over the limit) failing the whole
  // batch, so nobody else hears about the step either, at every retry.
  it("with invalid: 'skip' a malformed item is left out alone and named by its key, never its payload", async () => {
    const box = outbox(s.ctx);
    const tooLong = `wxid_${'x'.repeat(WECHAT_ID_MAX)}`;
    const result = await box.enqueue(
      [room('ok1'), room('long-mention', { payload: { text: '您反映的问题已答复：电话13800138000', mentionContactIds: [tooLong] } } as Partial<OutboxItemInput>), room('ok2')],
      { invalid: 'skip' },
    );
    expect(result.inserted).toBe(2);
    expect(result.rejected).toEqual([{ dedupeKey: 'long-mention', problems: ['payload.mentionContactIds.0: too_big'] }]);
    expect(JSON.stringify(result)).not.toContain('13800138000');
    expect((await s.models.Outbox.find({}).lean()).map((d) => d.dedupeKey).sort()).toEqual(['ok1', 'ok2']);
    // The limit itself: an id of exactly WECHAT_ID_MAX characters is a valid mention and recipient.
    const longest = 'w'.repeat(WECHAT_ID_MAX);
    expect(await box.enqueue([room('longest', { recipient: longest, payload: { text: '通知', mentionContactIds: [longest] } } as Partial<OutboxItemInput>)])).toEqual({ inserted: 1 });
  });
});

describe('claim', () => {
  // Catches: two server processes (or bots) both taking the same record, i.e. a claim that is a
  // find followed by an update. The claimers run on two connections whose commands are watched:
  // both must have had a claim in flight at the same moment, or the run proves nothing and fails.
  it('two claimers at once on two connections get disjoint records that together are all of them', async () => {
    const n = 30;
    await outbox(s.ctx).enqueue(Array.from({ length: n }, (_, i) => room(`p${i}`)));
    let inFlight = 0;
    let maxInFlight = 0;
    const conns: Connection[] = [];
    const ctxOn = async (): Promise<AppContext> => {
      const conn = await mongoose.createConnection(s.db.uri, { dbName: s.ctx.conn.name, monitorCommands: true }).asPromise();
      conns.push(conn);
      const client = conn.getClient();
      client.on('commandStarted', (ev) => {
        if (ev.commandName !== 'findAndModify') return;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
      });
      const done = (ev: { commandName: string }) => ev.commandName === 'findAndModify' && inFlight--;
      client.on('commandSucceeded', done);
      client.on('commandFailed', done);
      const ctx = { ...s.ctx, conn };
      await createModels(conn).Outbox.countDocuments(); // both sockets open before the race
      return ctx;
    };
    try {
      const [a, b] = [outbox(await ctxOn()), outbox(await ctxOn())];
      const opts = { channel: 'bot_room' as const, limit: n, leaseMs: MINUTE };
      const [gotA, gotB] = await Promise.all([a.claim({ ...opts, owner: 'A' }), b.claim({ ...opts, owner: 'B' })]);
      expect(maxInFlight).toBe(2);
      const idsA = gotA.map((i) => i.id);
      const idsB = gotB.map((i) => i.id);
      expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
      expect(idsA.length + idsB.length).toBe(n);
      const docs = await s.models.Outbox.find({}).lean();
      for (const d of docs) {
        expect(d).toMatchObject({ state: 'sending', attempts: 1 });
        expect(d.leaseOwner).toBe(idsA.includes(String(d._id)) ? 'A' : 'B');
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  // Catches: a record lost forever when its claimer dies, or taken over while the lease still holds.
  it('a claimer that never reports loses the record when its lease ends; its late report is refused and changes nothing', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('dies')]);
    const [item] = await box.claim({ channel: 'bot_room', owner: 'A', limit: 5, leaseMs: MINUTE });
    expect(item).toMatchObject({ recipient: 'r1@chatroom', attempts: 1 });

    tick(MINUTE - SECOND);
    expect(await box.claim({ channel: 'bot_room', owner: 'B', limit: 5, leaseMs: MINUTE })).toEqual([]);
    tick(2 * SECOND);
    const [again] = await box.claim({ channel: 'bot_room', owner: 'B', limit: 5, leaseMs: MINUTE });
    expect(again).toMatchObject({ id: item.id, attempts: 2 });

    const before = await stored(item.id);
    const err = await refusal(box.complete(item.id, 'A', { ok: true }));
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(409);
    expect(await stored(item.id)).toEqual(before);

    expect(await box.complete(item.id, 'B', { ok: true })).toEqual({ state: 'sent' });
    expect(await stored(item.id)).toMatchObject({ state: 'sent', leaseOwner: 'B', leaseUntil: null, sentAt: new Date(clock) });
    // The same report again (a retried HTTP call) answers the state without a change.
    expect(await box.complete(item.id, 'B', { ok: true })).toEqual({ state: 'sent' });
  });

  // Catches: a stale owner whose lease ran out but was not taken over being refused a real success.
  it('accepts the report of an owner whose lease ran out but nobody took over', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('slow')]);
    const [item] = await box.claim({ channel: 'bot_room', owner: 'A', limit: 1, leaseMs: MINUTE });
    tick(5 * MINUTE);
    expect(await box.complete(item.id, 'A', { ok: true })).toEqual({ state: 'sent' });
  });

  // Catches: an emergency notice waiting behind a long queue of routine ones.
  it('hands out lower priority values first, then older records', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('routine-old')]);
    tick(1);
    await box.enqueue([room('digest', { priority: PRIORITY.digest })]);
    tick(1);
    await box.enqueue([room('routine-new')]);
    tick(1);
    await box.enqueue([room('emergency', { priority: PRIORITY.emergency })]);
    const items = await box.claim({ channel: 'bot_room', owner: 'A', limit: 10, leaseMs: MINUTE });
    const keys = await Promise.all(items.map(async (i) => (await stored(i.id))!.dedupeKey));
    expect(keys).toEqual(['emergency', 'routine-old', 'routine-new', 'digest']);
  });

  // Catches: a scheduled record (a digest written ahead) sent early, or a channel's records
  // handed to the other channel's deliverer.
  it('claims only its channel and only records that are due', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('later', { notBefore: new Date(clock + MINUTE) }), subscribe('sub', String(new Types.ObjectId()))]);
    expect(await box.claim({ channel: 'bot_room', owner: 'A', limit: 10, leaseMs: MINUTE })).toEqual([]);
    tick(MINUTE);
    expect((await box.claim({ channel: 'bot_room', owner: 'A', limit: 10, leaseMs: MINUTE })).map((i) => i.channel)).toEqual(['bot_room']);
  });
});

describe('complete', () => {
  // Catches: retrying at once (hammering WeChat), retrying forever, or retrying what cannot work.
  it('a retryable failure waits 30 s, 1 min, 2 min … (at most 30 min) and fails for good after the last attempt', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('flaky')]);
    const claim = () => box.claim({ channel: 'bot_room', owner: 'A', limit: 1, leaseMs: MINUTE });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const [item] = await claim();
      expect(item.attempts).toBe(attempt);
      const { state } = await box.complete(item.id, 'A', { ok: false, error: '发送太频繁', retryable: true });
      if (attempt === MAX_ATTEMPTS) {
        expect(state).toBe('failed');
        break;
      }
      expect(state).toBe('pending');
      const doc = await stored(item.id);
      const wait = doc!.nextAttemptAt.getTime() - clock;
      waits.push(wait);
      tick(wait - 1);
      expect(await claim()).toEqual([]); // not before its time
      tick(1);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 960, 1800].map((sec) => sec * SECOND));
    expect(backoffMs(20)).toBe(30 * MINUTE);
    expect(await s.models.Outbox.findOne({ dedupeKey: 'flaky' }).lean()).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS, lastError: '发送太频繁' });
    tick(60 * MINUTE);
    expect(await claim()).toEqual([]);
  });

  // Catches: a failure that cannot be helped (bot removed from the room) retried anyway.
  it('a failure that is not retryable fails at once', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('gone')]);
    const [item] = await box.claim({ channel: 'bot_room', owner: 'A', limit: 1, leaseMs: MINUTE });
    expect(await box.complete(item.id, 'A', { ok: false, error: '机器人已不在群内', retryable: false })).toEqual({ state: 'failed' });
  });

  // Catches: a record whose claimers keep crashing (say it kills the sender) circulating forever.
  it('gives a record up after too many leases that ran out without a report', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('poison')]);
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      expect(await box.claim({ channel: 'bot_room', owner: `crash-${i}`, limit: 1, leaseMs: MINUTE })).toHaveLength(1);
      tick(MINUTE + 1);
    }
    expect(await box.claim({ channel: 'bot_room', owner: 'next', limit: 1, leaseMs: MINUTE })).toEqual([]);
    expect(await s.models.Outbox.findOne({ dedupeKey: 'poison' }).lean()).toMatchObject({ state: 'failed' });
  });

  // Catches: a report for a record nobody claimed, or for an id that does not exist, being accepted.
  it('refuses a report for an unclaimed record (409) and for an unknown id (404)', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('unclaimed')]);
    const doc = await s.models.Outbox.findOne({ dedupeKey: 'unclaimed' }).lean();
    expect((await refusal(box.complete(String(doc!._id), 'A', { ok: true }))).status).toBe(409);
    expect((await refusal(box.complete(String(new Types.ObjectId()), 'A', { ok: true }))).status).toBe(404);
    expect(await stored(String(doc!._id))).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('outboxStats', () => {
  // Catches: the workbench's counts missing a channel or state, or counting the wrong ones.
  it('counts per channel and state, zeros included', async () => {
    const box = outbox(s.ctx);
    await box.enqueue([room('a'), room('b'), room('c'), subscribe('s', String(new Types.ObjectId()))]);
    const [item] = await box.claim({ channel: 'bot_room', owner: 'A', limit: 1, leaseMs: MINUTE });
    await box.complete(item.id, 'A', { ok: true });
    await box.claim({ channel: 'bot_room', owner: 'A', limit: 1, leaseMs: MINUTE });
    expect(await outboxStats(s.ctx)).toEqual({
      bot_room: { pending: 1, sending: 1, sent: 1, failed: 0 },
      bot_contact: { pending: 0, sending: 0, sent: 0, failed: 0 },
      wechat_subscribe: { pending: 1, sending: 0, sent: 0, failed: 0 },
    });
  });
});

describe('bot routes', () => {
  const claimBody = { owner: 'proc-1', limit: 5, leaseSeconds: 60 };
  const post = (path: string, body: unknown, token = TEST_BOT_TOKEN) => s.api('POST', `/api/v1/bot/outbox${path}`, { body, token });

  // Catches: the bot unable to drain its deliveries, or handed WeChat subscribe records.
  it('POST /bot/outbox/claim gives the bot its group-chat deliveries; POST /bot/outbox/:id/complete records the result', async () => {
    await outbox(s.ctx).enqueue([room('r', { payload: { text: '停水通知', mentionContactIds: ['wxid_a'] } } as Partial<OutboxItemInput>), subscribe('s', String(new Types.ObjectId()))]);
    const claimed = await post('/claim', claimBody);
    expect(claimed.status).toBe(200);
    expect(claimed.body.items).toEqual([{ id: expect.any(String), recipient: 'r1@chatroom', payload: { text: '停水通知', mentionContactIds: ['wxid_a'] }, attempts: 1 }]);
    const id = claimed.body.items[0].id;

    // Another bot process (another nonce) cannot report for it.
    const other = await post(`/${id}/complete`, { owner: 'proc-2', ok: true });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CONFLICT');

    const done = await post(`/${id}/complete`, { owner: 'proc-1', ok: false, error: '发送太频繁', retryable: true });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ state: 'pending' });
    expect(await stored(id)).toMatchObject({ state: 'pending', lastError: '发送太频繁', leaseOwner: 'bot:proc-1' });

    tick(backoffMs(1));
    const again = await post('/claim', claimBody);
    expect(again.body.items.map((i: { id: string; attempts: number }) => [i.id, i.attempts])).toEqual([[id, 2]]);
    expect((await post(`/${id}/complete`, { owner: 'proc-1', ok: true })).body).toEqual({ state: 'sent' });
    expect((await post('/claim', claimBody)).body).toEqual({ items: [] });
  });

  // Catches: residents or staff draining or faking the bot's deliveries.
  it('refuses a user token with 403 and no token with 401', async () => {
    await outbox(s.ctx).enqueue([room('r')]);
    const user = await s.residentToken('outbox-test-resident');
    expect((await post('/claim', claimBody, user)).status).toBe(403);
    expect((await s.api('POST', '/api/v1/bot/outbox/claim', { body: claimBody })).status).toBe(401);
    const doc = await s.models.Outbox.findOne({ dedupeKey: 'r' }).lean();
    expect((await post(`/${doc!._id}/complete`, { owner: 'x', ok: true }, user)).status).toBe(403);
    expect(await stored(String(doc!._id))).toMatchObject({ state: 'pending', attempts: 0 });
  });

  // Catches: bodies outside the contract (unknown keys, out-of-range limits, a bad id) reaching the service.
  it('refuses malformed bodies with 400 and an unknown record with 404', async () => {
    expect((await post('/claim', { ...claimBody, limit: 21 })).status).toBe(400);
    expect((await post('/claim', { ...claimBody, leaseSeconds: 5 })).status).toBe(400);
    expect((await post('/claim', { ...claimBody, channel: 'wechat_subscribe' })).status).toBe(400);
    expect((await post('/claim', { limit: 5, leaseSeconds: 60 })).status).toBe(400);
    expect((await post('/not-an-id/complete', { owner: 'proc-1', ok: true })).status).toBe(400);
    expect((await post(`/${new Types.ObjectId()}/complete`, { owner: 'proc-1', ok: true, extra: 1 })).status).toBe(400);
    expect((await post(`/${new Types.ObjectId()}/complete`, { owner: 'proc-1', ok: true })).status).toBe(404);
  });

  // Catches: routes missing from the generated API document (a schema it cannot represent).
  it('appear in /api/docs with bot access', async () => {
    const docs = (await s.api('GET', '/api/docs')).body;
    expect(docs.paths['/api/v1/bot/outbox/claim'].post['x-access']).toBe('bot');
    expect(docs.paths['/api/v1/bot/outbox/{id}/complete'].post['x-access']).toBe('bot');
  });
});

describe('deliverer (WeChat subscribe messages)', () => {
  /** A sender that answers what each openid is set up to answer, and records what it was asked. */
  function fakeSender(answers: Record<string, SubscribeResult | Error>) {
    const sent: Array<{ openid: string; payload: SubscribePayload }> = [];
    const sender: SubscribeSender = {
      kind: 'wechat',
      async send(openid, payload) {
        sent.push({ openid, payload });
        const a = answers[openid];
        if (a instanceof Error) throw a;
        return a ?? { ok: true };
      },
    };
    return { sender, sent };
  }
  /**
   * A user signed in through the mini-program: their openid is the identity `wechat:<openid>`; with
   * `grants` one-time subscriptions to the progress template (what requestSubscribeMessage reported).
   */
  async function userWithOpenid(openid: string | null, grants = 1): Promise<string> {
    const user = await s.models.User.create({ name: '居民', roles: ['resident'] });
    if (openid) await s.models.Identity.create({ key: identityKey.wechat(openid), userId: user._id });
    await s.models.Identity.create({ key: identityKey.contact(`wxid_${user._id}`), userId: user._id });
    for (let i = 0; i < grants; i++) await subscriptionGrants(s.ctx).record(String(user._id), { idempotencyKey: `grant-${user._id}-${i}`, templateIds: ['TPL-PROGRESS'], result: { 'TPL-PROGRESS': 'accept' } });
    return String(user._id);
  }
  const neverSchedule = () => ({ cancel() {} });
  const stateOf = async (key: string) => (await s.models.Outbox.findOne({ dedupeKey: key }).lean())!;

  // Catches: results of the adapter recorded wrongly: a sent message retried, a refusal (43101)
  // retried forever, a temporary error given up, a user without openid retried.
  it('sends to the openid of each user and records ok, retryable, refused and no-openid', async () => {
    const [okUser, busyUser, refusedUser, crashUser, noOpenid] = await Promise.all([
      userWithOpenid('o-ok'),
      userWithOpenid('o-busy'),
      userWithOpenid('o-refused'),
      userWithOpenid('o-crash'),
      userWithOpenid(null),
    ]);
    await outbox(s.ctx).enqueue([subscribe('ok', okUser), subscribe('busy', busyUser), subscribe('refused', refusedUser), subscribe('crash', crashUser), subscribe('none', noOpenid), room('room')]);
    const { sender, sent } = fakeSender({
      'o-busy': { ok: false, error: '微信返回错误码 -1', retryable: true },
      'o-refused': { ok: false, error: '用户拒绝接收或未订阅该消息（43101）', retryable: false },
      'o-crash': new Error('socket hang up'),
    });
    const d = startOutboxDeliverer(s.ctx, { sender, schedule: neverSchedule });
    try {
      expect(await d.runOnce()).toBe(5);
    } finally {
      await d.stop();
    }
    expect(sent.map((x) => x.openid).sort()).toEqual(['o-busy', 'o-crash', 'o-ok', 'o-refused']);
    expect(sent.find((x) => x.openid === 'o-ok')!.payload).toEqual({ template: 'appeal_progress', page: 'pages/appeal-detail/index?id=1', data: { number: 'DX-20261126-0001', state: '已受理' } });
    expect(await stateOf('ok')).toMatchObject({ state: 'sent', sentAt: new Date(clock) });
    expect(await stateOf('busy')).toMatchObject({ state: 'pending', lastError: '微信返回错误码 -1', nextAttemptAt: new Date(clock + backoffMs(1)) });
    expect(await stateOf('refused')).toMatchObject({ state: 'failed', lastError: '用户拒绝接收或未订阅该消息（43101）' });
    expect(await stateOf('crash')).toMatchObject({ state: 'pending', lastError: '发送出错：socket hang up' });
    expect(await stateOf('none')).toMatchObject({ state: 'failed', lastError: '该用户没有绑定微信小程序账号' });
    // The group-chat record is the bot's: untouched.
    expect(await stateOf('room')).toMatchObject({ state: 'pending', attempts: 0 });
  });

  // Catches: two writes per sent record again (a read and an update each: the deliverer's load on
  // the database rivalled the filings that made the messages), and a batch's record overwriting
  // a record whose lease went to another owner while this one was sending.
  it('records a batch of sends in one write, and leaves a record another owner took over to that owner', async () => {
    const users = await Promise.all(['o-b1', 'o-b2', 'o-b3', 'o-b4'].map((o) => userWithOpenid(o)));
    await outbox(s.ctx).enqueue(users.map((u, i) => subscribe(`batch${i}`, u)));
    let stolen = false;
    const { sender } = fakeSender({});
    const stealing: typeof sender = {
      ...sender,
      async send(openid, payload) {
        // While this batch is being sent, its last record's lease runs out and another process takes it.
        if (!stolen) {
          stolen = true;
          await s.models.Outbox.updateOne({ dedupeKey: 'batch3' }, { $set: { leaseOwner: 'other-process' } });
        }
        return sender.send(openid, payload);
      },
    };
    const writes: string[] = [];
    const conn = s.ctx.conn as unknown as { set(k: string, v: unknown): void };
    conn.set('debug', (coll: string, method: string) => {
      // Writes other than the claims themselves (a claim call's one look for lapsed leases is a read).
      if (coll === 'outboxes' && /^(update|insert|bulk|delete|replace)/.test(method)) writes.push(method);
    });
    const d = startOutboxDeliverer(s.ctx, { sender: stealing, schedule: neverSchedule });
    try {
      expect(await d.runOnce()).toBe(4);
    } finally {
      conn.set('debug', false);
      await d.stop();
    }
    // The test's own takeover, then the deliverer's one write for the batch (no read per record).
    expect(writes).toEqual(['updateOne', 'updateMany']);
    for (const key of ['batch0', 'batch1', 'batch2']) expect(await stateOf(key)).toMatchObject({ state: 'sent', sentAt: new Date(clock), leaseUntil: null });
    expect(await stateOf('batch3')).toMatchObject({ state: 'sending', leaseOwner: 'other-process' });
  });

  // Catches: a loop that never runs, stops after one run, or keeps running after stop().
  it('runs at start and then every interval until stopped', async () => {
    const user = await userWithOpenid('o-loop', 2);
    const pending: Array<{ run: () => void; ms: number }> = [];
    const schedule = (run: () => void, ms: number) => {
      const entry = { run, ms };
      pending.push(entry);
      return { cancel: () => void (pending.includes(entry) && pending.splice(pending.indexOf(entry), 1)) };
    };
    const { sender, sent } = fakeSender({});
    const until = async (what: string, cond: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    const d = startOutboxDeliverer(s.ctx, { sender, intervalMs: 5000, schedule });
    expect(pending.map((p) => p.ms)).toEqual([0]);
    await outbox(s.ctx).enqueue([subscribe('first', user)]);
    pending.shift()!.run();
    await until('the first run to re-arm the timer', () => pending.length === 1);
    expect(sent).toHaveLength(1);
    expect(pending.map((p) => p.ms)).toEqual([5000]);
    await outbox(s.ctx).enqueue([subscribe('second', user)]);
    pending.shift()!.run();
    await until('the second run to re-arm the timer', () => pending.length === 1);
    expect(sent).toHaveLength(2);
    await d.stop();
    expect(pending).toEqual([]);
  });
});

describe('WeChat subscribe adapter', () => {
  const payload: SubscribePayload = { template: 'appeal_progress', page: 'pages/appeal-detail/index?id=9', data: { number: 'DX-20261126-0009', state: '已回复', note: '已修复' } };

  /** WeChat's two endpoints, answering from a script; records each call. */
  function fakeWechat(sendAnswers: Array<Record<string, unknown> | Error>) {
    const calls: Array<{ url: string; body: any }> = [];
    let tokens = 0;
    const fetch = async (url: string, init?: { body?: string }) => {
      const body = init?.body ? JSON.parse(init.body) : undefined;
      calls.push({ url, body });
      if (url.includes('/cgi-bin/stable_token')) {
        tokens++;
        return { ok: true, status: 200, json: async () => ({ access_token: `token-${tokens}`, expires_in: 7200 }) };
      }
      const answer = sendAnswers.shift() ?? { errcode: 0, errmsg: 'ok' };
      if (answer instanceof Error) throw answer;
      return { ok: true, status: 200, json: async () => answer };
    };
    return { fetch, calls, tokenCount: () => tokens };
  }

  // Catches: a wrong request to WeChat (endpoint, template, field keywords, token), a token
  // fetched for every message, a refusal (43101) retried, an expired token kept.
  it('maps fields to the template keywords, reuses the token, and classifies WeChat answers', async () => {
    const wx = fakeWechat([{ errcode: 0, errmsg: 'ok' }, { errcode: 43101, errmsg: 'user refuse to accept the msg' }, { errcode: 40001, errmsg: 'invalid credential' }, { errcode: 0 }, new Error('ECONNRESET')]);
    const sender = createWechatSubscribeSender({ appId: 'wx123', secret: 'sec', templateIds: { appeal_progress: 'TPL-1' }, fieldMaps: { appeal_progress: { note: 'thing7' } }, fetch: wx.fetch });
    expect(await sender.send('openid-1', payload)).toEqual({ ok: true });
    expect(wx.calls[0]).toEqual({ url: 'https://api.weixin.qq.com/cgi-bin/stable_token', body: { grant_type: 'client_credential', appid: 'wx123', secret: 'sec', force_refresh: false } });
    expect(wx.calls[1].url).toBe('https://api.weixin.qq.com/cgi-bin/message/subscribe/send?access_token=token-1');
    expect(wx.calls[1].body).toEqual({
      touser: 'openid-1',
      template_id: 'TPL-1',
      page: 'pages/appeal-detail/index?id=9',
      data: { character_string1: { value: 'DX-20261126-0009' }, phrase2: { value: '已回复' }, thing7: { value: '已修复' } },
      miniprogram_state: 'formal',
      lang: 'zh_CN',
    });
    expect(await sender.send('openid-2', payload)).toEqual({ ok: false, error: '用户拒绝接收或未订阅该消息（43101）', retryable: false });
    expect(wx.tokenCount()).toBe(1);
    expect(await sender.send('openid-3', payload)).toMatchObject({ ok: false, retryable: true });
    expect(await sender.send('openid-3', payload)).toEqual({ ok: true });
    expect(wx.tokenCount()).toBe(2); // the refused token was dropped
    expect(wx.calls.at(-1)!.url).toContain('access_token=token-2');
    expect(await sender.send('openid-4', payload)).toMatchObject({ ok: false, retryable: true });
  });

  // Catches: development without WeChat failing every notification, or production silently
  // sending nothing without a warning.
  it('without WeChat configured, a logging sender marks records sent with a note', async () => {
    const logger = createLogger('silent');
    expect(subscribeSenderFromEnv({ env: 'development' }, logger, {}).kind).toBe('logging');
    expect(subscribeSenderFromEnv({ env: 'production', wechat: { appId: 'wx', secret: 's' } }, logger, {}).kind).toBe('logging');
    expect(subscribeSenderFromEnv({ env: 'production', wechat: { appId: 'wx', secret: 's' }, subscribeTemplates: { appeal_progress: 'TPL' } }, logger, {}).kind).toBe('wechat');
    expect(await loggingSubscribeSender(logger).send('o', payload)).toEqual({ ok: true, note: '未配置微信订阅消息，仅记录未发送' });
    expect(parseFieldMap('number:character_string1, note:thing4')).toEqual({ number: 'character_string1', note: 'thing4' });
    expect(() => parseFieldMap('number')).toThrow();

    const user = await s.models.User.create({ name: '居民', roles: ['resident'] });
    await s.models.Identity.create({ key: identityKey.wechat('o-dev'), userId: user._id });
    await outbox(s.ctx).enqueue([subscribe('dev', String(user._id))]);
    const d = startOutboxDeliverer(s.ctx, { sender: loggingSubscribeSender(logger), schedule: () => ({ cancel() {} }) });
    expect(await d.runOnce()).toBe(1);
    await d.stop();
    expect(await s.models.Outbox.findOne({ dedupeKey: 'dev' }).lean()).toMatchObject({ state: 'sent', sentNote: '未配置微信订阅消息，仅记录未发送' });
  });
});

/**
 * The deadline scheduler (`appealDeadlines(ctx).run()`): 督办 once per step, auto-close after the
 * rating window, and the notification relay (timeline events → outbox records) with its sweep.
 * The server runs no background jobs: the test moves the clock and calls run() itself.
 */
import type { TestServer } from '../helpers/server';
import type { AppContext } from '../../server/context';
import type { AppealDoc } from '../../server/appeals/model';
import type { OutboxDoc } from '../../server/outbox/model';
import { appealDeadlines } from '../../server/appeals/scheduler';
import { OPEN_STATES } from '../../server/appeals/state-machine';
import {
  DAY,
  HOUR,
  MINUTE,
  TEST_BOT_TOKEN,
  appealDoc,
  demoIds,
  fileAppeal,
  move,
  newKey,
  relayed,
  startAppealsServer,
  type AppealsTestServer,
  type DemoIds,
  type TestClock,
} from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let clock: TestClock;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  env = await startAppealsServer();
  ({ server: s, clock } = env);
  ids = await demoIds(s);
  for (const u of ['dispatcher', 'dept_water']) tok[u] = await s.staffToken(u);
  for (const r of ['demo-resident-01', 'demo-resident-02']) tok[r] = await s.residentToken(r);
});
afterAll(async () => {
  await env?.stop();
});

const run = () => appealDeadlines(s.ctx).run();
/** The scheduler's own relay sweep, without the 督办 and close passes. */
const sweep = () => appealDeadlines(s.ctx).relay.sweep();

const eventsOf = (a: AppealDoc, action: string) => a.timeline.filter((e) => e.action === action);
const outboxOf = (appealId: string) => s.models.Outbox.find({ dedupeKey: { $regex: `^appeal:${appealId}:` } }).lean<OutboxDoc[]>();

/** An appeal that waits for a dispatcher (category without a unit): due at acceptBy, 2 h. */
const fileQueued = (regionCode = 'DX-01-02-01') => fileAppeal(s, tok['demo-resident-01'], { regionId: ids.region[regionCode], categoryId: ids.category.other });
/** Water: direct to 县水务局, then started and replied over HTTP. */
async function fileReplied(token = tok['demo-resident-01']) {
  const a = await fileAppeal(s, token, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'] });
  await move(s, tok.dept_water, a.id, 'start');
  await move(s, tok.dept_water, a.id, 'reply', { answer: '已安排维修人员上门处理，水压已恢复正常' });
  return a;
}

describe('督办 (overdue flag)', () => {
  it('flags an appeal past its accept deadline once, with a 督办 event that notifies the dispatchers', async () => {
    // Catches: flagging before the deadline, flagging on every run (a 督办 storm), or a flag nobody hears about.
    const a = await fileQueued();
    clock.advance(2 * HOUR - MINUTE);
    await run();
    expect((await appealDoc(s, a.id)).overdue).toBe(false);

    clock.advance(2 * MINUTE);
    const first = await run();
    expect(first.flagged).toBeGreaterThanOrEqual(1);
    const flagged = await appealDoc(s, a.id);
    expect(flagged.overdue).toBe(true);
    expect(flagged.overdueCount).toBe(1);
    const [ev] = eventsOf(flagged, 'overdue');
    expect(ev).toMatchObject({ byName: '系统', byId: null, note: '超过受理时限，请尽快受理' });

    clock.advance(HOUR);
    await run();
    const again = await appealDoc(s, a.id);
    expect(eventsOf(again, 'overdue')).toHaveLength(1);
    expect(again.overdueCount).toBe(1);

    // The dispatchers whose regions hold it (the county's and 城关镇's) get a subscribe message for it.
    await relayed(s, a.id);
    const recipients = (await outboxOf(a.id)).filter((o) => o.dedupeKey.includes(String(ev._id))).map((o) => o.recipient);
    expect(recipients.sort()).toEqual([await ids.user('dispatcher'), await ids.user('chengguan')].sort());
  });

  it('two schedulers running at once flag each appeal once', async () => {
    // Catches: the flag written without the `overdue: false` condition, so two server processes give two 督办.
    const appeals = [await fileQueued(), await fileQueued('DX-02-01-01'), await fileQueued('DX-01-03-01')];
    clock.advance(3 * HOUR);
    const now = clock.now();
    const due = await s.models.Appeal.countDocuments({ dueAt: { $lte: now }, overdue: false, state: { $in: [...OPEN_STATES] } });
    expect(due).toBeGreaterThanOrEqual(3);

    // Each scheduler holds its first write (the first flag) until both have read the late
    // appeals: both surely saw every appeal unflagged before either wrote.
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const held = (): AppContext => {
      const Appeal = s.models.Appeal;
      let first = true;
      const proxy = new Proxy(Appeal, {
        get(target, prop) {
          const v = Reflect.get(target, prop);
          if ((prop === 'updateOne' || prop === 'findOneAndUpdate') && typeof v === 'function') {
            return (...args: unknown[]) => {
              if (!first) return v.apply(target, args);
              first = false;
              if (++arrived === 2) release();
              return bothRead.then(() => v.apply(target, args));
            };
          }
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      // The scheduler reaches its collection through the connection's registered models.
      const conn = Object.create(s.ctx.conn, { models: { value: { ...s.ctx.conn.models, Appeal: proxy } } });
      return { ...s.ctx, conn };
    };
    const [r1, r2] = await Promise.all([appealDeadlines(held()).run(), appealDeadlines(held()).run()]);
    expect(arrived).toBe(2);
    expect(r1.flagged + r2.flagged).toBe(due);
    for (const a of appeals) {
      const doc = await appealDoc(s, a.id);
      expect(eventsOf(doc, 'overdue')).toHaveLength(1);
      expect(doc.overdueCount).toBe(1);
    }
  });

  it('a move that sets a new deadline clears the flag; the next step can be flagged again', async () => {
    // Catches: a flag that sticks after the work moved on, or one 督办 per appeal instead of per step.
    const a = await fileQueued();
    clock.advance(2 * HOUR + MINUTE);
    await run();
    expect((await appealDoc(s, a.id)).overdue).toBe(true);

    // Accepting keeps the same deadline (assignment is due by acceptBy too): still overdue.
    await move(s, tok.dispatcher, a.id, 'accept');
    expect((await appealDoc(s, a.id)).overdue).toBe(true);

    const assigned = await move(s, tok.dispatcher, a.id, 'assign', { departmentId: ids.department.water });
    expect(assigned.overdue).toBe(false);
    const doc = await appealDoc(s, a.id);
    expect(doc.overdue).toBe(false);
    expect(doc.dueAt?.toISOString()).toBe(doc.firstContactBy.toISOString());

    clock.set(new Date(doc.firstContactBy.getTime() + MINUTE));
    await run();
    const late = await appealDoc(s, a.id);
    expect(late.overdue).toBe(true);
    expect(late.overdueCount).toBe(2);
    expect(eventsOf(late, 'overdue').map((e) => e.note)).toEqual(['超过受理时限，请尽快受理', '超过首次联系时限，请尽快联系群众']);
  });
});

describe('auto-close after the rating window', () => {
  it('closes a replied appeal 7 days after the reply with a 办结 event; a rated or reopened one is left alone', async () => {
    // Catches: closing early, never closing, or closing (or adding events to) appeals the resident already rated or reopened.
    const waiting = await fileReplied();
    const rated = await fileReplied();
    const reopened = await fileReplied();
    const repliedAt = (await appealDoc(s, waiting.id)).repliedAt!;
    await move(s, tok['demo-resident-01'], rated.id, 'rate', { resolved: true, satisfaction: 'satisfied' });
    await move(s, tok['demo-resident-01'], reopened.id, 'reopen', { reason: '水压还是不够，请再处理' });

    clock.set(new Date(repliedAt.getTime() + 7 * DAY - MINUTE));
    await run();
    expect((await appealDoc(s, waiting.id)).state).toBe('replied');

    clock.advance(2 * MINUTE);
    const r = await run();
    expect(r.closed).toBeGreaterThanOrEqual(1);
    const closed = await appealDoc(s, waiting.id);
    expect(closed.state).toBe('closed');
    expect(closed.closedAt?.getTime()).toBe(clock.now().getTime());
    expect(closed.dueAt).toBeNull();
    const last = closed.timeline[closed.timeline.length - 1];
    expect(last).toMatchObject({ action: 'close', from: 'replied', to: 'closed', byName: '系统' });

    const ratedDoc = await appealDoc(s, rated.id);
    expect(ratedDoc.state).toBe('closed');
    expect(eventsOf(ratedDoc, 'close')).toHaveLength(0);
    expect(ratedDoc.rating?.satisfaction).toBe('satisfied');
    expect((await appealDoc(s, reopened.id)).state).toBe('in_progress');

    // A second run closes nothing twice.
    await run();
    expect(eventsOf(await appealDoc(s, waiting.id), 'close')).toHaveLength(1);
  });
});

describe('notification relay', () => {
  let groupAppeal: { id: string; number: string };
  let reporterId: string;
  const room = 'dongcheng-neighbours@chatroom';
  const contact = { id: 'wxid_demo_resident_01', name: '群里的王建国' };
  const answer = '水管已抢修完毕，东城社区三栋恢复供水';

  beforeAll(async () => {
    clock.advance(DAY);
    const res = await s.api('POST', '/api/v1/bot/appeals', {
      token: TEST_BOT_TOKEN,
      body: { idempotencyKey: newKey('grp'), channel: 'group_chat', roomId: room, contact, text: '#报事 三栋停水一天了，请尽快处理' },
    });
    expect(res.status).toBe(201);
    groupAppeal = res.body;
    await move(s, tok.dispatcher, groupAppeal.id, 'accept');
    await move(s, tok.dispatcher, groupAppeal.id, 'assign', { departmentId: ids.department.water });
    await move(s, tok.dept_water, groupAppeal.id, 'start');
    await move(s, tok.dept_water, groupAppeal.id, 'reply', { answer });
    reporterId = String((await relayed(s, groupAppeal.id)).reporterId);
  });

  it('a reply on a group-chat appeal makes one bot_room record for that room, @mentioning the reporter, without the private answer', async () => {
    // Catches: the group never told, told twice, told in another room, or without the @mention;
    // or a private appeal's answer quoted to the whole group.
    const rooms = (await outboxOf(groupAppeal.id)).filter((o) => o.channel === 'bot_room');
    expect(rooms).toHaveLength(1);
    expect(rooms[0].recipient).toBe(room);
    expect(rooms[0].payload.mentionContactIds).toEqual([contact.id]);
    expect(rooms[0].payload.text).not.toContain(answer);
    expect(rooms[0].payload.text).toContain('请在小程序「诉求」中查看');
    expect(rooms[0].payload.text).toContain(groupAppeal.number);
    expect(rooms[0].payload.text).toContain('县水务局');
  });

  it('the reporter gets a subscribe message for each step they hear about', async () => {
    // Catches: residents not told about the answer, or told about internal steps (acceptance and
    // dispatch), which would spend their one-time grant before anything was answered.
    const doc = await appealDoc(s, groupAppeal.id);
    const subs = (await outboxOf(groupAppeal.id)).filter((o) => o.channel === 'wechat_subscribe' && o.recipient === reporterId);
    const byEvent = new Map(doc.timeline.map((e) => [String(e._id), e.action]));
    const actions = subs.map((o) => byEvent.get(o.dedupeKey.split(':')[2])).sort();
    expect(actions).toEqual(['reply']);
    expect(subs.find((o) => byEvent.get(o.dedupeKey.split(':')[2]) === 'reply')!.payload).toMatchObject({ template: 'appeal_progress', data: { number: groupAppeal.number, state: '已答复' } });
  });

  it('running the relay and the sweep again creates no duplicates', async () => {
    // Catches: a sweep that re-enqueues relayed events (the group hears the answer twice).
    const before = (await outboxOf(groupAppeal.id)).length;
    const d = appealDeadlines(s.ctx);
    const doc = await appealDoc(s, groupAppeal.id);
    await d.relay.relay(doc._id);
    await d.relay.sweep();
    await sweep();
    expect((await outboxOf(groupAppeal.id)).length).toBe(before);
    // Every event relayed again (as after a crash before notifiedCount moved): still one of each.
    await s.models.Appeal.updateOne({ _id: groupAppeal.id }, { $set: { notifyPending: true, notifiedCount: 0 } });
    await sweep();
    expect((await outboxOf(groupAppeal.id)).length).toBe(before);
    expect((await outboxOf(groupAppeal.id)).filter((o) => o.channel === 'bot_room')).toHaveLength(1);
  });

  it('a crash between a move and its relay: the sweep enqueues the lost messages once', async () => {
    // Catches: notifications lost when the process dies after the move (no transactions), or sent twice after recovery.
    const a = await fileReplied(tok['demo-resident-02']);
    const done = await relayed(s, a.id);
    const all = await outboxOf(a.id);
    const replyEvent = done.timeline.find((e) => e.action === 'reply')!;
    const lost = all.filter((o) => o.dedupeKey.includes(String(replyEvent._id)));
    expect(lost.length).toBeGreaterThanOrEqual(1);

    // The reply was written, its messages never were: notifiedCount still before it.
    await s.models.Outbox.deleteMany({ _id: { $in: lost.map((o) => o._id) } });
    await s.models.Appeal.updateOne({ _id: a.id }, { $set: { notifyPending: true, notifiedCount: done.eventCount - 1 } });
    const swept = await sweep();
    expect(swept).toBeGreaterThanOrEqual(1);
    const after = await outboxOf(a.id);
    expect(after.map((o) => o.dedupeKey).sort()).toEqual(all.map((o) => o.dedupeKey).sort());
    const fixed = await appealDoc(s, a.id);
    expect(fixed.notifyPending).toBe(false);
    expect(fixed.notifiedCount).toBe(fixed.eventCount);

    // A crash after the enqueue but before notifiedCount moved: the sweep enqueues nothing twice.
    await s.models.Appeal.updateOne({ _id: a.id }, { $set: { notifyPending: true, notifiedCount: 0 } });
    await sweep();
    expect((await outboxOf(a.id)).length).toBe(all.length);
    expect((await appealDoc(s, a.id)).notifyPending).toBe(false);
  });
});

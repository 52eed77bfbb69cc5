/**
 * The daily digest (server/news/digest.ts) on a seeded server with the real embedded database and
 * a movable clock: nothing before DIGEST_TIME, one outbox record per bound room and day at or after
 * it, each room's own region's stories, none for a room without any, and nothing new from a second
 * run, a second "process" or a job started later that day. The server runs no background jobs.
 */
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../helpers/server';
import { publishArticle, type PublishOptions } from '../helpers/news';
import { testClock, MINUTE, HOUR } from '../helpers/appeals';
import { loadConfig, ConfigError } from '../../server/core/config';
import { digestDay, newsDigest, startDigestJob } from '../../server/news/digest';
import type { Schedule } from '../../server/core/periodic-job';
import type { OutboxDoc } from '../../server/outbox/model';
import { PRIORITY } from '../../server/outbox/schemas';

// The seed writes its history around this date; the digest days below are weeks later.
const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
const region: Record<string, string> = {};
const ROOM = { dongcheng: 'digest-dongcheng@chatroom', qingshi: 'digest-qingshi@chatroom', taoyuan: 'digest-taoyuan@chatroom' };

/** China time of a day in December 2026: `china(20, '18:00')`. */
const china = (day: number, hhmm: string) => new Date(`2026-12-${String(day).padStart(2, '0')}T${hhmm}:00+08:00`);

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  for (const code of ['DX-01', 'DX-01-01', 'DX-02-01', 'DX-02-03']) region[code] = await s.regionId(code);
  const { Room, Region } = s.models;
  const bind = async (roomId: string, code: string) => {
    const r = (await Region.findById(region[code]).lean())!;
    await Room.create({ roomId, topic: `${r.name}测试群`, regionId: r._id, regionPath: r.path, boundBy: new Types.ObjectId(), boundAt: clock.now() });
  };
  await bind(ROOM.dongcheng, 'DX-01-01');
  await bind(ROOM.qingshi, 'DX-02-01');
  await bind(ROOM.taoyuan, 'DX-02-03');
});
afterAll(async () => {
  await s?.stop();
});

async function publishAt(at: Date, opts: PublishOptions): Promise<string> {
  clock.set(at);
  return publishArticle(s, opts);
}
const records = (day: string) => s.models.Outbox.find({ ref: `digest:${day}` }).lean<OutboxDoc[]>();
const recordOf = async (day: string, roomId: string) => (await records(day)).find((r) => r.recipient === roomId);
const text = (r: OutboxDoc | undefined) => (r?.payload as { text: string } | undefined)?.text;

/** A hand-driven timer for startDigestJob: `tick()` runs the job once and waits for it. */
function handSchedule() {
  let next: (() => void) | null = null;
  let scheduled: (() => void) | null = null;
  const schedule: Schedule = (run) => {
    next = run;
    scheduled?.();
    return { cancel: () => void (next === run && (next = null)) };
  };
  async function tick() {
    const run = next;
    if (!run) throw new Error('nothing scheduled');
    next = null;
    const done = new Promise<void>((r) => (scheduled = r));
    run();
    await done;
  }
  return { schedule, tick };
}

describe('DIGEST_TIME', () => {
  it('defaults to 18:00 and refuses a time that is not HH:MM', () => {
    // Catches: a typo such as 1800 or 25:00 silently disabling the digest.
    expect(loadConfig({ HOST: '127.0.0.1' }).digestTime).toBe('18:00');
    expect(loadConfig({ HOST: '127.0.0.1', DIGEST_TIME: '07:30' }).digestTime).toBe('07:30');
    for (const bad of ['1800', '25:00', '7:30', '18:60']) expect(() => loadConfig({ HOST: '127.0.0.1', DIGEST_TIME: bad })).toThrow(ConfigError);
  });

  it('reads the day and the digest instant in China time', () => {
    // Catches: UTC days (a digest at 18:00 China is 10:00 UTC; 01:00 China is still the previous UTC day).
    expect(digestDay(new Date('2026-12-20T17:30:00Z'))).toEqual({ day: '20261221', at: new Date('2026-12-21T10:00:00Z') });
    expect(digestDay(new Date('2026-12-20T09:00:00Z'), '07:30')).toEqual({ day: '20261220', at: new Date('2026-12-19T23:30:00Z') });
  });
});

describe('the daily digest', () => {
  beforeAll(async () => {
    // The day's stories: none county-wide, so 桃源村 has nothing.
    await publishAt(china(20, '09:00'), { columnCode: 'livelihood', title: '东城社区开展冬季义诊', regionIds: [region['DX-01-01']] });
    await publishAt(china(20, '10:00'), { columnCode: 'local', title: '城关镇启动垃圾分类', regionIds: [region['DX-01']] });
    await publishAt(china(20, '11:00'), { columnCode: 'rural', title: '青石村修建文化广场', regionIds: [region['DX-02-01']] });
  });

  it('enqueues nothing before the time', async () => {
    // Catches: a digest sent at the first run of the day (or at midnight UTC) instead of at DIGEST_TIME.
    clock.set(china(20, '17:59'));
    expect(await newsDigest(s.ctx).run()).toEqual({ day: null, rooms: 0, enqueued: 0 });
    expect(await records('20261220')).toHaveLength(0);
  });

  it("sends each bound room its own region's stories once, newest first, and skips a room with none", async () => {
    // Catches: one message for every room whatever its region, an empty digest to a room with no news, the wrong priority or key.
    clock.set(china(20, '18:00'));
    const r = await newsDigest(s.ctx).run();
    expect(r.day).toBe('20261220');
    expect(r.enqueued).toBe(r.rooms);
    const east = await recordOf('20261220', ROOM.dongcheng);
    expect(east).toMatchObject({ channel: 'bot_room', dedupeKey: `digest:20261220:${ROOM.dongcheng}`, priority: PRIORITY.digest, state: 'pending' });
    expect(east?.payload).toEqual({ text: '【东溪今日要闻】\n1. 城关镇启动垃圾分类\n2. 东城社区开展冬季义诊\n在小程序「县融」首页阅读全文', mentionContactIds: [] });
    expect(text(await recordOf('20261220', ROOM.qingshi))).toBe('【东溪今日要闻】\n1. 青石村修建文化广场\n在小程序「县融」首页阅读全文');
    expect(await recordOf('20261220', ROOM.taoyuan)).toBeUndefined();
  });

  it('adds nothing on a second run, from a second process, or for a story published after the time', async () => {
    // Catches: a digest per minute after the time, or one per server process.
    const before = (await records('20261220')).length;
    await publishAt(china(20, '18:30'), { columnCode: 'local', title: '晚间发布的全县新闻' });
    clock.set(china(20, '18:31'));
    expect((await newsDigest(s.ctx).run()).enqueued).toBe(0);
    expect((await newsDigest(s.ctx).run()).enqueued).toBe(0);
    expect(await records('20261220')).toHaveLength(before);
    expect(await recordOf('20261220', ROOM.taoyuan)).toBeUndefined();
  });

  it('is sent once by a job started after the time on the same day, and only with that day’s window', async () => {
    // Catches: a server started at 21:00 skipping the day, sending it twice, or repeating yesterday's stories.
    await publishAt(china(21, '10:00'), { columnCode: 'local', title: '全县冬季供暖今日启动' });
    clock.set(china(21, '21:00'));
    const timer = handSchedule();
    const job = startDigestJob(s.ctx, { schedule: timer.schedule });
    try {
      await timer.tick();
      const day = await records('20261221');
      // Yesterday's 18:30 story is in this window (after yesterday's digest); yesterday's morning ones are not.
      expect(text(day.find((r) => r.recipient === ROOM.taoyuan))).toBe('【东溪今日要闻】\n1. 全县冬季供暖今日启动\n2. 晚间发布的全县新闻\n在小程序「县融」首页阅读全文');
      expect(text(day.find((r) => r.recipient === ROOM.qingshi))).toBe('【东溪今日要闻】\n1. 全县冬季供暖今日启动\n2. 晚间发布的全县新闻\n在小程序「县融」首页阅读全文');
      const n = day.length;
      clock.advance(MINUTE);
      await timer.tick();
      // A second process's job, started now.
      const other = handSchedule();
      const second = startDigestJob(s.ctx, { schedule: other.schedule });
      await other.tick();
      await second.stop();
      expect(await records('20261221')).toHaveLength(n);
    } finally {
      await job.stop();
    }
  });

  it('lists at most five stories, pinned and emergency ones first', async () => {
    // Catches: a digest listing every story of the day, or a pinned/emergency item lost below the cut.
    await publishAt(china(22, '08:00'), { columnCode: 'local', title: '置顶：全县防寒保暖提示', pinned: true });
    for (let i = 1; i <= 6; i++) await publishAt(new Date(china(22, '09:00').getTime() + i * HOUR), { columnCode: 'local', title: `第二十二日第${i}条新闻` });
    clock.set(china(22, '18:05'));
    await newsDigest(s.ctx).run();
    expect(text(await recordOf('20261222', ROOM.taoyuan))).toBe(
      ['【东溪今日要闻】', '1. 置顶：全县防寒保暖提示', '2. 第二十二日第6条新闻', '3. 第二十二日第5条新闻', '4. 第二十二日第4条新闻', '5. 第二十二日第3条新闻', '在小程序「县融」首页阅读全文'].join('\n'),
    );
  });
});

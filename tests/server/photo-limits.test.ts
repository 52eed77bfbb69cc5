/**
 * The limits on photo uploads (issue 14, "Photo uploads have no quota"): a daily quota per account,
 * a bounded decode queue, and the removal of photos never attached. On a fixed clock the test
 * moves (China time: the clock starts at 10:00 on 20 November 2026).
 */
import { photoService } from '../../server/photos/service';
import { photoStorage } from '../../server/photos/storage';
import { decodeHooks, decodeQueue } from '../../server/photos/images';
import { photoQuota, quotaOf } from '../../server/photos/quota';
import { MAX_CONCURRENT_DECODES, MAX_WAITING_DECODES, PHOTO_QUOTA } from '../../server/photos/limits';
import { runCleanup } from '../../server/maintenance/cleanup';
import type { AuthUser } from '../../server/core/route';
import { DAY, HOUR, demoIds, fileAppeal, jpeg, startAppealsServer, type AppealsTestServer } from '../helpers/appeals';
import { createDraft, newsStaff } from '../helpers/news';
import type { TestServer } from '../helpers/server';

let env: AppealsTestServer;
let s: TestServer;
beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
});
afterAll(() => env?.stop());
afterEach(() => {
  decodeHooks.inSlot = undefined;
});

async function upload(token: string, bytes?: Buffer) {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(bytes ?? (await jpeg()))], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(`${s.url}/api/v1/photos`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}
const meOf = async (token: string) => (await s.api('GET', '/api/v1/me', { token })).body as { id: string; roles: AuthUser['roles'] };
const asAuthUser = (me: { id: string; roles: AuthUser['roles'] }): AuthUser => ({ id: me.id, name: '', roles: me.roles, scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null });
const countToday = async (userId: string) => ((await s.models.RateWindow.findOne({ _id: { $regex: `^photos:count:${userId}\\|` } }).lean()) as { count: number } | null)?.count ?? 0;

/** Polls a condition until it holds, failing after a deadline (no fixed sleeps). */
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('daily upload quota', () => {
  it('a resident uploads 60 photos a China day; the 61st is 429 with Retry-After until midnight and a Chinese message; a retry of an upload is free; the next day starts again', async () => {
    // Catches: a resident uploading without end (the disk fills), a quota that resets at UTC
    // midnight (08:00 in China) or never, or retries on a weak network eating the quota.
    env.clock.set('2026-11-20T02:00:00Z');
    const token = await s.residentToken('demo-resident-03');
    const first = await jpeg();
    expect((await upload(token, first)).status).toBe(201);
    for (let batch = 0; batch < 58; batch += 5) {
      const n = Math.min(5, 58 - batch);
      const results = await Promise.all(Array.from({ length: n }, () => upload(token)));
      expect(results.map((r) => r.status)).toEqual(Array(n).fill(201));
    }
    // The same bytes again (the phone retried an upload whose answer was lost): no new photo, no charge.
    expect((await upload(token, first)).status).toBe(201);
    expect((await upload(token)).status).toBe(201); // the 60th
    const over = await upload(token);
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('60 张') });
    // 10:00 to midnight, China time.
    expect(over.retryAfter).toBe(String(14 * 3600));
    env.clock.set('2026-11-20T15:59:00Z');
    expect((await upload(token)).status).toBe(429);
    env.clock.set('2026-11-20T16:00:00Z'); // 00:00 on 21 November in China
    expect((await upload(token)).status).toBe(201);
  }, 120_000);

  it('counts bytes too: past 100 MB today the next upload is 429 naming the limit in MB', async () => {
    // Catches: a quota on the count only, which 5 MB files would turn into 300 MB a day per resident.
    env.clock.set('2026-11-22T02:00:00Z');
    const token = await s.residentToken('demo-resident-04');
    const user = asAuthUser(await meOf(token));
    await photoQuota(s.ctx).charge(user, PHOTO_QUOTA.resident.bytes - 100);
    const res = await upload(token);
    expect(res.status).toBe(429);
    expect(res.body.error.message).toContain('100MB');
    expect(Number(res.retryAfter)).toBeGreaterThan(0);
  });

  it('staff and the bot have larger quotas than residents', () => {
    // Catches: a grid worker photographing a day's work, or the bot for every group chat, refused at the residents' quota.
    expect(quotaOf({ roles: ['resident'] })).toEqual(PHOTO_QUOTA.resident);
    expect(quotaOf({ roles: ['grid_worker'] })).toEqual(PHOTO_QUOTA.staff);
    expect(quotaOf({ roles: ['bot'] })).toEqual(PHOTO_QUOTA.bot);
    expect(PHOTO_QUOTA.staff.photos).toBeGreaterThan(PHOTO_QUOTA.resident.photos);
    expect(PHOTO_QUOTA.bot.bytes).toBeGreaterThan(PHOTO_QUOTA.staff.bytes);
  });
});

describe('decode queue', () => {
  it(`decodes at most ${MAX_CONCURRENT_DECODES} at once with ${MAX_WAITING_DECODES} waiting; one more is 503 BUSY with Retry-After at once, not charged to the quota`, async () => {
    // Catches: unbounded decoding (a burst of uploads exhausting memory) or an unbounded queue
    // holding every connection and temp file, and a busy server eating residents' quota.
    env.clock.set('2026-11-23T02:00:00Z');
    const token = await s.residentToken('demo-resident-05');
    const me = await meOf(token);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    decodeHooks.inSlot = () => {
      entered++;
      return held;
    };
    const total = MAX_CONCURRENT_DECODES + MAX_WAITING_DECODES;
    const uploads = Array.from({ length: total }, () => upload(token));
    // Overlap proven: the queue is full with every upload in it at the same time, two of them in a slot.
    await until('the queue to fill', () => {
      const q = decodeQueue.state();
      return q.running === MAX_CONCURRENT_DECODES && q.waiting === MAX_WAITING_DECODES;
    });
    expect(entered).toBe(MAX_CONCURRENT_DECODES);
    const busy = await upload(token);
    expect(busy.status).toBe(503);
    expect(busy.retryAfter).toBe('5');
    expect(busy.body.error).toMatchObject({ code: 'BUSY', message: expect.stringContaining('繁忙') });
    expect(await countToday(me.id)).toBe(total);
    release();
    const results = await Promise.all(uploads);
    expect(results.map((r) => r.status)).toEqual(Array(total).fill(201));
    expect(entered).toBe(total);
    expect(decodeQueue.state()).toEqual({ running: 0, waiting: 0 });
    const tmp = await photoStorage(s.ctx.config.dataDir).removeStaleTemp(new Date(Date.now() + DAY));
    expect(tmp).toBe(0); // the refused upload left no temp file
  });
});

describe('orphan photos', () => {
  it('the cleanup job removes photos attached to nothing a day after their last upload or claim (record and files), and keeps every attached one', async () => {
    // Catches: photos never attached kept forever (three files each), or a cleanup that deletes a
    // photo an appeal, an answer or an article shows, or one about to be attached.
    env.clock.set('2026-11-26T02:00:00Z');
    await runCleanup(s.ctx); // the earlier tests' uploads, now days old
    const ids = await demoIds(s);
    const token = await s.residentToken('demo-resident-06');
    const me = await meOf(token);
    const news = await newsStaff(s);
    const up = async (t: string) => (await upload(t)).body.id as string;
    const orphan = await up(token);
    const inAppeal = await up(token);
    const reuploaded = await jpeg();
    const young = (await upload(token, reuploaded)).body.id as string;
    const claimed = await up(token);
    const cover = await up(news.editor);
    const inBody = await up(news.editor);
    await fileAppeal(s, token, { regionId: ids.region['DX-01-01-01'], photoIds: [inAppeal], isPublic: false });
    await createDraft(s, { columnCode: 'livelihood', title: '正文图片测试', coverPhotoId: cover, body: `<p>现场：</p><p><img src="/api/v1/photos/${inBody}"></p>` });

    env.clock.advance(23 * HOUR);
    expect((await upload(token, reuploaded)).status).toBe(201); // uploaded again: a day from now
    await photoService(s.ctx).requireOwned([claimed], me.id); // named by a filing that then failed

    env.clock.advance(2 * HOUR);
    expect((await runCleanup(s.ctx)).photoOrphans).toBe(1);
    const storage = photoStorage(s.ctx.config.dataDir);
    const files = (id: string) => Promise.all([storage.pathOf(id, 'original'), storage.pathOf(id, 'display'), storage.pathOf(id, 'thumb')].map(storage.exists));
    expect(await s.models.Photo.exists({ _id: orphan })).toBeNull();
    expect(await files(orphan)).toEqual([false, false, false]);
    expect((await fetch(`${s.url}/api/v1/photos/${orphan}`)).status).toBe(404);
    for (const id of [inAppeal, cover, inBody, young, claimed]) expect(await files(id)).toEqual([true, true, true]);
    const attached = await s.models.Photo.find({ _id: { $in: [inAppeal, cover, inBody] } }, { attached: 1 }).lean();
    expect(attached.map((p) => p.attached)).toEqual([true, true, true]);

    // A day after the re-upload and the claim, two processes at once: each removed once.
    env.clock.advance(DAY);
    const [a, b] = await Promise.all([runCleanup(s.ctx), runCleanup(s.ctx)]);
    expect(a.photoOrphans + b.photoOrphans).toBe(2);
    expect(await s.models.Photo.countDocuments({ _id: { $in: [young, claimed] } })).toBe(0);
    expect(await files(young)).toEqual([false, false, false]);
    expect(await s.models.Photo.countDocuments({ _id: { $in: [inAppeal, cover, inBody] } })).toBe(3);
    expect((await runCleanup(s.ctx)).photoOrphans).toBe(0);
  });
});

/**
 * News tips (爆料) over HTTP: a resident sends one (idempotent, limited), the newsroom reads the
 * queue and moves it (take, decline, reply through the outbox, used, draft), and nobody else
 * learns that a tip exists. One server for the suite with the real filing limits (scale 1):
 * each test uses residents of its own, so one test's budget never spends another's.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../helpers/server';
import { newKey, testClock, uploadPhoto, HOUR } from '../helpers/appeals';
import { ensureColumn } from '../helpers/news';

let s: TestServer;
let dataDir: string;
const clock = testClock('2026-11-20T02:00:00Z');
let editor: string;
let reviewer: string;

const send = (token: string, body: Record<string, unknown> = {}) =>
  s.api('POST', '/api/v1/tips', { token, body: { text: '河边的护栏断了一大段，晚上很危险', mayContact: true, mayCredit: false, idempotencyKey: newKey('tip'), ...body } });
const moveTip = (token: string, id: string, action: string, body: Record<string, unknown>) => s.api('POST', `/api/v1/tips/${id}/${action}`, { token, body });

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-tips-'));
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { dataDir, appealLimitScale: 1 } });
  editor = await s.staffToken('editor');
  reviewer = await s.staffToken('reviewer');
}, 180_000);
afterAll(async () => {
  await s?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('POST /api/v1/tips', () => {
  it('sends a tip with photos: 201, new, in the sender\'s own list', async () => {
    // Catches: the route not mounted, photos not kept, the tip not listed as the tipster's own.
    const me = await s.residentToken('tips-sender');
    const photo = await uploadPhoto(s, me);
    const res = await send(me, { photoIds: [photo], place: '东城社区河边', happenedAt: '2026-11-19T20:00:00+08:00' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'new', stateLabel: '待处理', photoIds: [photo], place: '东城社区河边', version: 0 });
    const mine = await s.api('GET', '/api/v1/tips?view=mine', { token: me });
    expect(mine.body.items.map((t: any) => t.id)).toEqual([res.body.id]);
  });

  it('a retry with the same key returns the first tip (200), never a second', async () => {
    // Catches: a dropped answer retried by the app filing the tip twice.
    const me = await s.residentToken('tips-retry');
    const key = newKey('tip');
    const first = await send(me, { idempotencyKey: key });
    const again = await send(me, { idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await s.api('GET', '/api/v1/tips?view=mine', { token: me })).body.items).toHaveLength(1);
    // The same key with another text is a 409, not the first tip passed off as this one.
    expect((await send(me, { idempotencyKey: key, text: '另一件事情：路灯不亮了' })).status).toBe(409);
  });

  it('refuses the 11th tip of an hour with 429 and Retry-After; a retry of an accepted key still answers', async () => {
    // Catches: tips without a per-account limit (a flood of the newsroom's queue), or a limit that refuses retries.
    const me = await s.residentToken('tips-flood');
    const key = newKey('tip');
    for (let i = 0; i < 10; i++) expect((await send(me, i === 0 ? { idempotencyKey: key } : {})).status).toBe(201);
    const over = await send(me);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.body.error.message).toMatch(/爆料太频繁/);
    expect((await send(me, { idempotencyKey: key })).status).toBe(200);
    // Another resident's budget is untouched.
    expect((await send(await s.residentToken('tips-flood-neighbour'))).status).toBe(201);
  });

  it('refuses bad input with 400 naming the field', async () => {
    // Catches: a short text, a tenth photo or a missing consent accepted (or refused without saying which field).
    const me = await s.residentToken('tips-invalid');
    const short = await send(me, { text: '太短' });
    expect(short.status).toBe(400);
    expect(JSON.stringify(short.body.error.details)).toContain('body.text');
    const missing = await s.api('POST', '/api/v1/tips', { token: me, body: { text: '河边的护栏断了一大段', mayCredit: true, idempotencyKey: newKey('tip') } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.error.details)).toContain('mayContact');
    const ten = await send(me, { photoIds: Array.from({ length: 10 }, () => 'a'.repeat(64)) });
    expect(ten.status).toBe(400);
    expect(JSON.stringify(ten.body.error.details)).toContain('body.photoIds');
    // A photo someone else uploaded cannot be attached by its id.
    const foreign = await uploadPhoto(s, await s.residentToken('tips-invalid-other'));
    const notMine = await send(me, { photoIds: [foreign] });
    expect(notMine.status).toBe(400);
    expect(JSON.stringify(notMine.body.error.details)).toContain('body.photoIds.0');
  });
});

describe('who sees a tip', () => {
  it('the newsroom sees it in the queue; another resident, a dispatcher and an appeal handler get 404', async () => {
    // Catches: a tip readable by anyone signed in, or a 403 that tells a stranger the tip exists.
    const me = await s.residentToken('tips-private');
    const tip = (await send(me)).body;
    const queue = await s.api('GET', '/api/v1/tips?view=queue&state=new', { token: editor });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((t: any) => t.id)).toContain(tip.id);
    expect((await s.api('GET', `/api/v1/tips/${tip.id}`, { token: reviewer })).status).toBe(200);
    for (const token of [await s.residentToken('tips-private-other'), await s.staffToken('dispatcher'), await s.staffToken('dept_water')]) {
      const res = await s.api('GET', `/api/v1/tips/${tip.id}`, { token });
      expect(res.status).toBe(404);
      expect((await s.api('GET', '/api/v1/tips?view=queue', { token })).status).toBe(403);
      expect((await s.api('GET', '/api/v1/tips?view=mine', { token })).body.items.map((t: any) => t.id)).not.toContain(tip.id);
    }
    // Never in an appeal list.
    const appeals = await s.api('GET', '/api/v1/appeals?view=mine', { token: me });
    expect(JSON.stringify(appeals.body)).not.toContain(tip.id);
  });

  it("shows the tipster's name and phone to the newsroom only when they agreed to be contacted", async () => {
    // Catches: the phone shown without consent, or shown to the wrong viewer.
    const openid = 'tips-phone';
    const me = await s.residentToken(openid);
    const meBody = (await s.api('GET', '/api/v1/me', { token: me })).body;
    await s.models.User.updateOne({ _id: new Types.ObjectId(meBody.id) }, { $set: { name: '王小明', phone: '13912345678' } });
    const open = (await send(me, { mayContact: true })).body;
    const closed = (await send(me, { mayContact: false })).body;
    const seenOpen = (await s.api('GET', `/api/v1/tips/${open.id}`, { token: editor })).body;
    expect(seenOpen).toMatchObject({ tipsterName: '王小明', tipsterPhone: '13912345678' });
    const seenClosed = (await s.api('GET', `/api/v1/tips/${closed.id}`, { token: editor })).body;
    expect(seenClosed.tipsterPhone).toBeNull();
    expect(seenClosed.tipsterName).toBe('匿名');
    expect(JSON.stringify(seenClosed)).not.toContain('13912345678');
    // The newsroom's read of personal data is audited.
    expect(await s.models.Audit.countDocuments({ action: 'tip.read_personal', targetId: open.id })).toBeGreaterThan(0);
  });

  it("photo originals: the newsroom reads them, another resident gets 404", async () => {
    // Catches: a tip photo's EXIF/GPS readable by anyone who learns its id, or the newsroom shut out.
    const me = await s.residentToken('tips-photo');
    const photo = await uploadPhoto(s, me);
    await send(me, { photoIds: [photo] });
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: editor })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: await s.residentToken('tips-photo-other') })).status).toBe(404);
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: await s.staffToken('dispatcher') })).status).toBe(404);
  });
});

describe('newsroom moves', () => {
  it('take, reply (an outbox message to the tipster), decline; a stale version is a 409', async () => {
    // Catches: moves that ignore the version (a silent overwrite), a reply that never reaches the tipster, moves from the wrong state.
    const me = await s.residentToken('tips-moves');
    const tip = (await send(me)).body;
    const taken = await moveTip(editor, tip.id, 'take', { version: 0 });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ state: 'taken', version: 1 });
    expect((await moveTip(reviewer, tip.id, 'take', { version: 0 })).body.error.code).toBe('STALE_VERSION');
    expect((await moveTip(reviewer, tip.id, 'take', { version: 1 })).body.error.code).toBe('INVALID_STATE');

    const replied = await moveTip(editor, tip.id, 'reply', { version: 1, text: '谢谢您的线索，记者明天去现场看看' });
    expect(replied.status).toBe(200);
    const meId = (await s.api('GET', '/api/v1/me', { token: me })).body.id;
    const messages = await s.models.Outbox.find({ ref: `tip:${tip.id}` }).lean<any[]>();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: 'wechat_subscribe', recipient: meId });
    expect(JSON.stringify(messages[0].payload)).toContain('记者明天去现场');

    // The tipster sees the reply, by the newsroom's role, not the editor's name.
    const mine = (await s.api('GET', `/api/v1/tips/${tip.id}`, { token: me })).body;
    const reply = mine.history.find((e: any) => e.action === 'reply');
    expect(reply).toMatchObject({ by: '编辑', note: '谢谢您的线索，记者明天去现场看看' });

    const declined = await moveTip(editor, tip.id, 'decline', { version: 2, reason: '已有同类报道' });
    expect(declined.body).toMatchObject({ state: 'declined', declineReason: '已有同类报道' });
    expect((await s.api('GET', '/api/v1/tips?view=queue&state=declined', { token: reviewer })).body.items.map((t: any) => t.id)).toContain(tip.id);
    expect(await s.models.Audit.countDocuments({ targetType: 'tip', targetId: tip.id, action: { $in: ['tip.take', 'tip.reply', 'tip.decline'] } })).toBe(3);
    // A resident cannot move a tip, even their own.
    expect((await moveTip(me, tip.id, 'take', { version: 3 })).status).toBe(403);
  });

  it('to draft: an article draft in the news feature that keeps tipId and credits the tipster who agreed', async () => {
    // Catches: a draft without the link back to the tip, a credit without consent, a second draft from one tip.
    const me = await s.residentToken('tips-draft');
    const tip = (await send(me, { mayCredit: true })).body;
    const column = await ensureColumn(s, 'livelihood');
    const drafted = await moveTip(editor, tip.id, 'draft', { version: 0, columnId: String(column._id), title: '河边护栏断裂' });
    expect(drafted.status).toBe(200);
    expect(drafted.body.state).toBe('taken');
    const article = await s.models.Article.findById(drafted.body.draftArticleId).lean<any>();
    expect(String(article.tipId)).toBe(tip.id);
    expect(article.state).toBe('draft');
    expect(article.bodyHtml).toContain('线索提供');
    // The newsroom's article view links back to the tip.
    expect((await s.api('GET', `/api/v1/articles/${drafted.body.draftArticleId}`, { token: editor })).body.tipId).toBe(tip.id);
    expect((await moveTip(editor, tip.id, 'draft', { version: 1, columnId: String(column._id) })).status).toBe(409);
    // Marked used with an article that exists; an unknown article is a 404.
    expect((await moveTip(editor, tip.id, 'use', { version: 1, articleId: new Types.ObjectId().toHexString() })).status).toBe(404);
    const used = await moveTip(editor, tip.id, 'use', { version: 1, articleId: drafted.body.draftArticleId });
    expect(used.body).toMatchObject({ state: 'used', articleId: drafted.body.draftArticleId });
  });

  it('the queue pages with a cursor, newest first', async () => {
    // Catches: a cursor that repeats or skips tips between pages.
    const me = await s.residentToken('tips-paging');
    clock.advance(HOUR);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send(me)).body.id);
    const first = await s.api('GET', '/api/v1/tips?view=mine&limit=2', { token: me });
    const second = await s.api('GET', `/api/v1/tips?view=mine&limit=2&cursor=${first.body.nextCursor}`, { token: me });
    expect([...first.body.items, ...second.body.items].map((t: any) => t.id)).toEqual(ids.reverse());
    expect(second.body.nextCursor).toBeNull();
  });
});

describe('GET /api/docs', () => {
  it('names the tips operations for client generators', async () => {
    // Catches: the tips routes missing from the API document (mounted outside the route table).
    const paths = (await s.api('GET', '/api/docs')).body.paths;
    expect(paths['/api/v1/tips/{id}/take'].post.operationId).toBe('postTipsByIdTake');
    expect(paths['/api/v1/tips/'].get.operationId).toBe('getTips');
  });
});

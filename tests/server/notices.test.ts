/**
 * Notices (server/notices): who writes them for which regions, publish and its fan-out to every
 * bound group chat in scope (one outbox record per room, idempotent, completed by the sweep after a
 * crash), the readers' list (emergency first, region scope, search), withdraw cancelling what no
 * bot has taken, and the deliveries per room as the bot reports them. On the real embedded
 * database with the seeded demo county, plus group chats of our own; the server's clock is ours.
 */
import { Types } from 'mongoose';
import { noticeFanOut } from '../../server/notices/fan-out';
import { sweepNoticeFanOut } from '../../server/notices/fan-out-sweep';
import { PRIORITY } from '../../server/outbox/schemas';
import type { NoticeDoc } from '../../server/notices/model';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';
import { clientKey } from '../helpers/news';

let s: TestServer;
let clock = Date.parse('2026-11-26T02:00:00.000Z');
const tick = (ms = 1000) => {
  clock += ms;
};
let editor: string;
let dongchengStaff: string;
let qingshiStaff: string;
const region: Record<string, string> = {};
let seq = 0;

/** Group chats of our own, bound in three communities, besides whatever the seed binds. */
const OWN_ROOMS = [
  { roomId: 'notices-test-dc@chatroom', topic: '东城社区测试群', code: 'DX-01-01' },
  { roomId: 'notices-test-xc@chatroom', topic: '西城社区测试群', code: 'DX-01-02' },
  { roomId: 'notices-test-yl@chatroom', topic: '杨柳村测试群', code: 'DX-02-02' },
];

beforeAll(async () => {
  // No background jobs: the fan-out sweep and the digest must not race what the tests do by hand.
  s = await startTestServer({ backgroundJobs: false, now: () => new Date(clock) });
  for (const code of ['DX', 'DX-01', 'DX-02', 'DX-01-01', 'DX-01-02', 'DX-02-01', 'DX-02-02', 'DX-01-01-01']) region[code] = await s.regionId(code);
  const { Region, Room } = s.models;
  for (const r of OWN_ROOMS) {
    const reg = await Region.findById(region[r.code]).lean();
    await Room.create({ roomId: r.roomId, topic: r.topic, regionId: reg!._id, regionPath: reg!.path, boundBy: new Types.ObjectId(), boundAt: new Date(clock) });
  }
  [editor, dongchengStaff, qingshiStaff] = await Promise.all([s.staffToken('editor'), s.staffToken('dongcheng'), s.staffToken('qingshi')]);
}, 600_000);
afterAll(() => s?.stop());

const api = (method: string, path: string, token?: string, body?: unknown) => s.api(method, `/api/v1${path}`, { token, body });

/** A unique title, so searches and lists can be narrowed to this test's notices. */
const title = (what: string) => `${what}测试通知${++seq}号`;

async function createNotice(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await api('POST', '/notices', token, { body: '请各位居民相互转告，注意安全。', idempotencyKey: clientKey(), ...body });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
async function publishNotice(token: string, body: Record<string, unknown>): Promise<string> {
  const id = await createNotice(token, body);
  tick();
  const res = await api('POST', `/notices/${id}/publish`, token);
  if (res.status !== 200) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}
const recordsOf = (id: string) => s.models.Outbox.find({ ref: `notice:${id}` }).lean();
/** Bound room ids under a region path (every room when null), as the database holds them now. */
async function roomsUnder(code: string | null): Promise<string[]> {
  const rooms = await s.models.Room.find().lean();
  if (!code) return rooms.map((r) => r.roomId).sort();
  const path = (await s.models.Region.findById(region[code]).lean())!.path;
  return rooms.filter((r) => r.regionPath.startsWith(path)).map((r) => r.roomId).sort();
}
const bot = (path: string, body: unknown) => s.api('POST', `/api/v1/bot/outbox${path}`, { token: TEST_BOT_TOKEN, body });

describe('publish and fan-out', () => {
  // Catches: a room outside the scope messaged, a room in scope missed, or two records for one room.
  it('creates exactly one delivery per bound room in scope, with the level heading and priority', async () => {
    const id = await publishNotice(editor, { title: title('城关镇停水'), level: 'important', regionIds: [region['DX-01']] });
    const records = await recordsOf(id);
    const inScope = await roomsUnder('DX-01');
    expect(inScope).toEqual(expect.arrayContaining(['notices-test-dc@chatroom', 'notices-test-xc@chatroom']));
    expect(records.map((r) => r.recipient).sort()).toEqual(inScope);
    expect(records.map((r) => r.recipient)).not.toContain('notices-test-yl@chatroom');
    const r0 = records[0]!;
    expect(r0).toMatchObject({ channel: 'bot_room', state: 'pending', priority: PRIORITY.important, dedupeKey: `notice:${id}:${r0.recipient}` });
    expect((r0.payload as { text: string }).text).toMatch(/^【重要通知】城关镇停水测试通知\d+号\n请各位居民相互转告，注意安全。\n——城关镇 /);
    const doc = await s.models.Notice.findById(id).lean();
    expect(doc).toMatchObject({ state: 'published', fanOutDone: true, pinned: false, regionNames: ['城关镇'] });
  });

  // Catches: a staff member's real name on a published notice, which every resident, visitor and
  // group member reads (the page is public and cached alike for all): the one appearance rule shows
  // the role they published in; only the writers' own view names them.
  it('residents and group chats read the publisher role, staff the name', async () => {
    const staffName = (await s.models.User.findOne({ roles: 'community_staff', regionIds: new Types.ObjectId(region['DX-01-01']) }).lean())!.name;
    const id = await publishNotice(dongchengStaff, { title: title('署名'), regionIds: [region['DX-01-01']] });
    const detail = await api('GET', `/notices/${id}`);
    expect(detail.body.publisherName).toBe('社区工作人员');
    expect(JSON.stringify(detail.body)).not.toContain(staffName);
    const texts = (await recordsOf(id)).map((r) => (r.payload as { text: string }).text);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(text).toMatch(/——东城社区 社区工作人员$/);
      expect(text).not.toContain(staffName);
    }
    expect((await api('GET', `/notices/manage/${id}`, dongchengStaff)).body.publisherName).toBe(staffName);
    const county = await publishNotice(editor, { title: title('编辑署名'), regionIds: [] });
    expect((await api('GET', `/notices/${county}`)).body.publisherName).toBe('编辑');
  });

  // Catches: a county-wide notice (no regions) that reaches nobody, or only some townships.
  it('a county-wide notice reaches every bound room, and its scope reads as the county', async () => {
    const id = await publishNotice(editor, { title: title('全县寒潮'), level: 'emergency', regionIds: [] });
    const records = await recordsOf(id);
    expect(records.map((r) => r.recipient).sort()).toEqual(await roomsUnder(null));
    expect(records.every((r) => r.priority === PRIORITY.emergency && (r.payload as { text: string }).text.startsWith('【紧急通知】'))).toBe(true);
    const detail = await api('GET', `/notices/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ regionNames: ['东溪县'], pinned: true, level: 'emergency', levelLabel: '紧急' });
  });

  // Catches: a retried publish or a second sweep enqueueing every room again.
  it('running the fan-out again adds nothing', async () => {
    const id = await publishNotice(editor, { title: title('重复推送'), regionIds: [region['DX-02']] });
    const before = await s.models.Outbox.countDocuments({ ref: `notice:${id}` });
    expect(before).toBe((await roomsUnder('DX-02')).length);
    const doc = (await s.models.Notice.findById(id).lean()) as NoticeDoc;
    expect(await noticeFanOut(s.ctx).run(doc)).toBe(0);
    expect(await s.models.Outbox.countDocuments({ ref: `notice:${id}` })).toBe(before);
  });

  // Catches: a publish that crashed after publishing but before enqueueing every room never completing.
  it('the sweep completes a fan-out a crashed publish left half done', async () => {
    const id = await publishNotice(editor, { title: title('补发'), regionIds: [] });
    const all = (await recordsOf(id)).map((r) => r.recipient).sort();
    // As if the process died mid fan-out: the flag still false and some rooms not enqueued.
    await s.models.Notice.updateOne({ _id: id }, { $set: { fanOutDone: false } });
    const gone = all.slice(0, 3);
    await s.models.Outbox.deleteMany({ ref: `notice:${id}`, recipient: { $in: gone } });
    expect(await s.models.Outbox.countDocuments({ ref: `notice:${id}` })).toBe(all.length - 3);

    await sweepNoticeFanOut(s.ctx);
    expect((await recordsOf(id)).map((r) => r.recipient).sort()).toEqual(all);
    expect((await s.models.Notice.findById(id).lean())!.fanOutDone).toBe(true);
    // Done: a second sweep does not pick it up again.
    const again = await sweepNoticeFanOut(s.ctx);
    expect(again.enqueued).toBe(0);
    expect(await s.models.Outbox.countDocuments({ ref: `notice:${id}` })).toBe(all.length);
  });

  // Catches: two publishes (a double tap) fanning out twice or rewriting publishedAt; edits after publishing.
  it('publishing twice is 409 and a published notice cannot be edited', async () => {
    const id = await publishNotice(editor, { title: title('两次发布'), regionIds: [region['DX-01-01']] });
    const first = await s.models.Notice.findById(id).lean();
    tick();
    const again = await api('POST', `/notices/${id}/publish`, editor);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await s.models.Notice.findById(id).lean())!.publishedAt).toEqual(first!.publishedAt);
    expect((await api('PATCH', `/notices/${id}`, editor, { title: '改过的标题内容', version: 0 })).status).toBe(409);
  });
});

describe('saving', () => {
  it('answers a retried save (same key) with the first draft', async () => {
    // Catches: a writer on a weak network who presses 保存 again getting two notices (and later two
    // sets of deliveries).
    const body = { title: title('重复保存'), body: '请各位居民相互转告，注意安全。', idempotencyKey: clientKey() };
    const first = await api('POST', '/notices', editor, body);
    const again = await api('POST', '/notices', editor, body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(await s.models.Notice.countDocuments({ idempotencyKey: body.idempotencyKey })).toBe(1);
  });
});

describe('who writes for which regions', () => {
  // Catches: community staff messaging other communities' groups or the whole county.
  it('community staff write for their own community only, and must name it', async () => {
    const other = await api('POST', '/notices', dongchengStaff, { idempotencyKey: clientKey(), title: title('越权'), body: '这是一条越权的通知内容', regionIds: [region['DX-01-02']] });
    expect(other.status).toBe(403);
    expect(other.body.error.details).toEqual([{ path: 'body.regionIds', message: expect.any(String) }]);
    const county = await api('POST', '/notices', dongchengStaff, { idempotencyKey: clientKey(), title: title('越权'), body: '这是一条越权的通知内容', regionIds: [region.DX] });
    expect(county.status).toBe(403);
    const none = await api('POST', '/notices', dongchengStaff, { idempotencyKey: clientKey(), title: title('无范围'), body: '这是一条没有范围的通知', regionIds: [] });
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].path).toBe('body.regionIds');
    // A grid is not a notice scope; an unknown region is named by its index.
    const grid = await api('POST', '/notices', editor, { idempotencyKey: clientKey(), title: title('网格'), body: '这是一条网格范围的通知', regionIds: [region['DX-01-01-01']] });
    expect(grid.status).toBe(400);
    expect(grid.body.error.details[0].path).toBe('body.regionIds.0');
    const unknown = await api('POST', '/notices', editor, { idempotencyKey: clientKey(), title: title('未知'), body: '这是一条未知范围的通知', regionIds: [String(new Types.ObjectId())] });
    expect(unknown.status).toBe(400);

    const own = await publishNotice(dongchengStaff, { title: title('东城'), regionIds: [region['DX-01-01']] });
    expect((await recordsOf(own)).map((r) => r.recipient).sort()).toEqual(await roomsUnder('DX-01-01'));
    // They cannot edit by PATCH into another community either.
    const draft = await createNotice(dongchengStaff, { title: title('东城草稿'), regionIds: [region['DX-01-01']] });
    expect((await api('PATCH', `/notices/${draft}`, dongchengStaff, { regionIds: [region['DX-02-01']], version: 0 })).status).toBe(403);
  });

  // Catches: community staff reading or withdrawing notices that are not theirs.
  it('community staff manage only their own notices; editors manage all', async () => {
    const editors = await publishNotice(editor, { title: title('编辑发布'), regionIds: [region['DX-01-01']] });
    const theirs = await createNotice(dongchengStaff, { title: title('社区草稿'), regionIds: [region['DX-01-01']] });
    expect((await api('GET', `/notices/manage/${editors}`, dongchengStaff)).status).toBe(403);
    expect((await api('GET', `/notices/${editors}/deliveries`, dongchengStaff)).status).toBe(403);
    expect((await api('POST', `/notices/${editors}/withdraw`, dongchengStaff, { reason: '误发' })).status).toBe(403);
    expect((await api('GET', `/notices/manage/${theirs}`, qingshiStaff)).status).toBe(403);

    const mine = await api('GET', '/notices/manage?limit=50', dongchengStaff);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((n: { id: string }) => n.id)).toContain(theirs);
    expect(mine.body.items.map((n: { id: string }) => n.id)).not.toContain(editors);
    const all = await api('GET', `/notices/manage?q=${encodeURIComponent('社区草稿')}`, editor);
    expect(all.body.items.map((n: { id: string }) => n.id)).toContain(theirs);
    const item = await api('GET', `/notices/manage/${theirs}`, editor);
    expect(item.body).toMatchObject({ state: 'draft', stateLabel: '草稿', regionIds: [region['DX-01-01']], deliveries: { pending: 0, sending: 0, sent: 0, failed: 0 } });
  });
});

describe('readers', () => {
  // Catches: an emergency buried under newer normal notices, or a page order that differs from the list's.
  it('lists emergency, then important, then normal, newest first within each; pages by cursor', async () => {
    const word = `排序${Date.now()}`;
    const normalOld = await publishNotice(editor, { title: title(`${word}旧`), level: 'normal' });
    const emergency = await publishNotice(editor, { title: title(`${word}急`), level: 'emergency' });
    const important = await publishNotice(editor, { title: title(`${word}要`), level: 'important' });
    const cached = await api('GET', '/notices?limit=50');
    const normalNew = await publishNotice(editor, { title: title(`${word}新`), level: 'normal' });
    const want = [emergency, important, normalNew, normalOld];

    // The plain list (cached): publishing after a read shows up at once.
    const list = await api('GET', '/notices?limit=50');
    expect(list.headers.get('etag')).not.toBe(cached.headers.get('etag'));
    expect(list.body.items.map((n: { id: string }) => n.id).filter((id: string) => want.includes(id))).toEqual(want);
    const first = list.body.items[0];
    expect(first.pinned).toBe(true);
    expect(first.level).toBe('emergency');

    // Search, two at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api('GET', `/notices?q=${encodeURIComponent(word)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(want);
    expect((await api('GET', '/notices?cursor=bm90LWEta2V5')).status).toBe(400);
  });

  // Catches: residents of one township reading the other's notices, or missing county-wide ones.
  it('a region sees its own, its township\'s and county-wide notices only', async () => {
    const word = `范围${Date.now()}`;
    const dongcheng = await publishNotice(editor, { title: title(`${word}东城`), regionIds: [region['DX-01-01']] });
    const chengguan = await publishNotice(editor, { title: title(`${word}城关`), regionIds: [region['DX-01']] });
    const qingshi = await publishNotice(editor, { title: title(`${word}青石`), regionIds: [region['DX-02']] });
    const county = await publishNotice(editor, { title: title(`${word}全县`), regionIds: [] });
    const draft = await createNotice(editor, { title: title(`${word}草稿`), regionIds: [] });
    const ids = async (code: string) => {
      const res = await api('GET', `/notices?regionId=${region[code]}&limit=50`);
      expect(res.status).toBe(200);
      return res.body.items.map((n: { id: string }) => n.id).filter((id: string) => [dongcheng, chengguan, qingshi, county, draft].includes(id)).sort();
    };
    expect(await ids('DX-01-01')).toEqual([dongcheng, chengguan, county].sort());
    // A grid reads its community's notices.
    expect(await ids('DX-01-01-01')).toEqual([dongcheng, chengguan, county].sort());
    expect(await ids('DX-01-02')).toEqual([chengguan, county].sort());
    expect(await ids('DX-02-01')).toEqual([qingshi, county].sort());
    expect((await api('GET', `/notices?regionId=${new Types.ObjectId()}`)).status).toBe(400);
    // Drafts are nobody's reading.
    expect((await api('GET', `/notices/${draft}`)).status).toBe(404);
  });
});

describe('deliveries', () => {
  beforeEach(async () => {
    // Only this test's records in the bot's queue, so a claim takes ours.
    await s.models.Outbox.deleteMany({ channel: 'bot_room' });
  });

  // Catches: a withdrawn notice still going out to groups no bot has reached, or cancelling a send in progress.
  it('withdraw cancels the pending deliveries, not the one a bot is sending', async () => {
    const id = await publishNotice(editor, { title: title('撤回'), regionIds: [region['DX-01']] });
    const claimed = await bot('/claim', { owner: 'w', limit: 1, leaseSeconds: 60 });
    expect(claimed.body.items).toHaveLength(1);
    const sending = claimed.body.items[0].id as string;

    const res = await api('POST', `/notices/${id}/withdraw`, editor, { reason: '信息有误' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'withdrawn', stateLabel: '已撤回', pinned: false });
    const records = await recordsOf(id);
    for (const r of records) {
      if (String(r._id) === sending) expect(r.state).toBe('sending');
      else expect(r).toMatchObject({ state: 'failed', lastError: '通知已撤回' });
    }
    expect((await bot(`/${sending}/complete`, { owner: 'w', ok: true })).body).toEqual({ state: 'sent' });
    // Nothing left for a bot, the notice is gone from the readers' list, and withdrawing again is 409.
    expect((await bot('/claim', { owner: 'w', limit: 5, leaseSeconds: 60 })).body.items).toEqual([]);
    expect((await api('GET', `/notices/${id}`)).status).toBe(404);
    expect((await api('POST', `/notices/${id}/withdraw`, editor, { reason: '再撤一次' })).status).toBe(409);
  });

  // Catches: a delivery view that does not follow what the bot reported (sent, failed with its reason).
  it('lists one row per bound room in scope with the state the bot reported', async () => {
    const id = await publishNotice(dongchengStaff, { title: title('投递'), regionIds: [region['DX-01-01']] });
    const rooms = await roomsUnder('DX-01-01');
    expect(rooms.length).toBeGreaterThanOrEqual(2);
    const claimed = (await bot('/claim', { owner: 'd', limit: 20, leaseSeconds: 60 })).body.items as { id: string; recipient: string }[];
    expect(claimed.map((c) => c.recipient).sort()).toEqual(rooms);
    tick(5000);
    await bot(`/${claimed[0]!.id}/complete`, { owner: 'd', ok: true });
    await bot(`/${claimed[1]!.id}/complete`, { owner: 'd', ok: false, error: '机器人已不在群中', retryable: false });

    const res = await api('GET', `/notices/${id}/deliveries`, dongchengStaff);
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { roomId: string }) => d.roomId).sort()).toEqual(rooms);
    expect(res.body.counts).toEqual({ pending: 0, sending: rooms.length - 2, sent: 1, failed: 1 });
    const row = (roomId: string) => res.body.items.find((d: { roomId: string }) => d.roomId === roomId);
    expect(row(claimed[0]!.recipient)).toMatchObject({ state: 'sent', stateLabel: '已发送', attempts: 1, lastError: null, sentAt: new Date(clock).toISOString(), regionName: '东城社区' });
    expect(row(claimed[1]!.recipient)).toMatchObject({ state: 'failed', lastError: '机器人已不在群中', sentAt: null });
    expect(row('notices-test-dc@chatroom').roomTopic).toBe('东城社区测试群');
    // The manage item counts the same.
    expect((await api('GET', `/notices/manage/${id}`, dongchengStaff)).body.deliveries).toEqual(res.body.counts);
  });

  // Catches: an emergency waiting behind a long queue of normal notices.
  it('an emergency published after a normal notice is claimed first', async () => {
    const normal = await publishNotice(editor, { title: title('普通'), level: 'normal', regionIds: [] });
    const urgent = await publishNotice(editor, { title: title('紧急'), level: 'emergency', regionIds: [] });
    const rooms = (await roomsUnder(null)).length;
    const claimed = (await bot('/claim', { owner: 'e', limit: 20, leaseSeconds: 60 })).body.items as { id: string }[];
    const ref = new Map((await s.models.Outbox.find({ _id: { $in: claimed.map((c) => c.id) } }).lean()).map((r) => [String(r._id), r.ref]));
    const order = claimed.map((c) => ref.get(c.id));
    expect(order.slice(0, rooms)).toEqual(Array(rooms).fill(`notice:${urgent}`));
    expect(order.slice(rooms)).toEqual(Array(Math.min(20, rooms * 2) - rooms).fill(`notice:${normal}`));
  });
});

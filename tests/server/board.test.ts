/**
 * The public board (公开诉求): GET /api/v1/board and /board/:id for anyone, signed in or not, and
 * POST /api/v1/appeals/:id/unpublish (撤下) by a dispatcher, over HTTP on the real embedded
 * database with the demo county seeded (its own public answered appeals are on the board too).
 */
import { LIVE_STALE_MS } from '../../server/measures/cells';
import sharp from 'sharp';
import type { TestServer } from '../helpers/server';
import { demoIds, fileAppeal, move, newKey, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  for (const u of ['admin', 'dispatcher', 'chengguan', 'dept_water', 'dept_urban']) tok[u] = await s.staffToken(u);
  for (const r of ['demo-resident-01', 'demo-resident-02']) tok[r] = await s.residentToken(r);
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const board = (q = '', token?: string, headers?: Record<string, string>) => s.api('GET', `/api/v1/board${q ? `?${q}` : ''}`, { token, headers });
const item = (id: string, token?: string) => s.api('GET', `/api/v1/board/${id}`, { token });
const unpublish = (id: string, body: unknown, token = tok.dispatcher) => s.api('POST', `/api/v1/appeals/${id}/unpublish`, { token, body });

/** Every id on the board (anonymous), following the cursor to the end. */
async function boardIds(q = ''): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res = await board([q, 'limit=50', cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&'));
    expect(res.status).toBe(200);
    out.push(...res.body.items.map((i: { id: string }) => i.id));
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('more than 50 pages');
}

/** Filed by resident 01 as water (directly dispatched to 县水务局), started and answered; rated when `rate`. */
async function answered(o: { isPublic: boolean; regionId?: string; description?: string; answer?: string; rate?: boolean; photoIds?: string[] }): Promise<any> {
  const a = await fileAppeal(s, tok['demo-resident-01'], {
    regionId: o.regionId ?? ids.region['DX-01-01'],
    categoryId: ids.category['water-supply'],
    isPublic: o.isPublic,
    description: o.description ?? '小区从早上开始停水了，请尽快处理',
    photoIds: o.photoIds ?? [],
  });
  expect(a.state).toBe('assigned');
  await move(s, tok.dept_water, a.id, 'start', {});
  const replied = await move(s, tok.dept_water, a.id, 'reply', { answer: o.answer ?? '已安排维修人员上门，供水已恢复' });
  if (!o.rate) return replied;
  const rated = await s.api('POST', `/api/v1/appeals/${a.id}/rate`, { token: tok['demo-resident-01'], body: { resolved: true, satisfaction: 'satisfied', comment: '很快就修好了' } });
  expect(rated.status).toBe(200);
  return rated.body;
}

/** A JPEG with EXIF GPS and a copyright mark, as a phone takes it. */
const phonePhoto = () =>
  sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 10, g: Math.floor(Math.random() * 255), b: 90 } } })
    .withExif({ IFD0: { Copyright: 'xr-board-evidence' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 10/1 0/1' } })
    .jpeg()
    .toBuffer();

async function uploadPhonePhoto(token: string): Promise<string> {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(await phonePhoto())], { type: 'image/jpeg' }), 'phone.jpg');
  const res = await fetch(`${s.url}/api/v1/photos`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('GET /api/v1/board (anyone)', () => {
  let publicReplied: any, publicClosed: any, privateReplied: any, rejected: any, waiting: any;
  beforeAll(async () => {
    publicReplied = await answered({ isPublic: true });
    publicClosed = await answered({ isPublic: true, rate: true });
    privateReplied = await answered({ isPublic: false });
    rejected = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-01-01'], categoryId: ids.category.other, isPublic: true, description: '想问问社区图书室几点开门' });
    await move(s, tok.dispatcher, rejected.id, 'reject', { reason: '咨询类问题，已电话答复' });
    waiting = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-01-01'], categoryId: ids.category.other, isPublic: true, description: '小区楼道灯不亮' });
  }, 60_000);

  it('lists only public answered appeals, to a visitor without signing in', async () => {
    // Catches: a board that shows private appeals, rejected ones or ones still waiting for an answer, or that needs a token.
    const all = new Set(await boardIds());
    expect(all.has(publicReplied.id)).toBe(true);
    expect(all.has(publicClosed.id)).toBe(true);
    for (const hidden of [privateReplied, rejected, waiting]) expect(all.has(hidden.id)).toBe(false);
    // The demo county's own answered public appeals are there: the board is not empty on first start.
    const states = await s.models.Appeal.find({ _id: { $in: [...all] } }, { isPublic: 1, state: 1 }).lean<{ isPublic: boolean; state: string }[]>();
    expect(states.length).toBe(all.size);
    expect(states.length).toBeGreaterThan(5);
    for (const a of states) {
      expect(a.isPublic).toBe(true);
      expect(['replied', 'closed']).toContain(a.state);
    }
  });

  it('shows the question, the answer, the unit, the dates and the rating', async () => {
    // Catches: a board row without what the issue asks for (unit, dates, rating) or a detail without the answer.
    const list = await board('limit=50');
    const row = list.body.items.find((i: any) => i.id === publicClosed.id);
    expect(row).toMatchObject({ departmentName: '县水务局', state: 'closed', stateLabel: '已办结', rating: { resolved: true, satisfaction: 'satisfied', satisfactionLabel: '满意' } });
    expect(row.answeredAt).toBe(publicClosed.answer.at);
    expect(row.submittedAt).toBe(publicClosed.submittedAt);
    expect(row.closedAt).not.toBeNull();
    const d = await item(publicClosed.id);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ description: '小区从早上开始停水了，请尽快处理', answer: { text: '已安排维修人员上门，供水已恢复', departmentName: '县水务局' }, rating: { comment: '很快就修好了' } });
    for (const hidden of [privateReplied, rejected, waiting]) expect((await item(hidden.id)).status).toBe(404);
  });

  it('pages by cursor: every item once, newest first', async () => {
    // Catches: a cursor that repeats or skips rows across pages, or a page size not kept.
    const whole = await boardIds();
    const paged: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const res = await board(`limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      paged.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(whole);
    expect([...whole].sort().reverse()).toEqual(whole);
    expect((await board('cursor=not-a-cursor')).status).toBe(400);
  });

  it('filters by category and by community (its grids included)', async () => {
    // Catches: filters ignored, or a community filter that misses appeals filed in its grids.
    const inQingshi = await answered({ isPublic: true, regionId: ids.region['DX-02-01'] });
    const water = await boardIds(`categoryId=${ids.category['water-supply']}`);
    expect(water).toEqual(expect.arrayContaining([publicReplied.id, inQingshi.id]));
    const cats = await s.models.Appeal.find({ _id: { $in: water } }, { categoryId: 1 }).lean<{ categoryId: unknown }[]>();
    expect(new Set(cats.map((c) => String(c.categoryId)))).toEqual(new Set([ids.category['water-supply']]));

    const dongcheng = await boardIds(`regionId=${ids.region['DX-01-01']}`);
    expect(dongcheng).toContain(publicReplied.id);
    expect(dongcheng).not.toContain(inQingshi.id);
    const community = await s.models.Region.findById(ids.region['DX-01-01']).lean<{ path: string }>();
    const paths = await s.models.Appeal.find({ _id: { $in: dongcheng } }, { regionPath: 1 }).lean<{ regionPath: string }[]>();
    for (const p of paths) expect(p.regionPath.startsWith(community!.path)).toBe(true);
    // A grid worker's 代报 in a grid of the community is the community's.
    const township = await boardIds(`regionId=${ids.region['DX-02']}&categoryId=${ids.category['water-supply']}`);
    expect(township).toContain(inQingshi.id);
    expect(township).not.toContain(publicReplied.id);
    expect((await board(`regionId=${'0'.repeat(24)}`)).status).toBe(400);
  }, 60_000);
});

describe('personal data on the board', () => {
  it('shows no phone, ID number, house number or full name anywhere, in the list or the detail', async () => {
    // Catches: a reporter's phone, ID or address (or their or the staff member's name) reaching
    // anyone on the internet through the text of the question, the answer or a field of the row.
    const reporter = await s.models.User.findById(await ids.user('demo-resident-01')).lean<{ name: string; phone: string | null }>();
    const staff = await s.models.User.findById(await ids.user('dept_water')).lean<{ name: string }>();
    expect(reporter!.name.length).toBeGreaterThanOrEqual(2);
    const a = await answered({
      isPublic: true,
      description: `我是${reporter!.name}，电话13812345678，身份证110101199003071234，家住3号楼2单元501，家里停水三天了`,
      answer: `${staff!.name}已电话联系${reporter!.name}（13812345678），3号楼2单元501已恢复供水`,
      rate: true,
    });
    const list = JSON.stringify((await board('limit=50')).body);
    const detail = JSON.stringify((await item(a.id)).body);
    expect(list).toContain(a.id);
    const secrets = ['13812345678', '110101199003071234', '3号楼', '2单元501', reporter!.name, staff!.name, ...(reporter!.phone ? [reporter!.phone] : [])];
    for (const secret of secrets) {
      expect(list).not.toContain(secret);
      expect(detail).not.toContain(secret);
    }
    // The masks are there instead (not the whole text dropped).
    const body = JSON.parse(detail);
    expect(body.description).toContain('138****5678');
    expect(body.description).toContain(`${[...reporter!.name][0]}*`);
    expect(body.reporterName).toBe(`${[...reporter!.name][0]}*`);
  }, 60_000);

  it('serves photos as display copies without EXIF, never the original', async () => {
    // Catches: the GPS of a resident's window, in the photo's EXIF, reaching the public board.
    const photoId = await uploadPhonePhoto(tok['demo-resident-01']);
    const a = await answered({ isPublic: true, photoIds: [photoId] });
    const d = await item(a.id);
    expect(d.body.photos).toHaveLength(1);
    const json = JSON.stringify(d.body);
    expect(json).not.toContain('/original');
    for (const url of [d.body.photos[0].url, d.body.photos[0].thumbUrl]) {
      const res = await fetch(s.url + url);
      expect(res.status).toBe(200);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta.exif).toBeUndefined();
    }
    // The test's photo does carry EXIF (the check above can fail): its original still has it, for its handlers.
    const original = await fetch(`${s.url}/api/v1/photos/${photoId}/original`, { headers: { authorization: `Bearer ${tok['demo-resident-01']}` } });
    expect(original.status).toBe(200);
    expect((await sharp(Buffer.from(await original.arrayBuffer())).metadata()).exif).toBeDefined();
  }, 60_000);
});

describe('POST /api/v1/appeals/:id/unpublish (撤下)', () => {
  it('takes an item off the board at once, even when the list was cached, with its reason on record', async () => {
    // Catches: an item left on the board (a cached page, a cached detail, a 304 to an old ETag)
    // after a dispatcher took it off; a removal without who, when and why.
    const a = await answered({ isPublic: true });
    const first = await board('limit=50');
    expect(first.body.items.map((i: { id: string }) => i.id)).toContain(a.id);
    const etag = first.headers.get('etag')!;
    expect((await board('limit=50', undefined, { 'if-none-match': etag })).status).toBe(304);
    expect((await item(a.id)).status).toBe(200);

    const before = await s.api('GET', `/api/v1/appeals/${a.id}`, { token: tok.dispatcher });
    expect(before.body.allowedActions).toContain('unpublish');
    const res = await unpublish(a.id, { reason: '内容涉及他人隐私', version: before.body.version });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ isPublic: false, boardRemoved: { reason: '内容涉及他人隐私' } });
    expect(res.body.allowedActions).not.toContain('unpublish');
    expect(res.body.timeline.at(-1)).toMatchObject({ action: 'unpublish', actionLabel: '撤下公开', note: '内容涉及他人隐私' });

    const after = await board('limit=50', undefined, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.body.items.map((i: { id: string }) => i.id)).not.toContain(a.id);
    expect((await item(a.id)).status).toBe(404);
    // Not on the signed-in public list either.
    const pub = await s.api('GET', '/api/v1/appeals?view=public&limit=50', { token: tok['demo-resident-02'] });
    expect(pub.body.items.map((i: { id: string }) => i.id)).not.toContain(a.id);

    // Staff see why; the audit log has it.
    const admin = await s.api('GET', `/api/v1/appeals/${a.id}`, { token: tok.admin });
    expect(admin.body.boardRemoved).toMatchObject({ reason: '内容涉及他人隐私', byName: expect.any(String) });
    const audit = await s.models.Audit.findOne({ action: 'appeal.unpublish', targetId: a.id }).lean<{ actorId: unknown; details: unknown }>();
    expect(String(audit?.actorId)).toBe(await ids.user('dispatcher'));
    expect(audit?.details).toEqual({ reason: '内容涉及他人隐私' });
    // Once off, again is a 409 naming why.
    const again = await unpublish(a.id, { reason: '重复操作', version: res.body.version });
    expect(again.status).toBe(409);
  }, 60_000);

  it('needs a dispatcher of the region (403), a reason (400) and the current version (409)', async () => {
    // Catches: a resident (or a dispatcher of another township) taking items off the board, a
    // removal without a reason, and a decision made on a stale page overwriting a newer state.
    const a = await answered({ isPublic: true, regionId: ids.region['DX-02-01'] });
    const { version } = (await s.api('GET', `/api/v1/appeals/${a.id}`, { token: tok.dispatcher })).body;
    expect((await unpublish(a.id, { reason: '不宜公开', version }, tok['demo-resident-02'])).status).toBe(403);
    expect((await unpublish(a.id, { reason: '不宜公开', version }, tok['demo-resident-01'])).status).toBe(403);
    // 城关镇's dispatcher: 青石村 is not theirs.
    expect((await unpublish(a.id, { reason: '不宜公开', version }, tok.chengguan)).status).toBe(403);
    const noReason = await unpublish(a.id, { version });
    expect(noReason.status).toBe(400);
    expect((await unpublish(a.id, { reason: ' 好 ', version })).status).toBe(400);
    expect((await unpublish(a.id, { reason: '长'.repeat(201), version })).status).toBe(400);
    const stale = await unpublish(a.id, { reason: '不宜公开', version: version - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'STALE_VERSION', details: [{ path: 'version', message: String(version) }] });
    expect((await item(a.id)).status).toBe(200);
    expect((await unpublish(a.id, { reason: '不宜公开', version })).status).toBe(200);
  }, 60_000);

  it('refuses an appeal that is not on the board (409) and answers 404 to an unknown one', async () => {
    // Catches: a 撤下 that marks a private or unanswered appeal, leaving a false record on its timeline.
    const open = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-01-01'], categoryId: ids.category.other, isPublic: true, idempotencyKey: newKey('board') });
    const { version } = (await s.api('GET', `/api/v1/appeals/${open.id}`, { token: tok.dispatcher })).body;
    const res = await unpublish(open.id, { reason: '不宜公开', version });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    expect((await unpublish('0'.repeat(24), { reason: '不宜公开', version: 1 })).status).toBe(404);
  });
});

describe('GET /api/v1/board/rates (anyone)', () => {
  const water = (body: any) => body.departments.items.find((u: { name: string }) => u.name === '县水务局');

  it("answers this month's rates of every township and unit, and a rating shows at once", async () => {
    // Catches: rates that need a sign-in, a table missing the townships or the units, and a cached
    // table that keeps the old satisfaction after a resident rated an answer (beyond the measures'
    // bound on today's figures, LIVE_STALE_MS).
    const before = await s.api('GET', '/api/v1/board/rates');
    expect(before.status).toBe(200);
    expect(before.body.townships).toMatchObject({ by: 'township', month: '2026-11' });
    expect(before.body.townships.items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['城关镇', '青石乡']));
    expect(Object.keys(water(before.body).rates).sort()).toEqual(['onTime', 'resolution', 'response', 'satisfaction']);

    await answered({ isPublic: true, rate: true });
    // The measures answer today's part at most LIVE_STALE_MS old (measures/cells.ts).
    env.clock.advance(LIVE_STALE_MS + 1000);
    const after = await s.api('GET', '/api/v1/board/rates');
    expect(water(after.body).rates.satisfaction.denominator).toBe(water(before.body).rates.satisfaction.denominator + 1);
    expect(JSON.stringify(after.body)).not.toMatch(/1[3-9]\d{9}/);
  }, 60_000);

  it('answers this month and the twelve closed months before it only, naming the field when refused', async () => {
    // Catches: a public read that computes any month asked (a cheap way to load the server), a
    // future month answered as an empty table, the oldest month the board offers (2025-11, twelve
    // closed months back from 2026-11) refused, and a refusal that does not say which field.
    const oldest = await s.api('GET', '/api/v1/board/rates?month=2025-11');
    expect(oldest.status).toBe(200);
    expect(oldest.body.townships).toMatchObject({ month: '2025-11', final: true });
    expect((await s.api('GET', '/api/v1/board/rates?month=2026-10')).body.departments).toMatchObject({ month: '2026-10', previousMonth: '2026-09' });
    for (const [month, words] of [['2025-10', /月份（month）2025-10 太早/], ['2026-12', /月份（month）2026-12 尚未到来/], ['11-2026', /月份/]] as const) {
      const res = await s.api('GET', `/api/v1/board/rates?month=${month}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(words);
      expect(res.body.error.details[0].path).toBe('query.month');
    }
  }, 60_000);
});

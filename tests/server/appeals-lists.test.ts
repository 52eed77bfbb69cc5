/**
 * GET /api/v1/appeals (views, scope, filters, overdue first, cursor paging), /:id (scope and
 * personal data), /counts and /similar, over HTTP on the real embedded database. The clock is the
 * test's: blocks run in order and only move it forward.
 */
import type { TestServer } from '../helpers/server';
import { appealDeadlines } from '../../server/appeals/scheduler';
import { HOUR, demoIds, fileAppeal, move, startAppealsServer, type AppealsTestServer, type DemoIds, type TestClock } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let clock: TestClock;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  env = await startAppealsServer();
  ({ server: s, clock } = env);
  ids = await demoIds(s);
  for (const u of ['admin', 'dispatcher', 'chengguan', 'xicheng', 'xicheng_grid1', 'dept_water', 'dept_urban']) tok[u] = await s.staffToken(u);
  for (const r of ['demo-resident-01', 'demo-resident-02', 'demo-resident-03']) tok[r] = await s.residentToken(r);
});
afterAll(async () => {
  await env?.stop();
});

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

async function list(token: string, q: Record<string, string | number | undefined> = {}) {
  return s.api('GET', `/api/v1/appeals?${qs(q)}`, { token });
}

/** Every item of a list, following the cursor to the end. */
async function listAll(token: string, q: Record<string, string | number | undefined> = {}): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await list(token, { limit: 50, ...q, cursor });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages');
}
const idsOf = (items: { id: string }[]) => items.map((i) => i.id);
/** The deadline scheduler, run by hand: the server runs no background jobs in this suite. */
const runScheduler = () => appealDeadlines(s.ctx).run();
async function resident(openid: string) {
  const u = await s.models.User.findById(await ids.user(openid)).lean<{ name: string; phone: string }>();
  return u!;
}

describe('scope of lists and details', () => {
  // A1: r1, grid DX-01-02-01, public, waits for a dispatcher. A2: r2, grid DX-01-02-02, private.
  // A3: r2, 东城社区, water (direct to 县水务局), public. A4: r2, 青石村, street lights (县城市管理局), private.
  // A5: r1, grid DX-01-02-01, water, anonymous, private.
  let A1: any, A2: any, A3: any, A4: any, A5: any;
  let all: string[];
  beforeAll(async () => {
    A1 = await fileAppeal(s, tok['demo-resident-01'], { regionId: ids.region['DX-01-02-01'], categoryId: ids.category.other, isPublic: true });
    A2 = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-01-02-02'], categoryId: ids.category.other, isPublic: false });
    A3 = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'], isPublic: true });
    A4 = await fileAppeal(s, tok['demo-resident-02'], { regionId: ids.region['DX-02-01'], categoryId: ids.category['street-lights'], isPublic: false });
    A5 = await fileAppeal(s, tok['demo-resident-01'], { regionId: ids.region['DX-01-02-01'], categoryId: ids.category['water-supply'], isPublic: false, isAnonymous: true });
    all = [A1.id, A2.id, A3.id, A4.id, A5.id];
    expect(A3.state).toBe('assigned');
    expect(A4.departmentName).toBe('县城市管理局');
  });

  /** Which of this block's appeals a caller's inbox (or another view) lists. */
  async function visible(token: string, view = 'inbox'): Promise<string[]> {
    const got = new Set(idsOf(await listAll(token, { view })));
    return all.filter((id) => got.has(id));
  }

  it('a resident sees only their own and followed appeals in view=mine, and 403 on view=inbox', async () => {
    // Catches: "mine" built from the region scope or the public flag instead of reporter/follower.
    expect(await visible(tok['demo-resident-01'], 'mine')).toEqual([A1.id, A5.id]);
    expect((await s.api('POST', `/api/v1/appeals/${A3.id}/follow`, { token: tok['demo-resident-01'], body: {} })).status).toBe(200);
    expect(await visible(tok['demo-resident-01'], 'mine')).toEqual([A1.id, A3.id, A5.id]);
    // Catches: a resident reading the staff inbox (everything in a region) by asking for it.
    const inbox = await list(tok['demo-resident-01'], { view: 'inbox' });
    expect(inbox.status).toBe(403);
    expect((await list(tok['demo-resident-01'], { view: 'queue' })).status).toBe(403);
  });

  it('the public view lists only public appeals, masks names (张*) and never carries a phone', async () => {
    // Catches: private appeals or reporters' names and phones leaking into the view anyone reads.
    const items = await listAll(tok['demo-resident-03'], { view: 'public' });
    const mine = items.filter((i) => all.includes(i.id));
    expect(idsOf(mine).sort()).toEqual([A1.id, A3.id].sort());
    const r1 = await resident('demo-resident-01');
    expect(mine.find((i) => i.id === A1.id).reporterName).toBe(`${[...r1.name][0]}*`);
    // Everyone else masked; the viewer's own appeals carry their own name (server/people/privacy.ts).
    const me = await resident('demo-resident-03');
    for (const i of items) expect(i.reporterName).toMatch(new RegExp(`^(.\\*|匿名|居民|${me.name})$`, 'u'));
    // A mobile number is 11 digits standing alone; record ids (24 hex digits, with random bytes)
    // are taken out first, since one may hold eleven digits in a row by chance.
    expect(JSON.stringify(items).replace(/\b[0-9a-f]{24}\b/g, '')).not.toMatch(/(?<!\d)1\d{10}(?!\d)/);
    // The detail of someone else's public appeal: masked, no phone.
    const d = await s.api('GET', `/api/v1/appeals/${A1.id}`, { token: tok['demo-resident-03'] });
    expect(d.status).toBe(200);
    expect(d.body.reporter).toEqual({ name: `${[...r1.name][0]}*`, phone: null, masked: true });
    expect(JSON.stringify(d.body)).not.toContain(r1.phone);
  });

  it('a grid worker sees their community, and who reported only in their own grid', async () => {
    // Catches: a grid worker scoped to one grid (the issue: they see their community's appeals),
    // to the township, or shown the reporters of the next grid.
    expect(await visible(tok.xicheng_grid1)).toEqual([A1.id, A2.id, A5.id]);
    const own = await s.api('GET', `/api/v1/appeals/${A1.id}`, { token: tok.xicheng_grid1 });
    const next = await s.api('GET', `/api/v1/appeals/${A2.id}`, { token: tok.xicheng_grid1 });
    expect([own.body.reporter.masked, next.status, next.body.reporter.masked]).toEqual([false, 200, true]);
  });

  it('community staff see their community', async () => {
    // Catches: community staff scoped to one grid, or to the township.
    expect(await visible(tok.xicheng)).toEqual([A1.id, A2.id, A5.id]);
  });

  it('the 城关镇 dispatcher sees 城关镇, not 青石乡', async () => {
    // Catches: a township dispatcher seeing the whole county.
    expect(await visible(tok.chengguan)).toEqual([A1.id, A2.id, A3.id, A5.id]);
  });

  it('department staff see only their department’s appeals', async () => {
    // Catches: department staff scoped by region, or by every department.
    expect(await visible(tok.dept_water)).toEqual([A3.id, A5.id]);
    expect(await visible(tok.dept_urban)).toEqual([A4.id]);
  });

  it('an admin sees all', async () => {
    // Catches: the admin's empty filter turned into "nothing" instead of "everything".
    expect(await visible(tok.admin)).toEqual(all);
  });

  it('a detail out of scope is 404, not 403', async () => {
    // Catches: a 403 that tells a prober the appeal exists, or a detail readable out of scope.
    for (const [who, id] of [
      [tok.xicheng_grid1, A4.id],
      [tok.dept_urban, A2.id],
      [tok.chengguan, A4.id],
      [tok['demo-resident-01'], A2.id],
      [tok.xicheng, A4.id],
    ]) {
      const res = await s.api('GET', `/api/v1/appeals/${id}`, { token: who });
      expect(res.status).toBe(404);
    }
  });

  it('the handling department sees name and phone, and the read is audited', async () => {
    // Catches: handlers without the phone they must call, or a personal-data read left unaudited (PIPL).
    const r2 = await resident('demo-resident-02');
    const waterId = await ids.user('dept_water');
    const before = await s.models.Audit.countDocuments({ actorId: waterId, action: 'appeal.read_personal', targetId: A3.id });
    const d = await s.api('GET', `/api/v1/appeals/${A3.id}`, { token: tok.dept_water });
    expect(d.status).toBe(200);
    expect(d.body.reporter).toEqual({ name: r2.name, phone: r2.phone, masked: false });
    expect(await s.models.Audit.countDocuments({ actorId: waterId, action: 'appeal.read_personal', targetType: 'appeal', targetId: A3.id })).toBe(before + 1);
  });

  it('community staff see a masked name and no phone, and nothing is audited', async () => {
    // Catches: community staff (who watch, not handle) reading reporters' phones.
    const r1 = await resident('demo-resident-01');
    const d = await s.api('GET', `/api/v1/appeals/${A1.id}`, { token: tok.xicheng });
    expect(d.status).toBe(200);
    expect(d.body.reporter).toEqual({ name: `${[...r1.name][0]}*`, phone: null, masked: true });
    const xichengId = await ids.user('xicheng');
    expect(await s.models.Audit.countDocuments({ actorId: xichengId, action: 'appeal.read_personal' })).toBe(0);
  });

  it('an anonymous appeal shows 匿名 to the department and the name to the dispatcher', async () => {
    // Catches: anonymity ignored for handlers, or hiding the reporter from the dispatcher who must call back.
    const r1 = await resident('demo-resident-01');
    const dept = await s.api('GET', `/api/v1/appeals/${A5.id}`, { token: tok.dept_water });
    expect(dept.status).toBe(200);
    expect(dept.body.reporter).toEqual({ name: '匿名', phone: null, masked: true });
    expect(dept.body.reporterName).toBe('匿名');
    const disp = await s.api('GET', `/api/v1/appeals/${A5.id}`, { token: tok.dispatcher });
    expect(disp.body.reporter).toEqual({ name: r1.name, phone: r1.phone, masked: false });
  });
});

describe('filters', () => {
  // F1: 东城 grid, other (submitted); F2: 西城 community, water (assigned to water);
  // F3: 青石村, water (assigned); F4: 西城 grid, other, then accepted by the dispatcher.
  let F: any[];
  beforeAll(async () => {
    clock.advance(HOUR);
    const r = tok['demo-resident-03'];
    F = [
      await fileAppeal(s, r, { regionId: ids.region['DX-01-01-01'], categoryId: ids.category.other }),
      await fileAppeal(s, r, { regionId: ids.region['DX-01-02'], categoryId: ids.category['water-supply'] }),
      await fileAppeal(s, r, { regionId: ids.region['DX-02-01'], categoryId: ids.category['water-supply'] }),
      await fileAppeal(s, r, { regionId: ids.region['DX-01-02-03'], categoryId: ids.category.other }),
    ];
    await move(s, tok.dispatcher, F[3].id, 'accept');
  });
  const ours = (items: any[]) => idsOf(items).filter((id) => F.some((f) => f.id === id));
  const fid = (...n: number[]) => n.map((i) => F[i].id);

  it('state takes a comma-separated list', async () => {
    // Catches: only the first state of the list applied, or the list taken as one state name.
    const items = await listAll(tok.dispatcher, { state: 'submitted,accepted' });
    expect(items.every((i) => ['submitted', 'accepted'].includes(i.state))).toBe(true);
    expect(ours(items).sort()).toEqual(fid(0, 3).sort());
    const one = await listAll(tok.dispatcher, { state: 'assigned' });
    expect(ours(one).sort()).toEqual(fid(1, 2).sort());
    expect((await list(tok.dispatcher, { state: 'submitted,bogus' })).status).toBe(400);
  });

  it('categoryId and departmentId', async () => {
    // Catches: a filter id compared as a string with stored ObjectIds (matching nothing) or ignored.
    const water = await listAll(tok.dispatcher, { categoryId: ids.category['water-supply'] });
    expect(water.every((i) => i.categoryId === ids.category['water-supply'])).toBe(true);
    expect(ours(water).sort()).toEqual(fid(1, 2).sort());
    const dept = await listAll(tok.dispatcher, { departmentId: ids.department.water });
    expect(dept.every((i) => i.departmentId === ids.department.water)).toBe(true);
    expect(ours(dept).sort()).toEqual(fid(1, 2).sort());
  });

  it('regionId of a township covers all its communities and grids', async () => {
    // Catches: the region filter as an exact match (a township would match nothing).
    const town = await listAll(tok.dispatcher, { regionId: ids.region['DX-01'] });
    expect(ours(town).sort()).toEqual(fid(0, 1, 3).sort());
    const community = await listAll(tok.dispatcher, { regionId: ids.region['DX-01-02'] });
    expect(ours(community).sort()).toEqual(fid(1, 3).sort());
    // The filter narrows the caller's scope, never widens it.
    const outside = await listAll(tok.chengguan, { regionId: ids.region['DX-02'] });
    expect(outside).toEqual([]);
  });

  it('overdue=true and overdue=false split the list by the 督办 flag', async () => {
    // Catches: the overdue filter ignored or inverted.
    clock.advance(3 * HOUR); // past the 2 h accept deadline of F1 and F4; F2 and F3 have 24 h to first contact
    await runScheduler();
    const late = await listAll(tok.dispatcher, { overdue: 'true' });
    expect(late.every((i) => i.overdue)).toBe(true);
    expect(ours(late).sort()).toEqual(fid(0, 3).sort());
    const onTime = await listAll(tok.dispatcher, { overdue: 'false' });
    expect(onTime.every((i) => !i.overdue)).toBe(true);
    expect(ours(onTime).sort()).toEqual(fid(1, 2).sort());
  });

  it('from/to are China calendar days, both ends included', async () => {
    // Catches: days cut at UTC midnight (8 hours off) or `to` excluding its own day.
    const at = async (iso: string) => {
      clock.set(iso);
      return (await fileAppeal(s, tok['demo-resident-03'], { regionId: ids.region['DX-01-03-01'], categoryId: ids.category.other })).id;
    };
    const dec5Late = await at('2026-12-05T15:30:00Z'); // 12-05 23:30 China
    const dec6Early = await at('2026-12-05T16:30:00Z'); // 12-06 00:30 China
    const dec6Late = await at('2026-12-06T15:59:00Z'); // 12-06 23:59 China
    const dec7Early = await at('2026-12-06T16:10:00Z'); // 12-07 00:10 China
    const pick = (items: any[]) => idsOf(items).filter((id) => [dec5Late, dec6Early, dec6Late, dec7Early].includes(id));
    expect(pick(await listAll(tok.dispatcher, { from: '2026-12-06', to: '2026-12-06' })).sort()).toEqual([dec6Early, dec6Late].sort());
    expect(pick(await listAll(tok.dispatcher, { from: '2026-12-06' })).sort()).toEqual([dec6Early, dec6Late, dec7Early].sort());
    expect(pick(await listAll(tok.dispatcher, { to: '2026-12-05' }))).toEqual([dec5Late]);
    expect((await list(tok.dispatcher, { from: '2026/12/06' })).status).toBe(400);
  });
});

describe('cursor paging, overdue first', () => {
  // 8 appeals (O) flagged overdue by the scheduler, then 17 newer ones (N), all in 南门社区 grid 2: overdue first
  // puts the oldest first, which newest-first alone never would.
  const O: string[] = [];
  const N: string[] = [];
  let expected: string[];
  const q = () => ({ regionId: ids.region['DX-01-03-02'] });
  beforeAll(async () => {
    clock.set('2026-12-08T02:00:00Z');
    for (let i = 0; i < 8; i++) O.push((await fileAppeal(s, tok['demo-resident-03'], { regionId: ids.region['DX-01-03-02'], categoryId: ids.category.other, description: `旧诉求第${i}条，等待受理` })).id);
    clock.advance(3 * HOUR); // past their 2 h accept deadline
    const run = await runScheduler();
    expect(run.flagged).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < 17; i++) N.push((await fileAppeal(s, tok['demo-resident-03'], { regionId: ids.region['DX-01-03-02'], categoryId: ids.category.other, description: `新诉求第${i}条，刚刚提交` })).id);
    // Overdue first, each part newest first.
    expected = [...[...O].reverse(), ...[...N].reverse()];
  });

  async function pages(limit: number): Promise<{ sizes: number[]; items: any[] }> {
    const sizes: number[] = [];
    const items: any[] = [];
    let cursor: string | undefined;
    for (;;) {
      const res = await list(tok.dispatcher, { ...q(), limit, cursor });
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      items.push(...res.body.items);
      if (!res.body.nextCursor) return { sizes, items };
      cursor = res.body.nextCursor;
      if (sizes.length > 10) throw new Error('paging does not end');
    }
  }

  it('limit 10 over 25 appeals gives each exactly once, overdue first, newest first within each part', async () => {
    // Catches: duplicates or gaps where a page crosses from the overdue part to the rest, or newest-first ignoring 督办.
    const { sizes, items } = await pages(10);
    expect(sizes).toEqual([10, 10, 5]);
    expect(idsOf(items)).toEqual(expected);
    expect(items.slice(0, 8).every((i) => i.overdue)).toBe(true);
    expect(items.slice(8).some((i) => i.overdue)).toBe(false);
  });

  // Catches: a page that ends exactly with the overdue part handing out the cursor of the rest's
  // start ({ part: 'rest', after: '' }) that the next request then refused with 400.
  it('a page that ends exactly with the overdue part continues with the rest', async () => {
    // Catches: a last overdue page that answers nextCursor null (the rest never shown) or repeats it.
    const { sizes, items } = await pages(8);
    expect(sizes).toEqual([8, 8, 8, 1]);
    expect(idsOf(items)).toEqual(expected);
  });

  it('a bad cursor is 400', async () => {
    // Catches: a garbled cursor crashing the query (500) or silently restarting at page one.
    expect((await list(tok.dispatcher, { ...q(), cursor: 'not-a-cursor' })).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ part: 'everything', after: 'x' })).toString('base64url');
    const res = await list(tok.dispatcher, { ...q(), cursor: forged });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('counts', () => {
  it('per state, queue and direct move with new appeals; overdue matches the overdue list', async () => {
    // Catches: badges counted in another scope than the lists, or queue/direct counted wrong.
    clock.advance(HOUR);
    const before = (await s.api('GET', '/api/v1/appeals/counts', { token: tok.dispatcher })).body;
    const r = tok['demo-resident-02'];
    await fileAppeal(s, r, { regionId: ids.region['DX-02-02'], categoryId: ids.category.other });
    const toAccept = await fileAppeal(s, r, { regionId: ids.region['DX-02-02'], categoryId: ids.category.other });
    await fileAppeal(s, r, { regionId: ids.region['DX-02-02'], categoryId: ids.category['power-supply'] });
    await move(s, tok.dispatcher, toAccept.id, 'accept');
    const res = await s.api('GET', '/api/v1/appeals/counts', { token: tok.dispatcher });
    expect(res.status).toBe(200);
    const after = res.body;
    expect(after.byState.submitted - before.byState.submitted).toBe(1);
    expect(after.byState.accepted - before.byState.accepted).toBe(1);
    expect(after.byState.assigned - before.byState.assigned).toBe(1);
    expect(after.queue - before.queue).toBe(2);
    expect(after.direct - before.direct).toBe(1);
    expect(after.queue).toBe(after.byState.submitted + after.byState.accepted);
    const overdueList = await listAll(tok.dispatcher, { view: 'overdue' });
    expect(after.overdue).toBe(overdueList.length);
    expect(after.overdue).toBeGreaterThan(0);
    // Each state's count is the length of that state's list.
    for (const state of ['submitted', 'accepted', 'assigned']) expect((await listAll(tok.dispatcher, { state })).length).toBe(after.byState[state]);
  });

  it('a township dispatcher counts only their township; a resident has no queues', async () => {
    // Catches: counts taken over the whole county for a township dispatcher.
    const county = (await s.api('GET', '/api/v1/appeals/counts', { token: tok.dispatcher })).body;
    const town = (await s.api('GET', '/api/v1/appeals/counts', { token: tok.chengguan })).body;
    expect((await listAll(tok.chengguan, { state: 'submitted' })).length).toBe(town.byState.submitted);
    expect(town.byState.submitted).toBeLessThan(county.byState.submitted);
    const res = (await s.api('GET', '/api/v1/appeals/counts', { token: tok['demo-resident-03'] })).body;
    expect(res.queue).toBe(0);
    expect(res.direct).toBe(0);
  });
});

describe('similar (同问 candidates)', () => {
  it('same category, same community, last 7 days, public; not other categories, places or older ones', async () => {
    // Catches: 同问 offering private appeals, other categories or communities, or last month's issues.
    const r = tok['demo-resident-02'];
    const cat = ids.category.sanitation;
    clock.set('2026-12-10T02:00:00Z');
    const old = await fileAppeal(s, r, { regionId: ids.region['DX-01-01-02'], categoryId: cat });
    clock.set('2026-12-16T02:00:00Z');
    const match = await fileAppeal(s, r, { regionId: ids.region['DX-01-01-02'], categoryId: cat });
    const matchCommunity = await fileAppeal(s, r, { regionId: ids.region['DX-01-01'], categoryId: cat });
    const priv = await fileAppeal(s, r, { regionId: ids.region['DX-01-01-02'], categoryId: cat, isPublic: false });
    const otherCat = await fileAppeal(s, r, { regionId: ids.region['DX-01-01-02'], categoryId: ids.category.noise });
    const otherPlace = await fileAppeal(s, r, { regionId: ids.region['DX-01-03-01'], categoryId: cat });
    clock.set('2026-12-18T02:00:00Z'); // `old` is 8 days old now, the rest 2
    const ask = (regionId: string) => s.api('GET', `/api/v1/appeals/similar?${qs({ categoryId: cat, regionId })}`, { token: tok['demo-resident-01'] });
    const res = await ask(ids.region['DX-01-01']);
    expect(res.status).toBe(200);
    const got = idsOf(res.body.items);
    expect(got.sort()).toEqual([match.id, matchCommunity.id].sort());
    for (const id of [old.id, priv.id, otherCat.id, otherPlace.id]) expect(got).not.toContain(id);
    // From another grid of the same community: the community's issues.
    expect(idsOf((await ask(ids.region['DX-01-01-03'])).body.items).sort()).toEqual([match.id, matchCommunity.id].sort());
    // Names masked for the resident who is offered them.
    for (const i of res.body.items) expect(i.reporterName).toMatch(/^.\*$/u);
  });
});

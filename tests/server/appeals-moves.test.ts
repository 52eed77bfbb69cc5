/**
 * Filing appeals and every move of the state machine, over HTTP on a seeded server with the real
 * embedded database: who may make each move, the 409 that names the state, atomic moves under
 * concurrency, idempotent filing, ticket numbers, deadlines and the rules of 催办, 重新办理, 合并,
 * 同问 and 复核. Lists, scope, the scheduler and the bot routes have their own suites.
 */
import { startTestServer, type TestServer } from '../helpers/server';
import { appealMoves } from '../../server/appeals/moves';
import { appealCreator } from '../../server/appeals/create';
import type { AuthUser } from '../../server/core/route';
import { userService } from '../../server/users/service';

const HOUR = 3600 * 1000;
let server: TestServer;
let clock = new Date('2026-11-26T02:00:00Z'); // 10:00 China time
let keySeq = 0;
const key = () => `test-key-${Date.now()}-${++keySeq}`;

const tokens: Record<string, string> = {};
const ids = { water: '', other: '', streetLights: '', urban: '', water_dept: '', power: '', xicheng: '', qingshi: '', xichengGrid1: '', xichengGrid2: '', township: '' };

beforeAll(async () => {
  server = await startTestServer({ now: () => clock, backgroundJobs: false });
  for (const u of ['dispatcher', 'chengguan', 'dept_water', 'dept_urban', 'dept_power', 'xicheng', 'xicheng_grid1', 'admin']) tokens[u] = await server.staffToken(u);
  tokens.resident = await server.residentToken('demo-resident-02');
  tokens.neighbour = await server.residentToken('demo-resident-08');
  const { Category, Department } = server.models;
  const cat = async (code: string) => String((await Category.findOne({ code }).lean())!._id);
  const dept = async (code: string) => String((await Department.findOne({ code }).lean())!._id);
  Object.assign(ids, {
    water: await cat('water-supply'),
    other: await cat('other'),
    streetLights: await cat('street-lights'),
    urban: await dept('urban'),
    water_dept: await dept('water'),
    power: await dept('power'),
    xicheng: await server.regionId('DX-01-02'),
    qingshi: await server.regionId('DX-02-01'),
    xichengGrid1: await server.regionId('DX-01-02-01'),
    xichengGrid2: await server.regionId('DX-01-02-02'),
    township: await server.regionId('DX-01'),
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** The caller as the auth middleware would resolve them, for calling the service directly. */
async function asUser(username: string): Promise<AuthUser> {
  const u = await server.models.User.findOne({ username }).lean();
  return userService(server.ctx).toAuthUser(u!);
}

function body(overrides: Record<string, unknown> = {}) {
  return { idempotencyKey: key(), kind: 'help', categoryId: ids.other, description: '小区门口的路灯坏了三天了', regionId: ids.xicheng, ...overrides };
}
async function file(overrides: Record<string, unknown> = {}, token = tokens.resident) {
  const res = await server.api('POST', '/api/v1/appeals', { token, body: body(overrides) });
  if (res.status !== 201) throw new Error(`file: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const move = (id: string, action: string, token: string, b: unknown = {}) => server.api('POST', `/api/v1/appeals/${id}/${action}`, { token, body: b });

describe('POST /api/v1/appeals', () => {
  it('dispatches by the catalogue at once when the category names a unit (直派), with the time it took', async () => {
    // Catches: direct dispatch not applied, or applied without the accept step on the timeline.
    const a = await file({ categoryId: ids.water, description: '西城社区三号楼停水一整天了' });
    expect(a.state).toBe('assigned');
    expect(a.directDispatch).toBe(true);
    expect(a.departmentName).toBe('县水务局');
    expect(a.number).toMatch(/^DX-20261126-\d{4}$/);
    expect(a.timeline.map((e: { action: string }) => e.action)).toEqual(['submit', 'accept', 'assign']);
    expect(a.dispatchSeconds).toBe(0);
    // Water within 24 h; first contact within 24 h; accept within 2 h (the demo catalogue).
    expect(a.deadlines.resolveBy).toBe(new Date(clock.getTime() + 24 * HOUR).toISOString());
    expect(a.dueAt).toBe(a.deadlines.firstContactBy);
    expect(a.channel).toBe('miniprogram');
  });

  it('leaves an appeal without a default unit for the dispatcher, with the accept deadline due', async () => {
    // Catches: every appeal treated as a direct dispatch, or the wrong deadline watched.
    const a = await file();
    expect(a.state).toBe('submitted');
    expect(a.directDispatch).toBe(false);
    expect(a.departmentId).toBeNull();
    expect(a.dueAt).toBe(new Date(clock.getTime() + 2 * HOUR).toISOString());
    expect(a.allowedActions).toEqual(['remind']);
  });

  it('answers a retry with the first appeal, also when the retries race; the key with another body is a 409', async () => {
    // Catches: a retried submission (weak network) filing a second appeal, or a key reused with
    // another text answered with the first appeal as if it were the new one.
    const b = body();
    const first = await server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: b });
    const again = await server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: b });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const changed = await server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: { ...b, description: '重发时内容不同，不能当作同一次提交' } });
    expect([changed.status, changed.body.error.code, changed.body.error.details[0].path]).toEqual([409, 'CONFLICT', 'body.idempotencyKey']);
    expect(await server.models.Appeal.countDocuments({ idempotencyKey: b.idempotencyKey })).toBe(1);

    const raced = body();
    const results = await Promise.all(Array.from({ length: 6 }, () => server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: raced })));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await server.models.Appeal.countDocuments({ idempotencyKey: raced.idempotencyKey })).toBe(1);
  });

  it('files one appeal when two retries both come to insert (the unique index decides)', async () => {
    // Catches: a filing that inserts without a unique (account, key) index behind it, filing twice
    // when retries overlap. Both retries are held right before their insert until both have come,
    // so they surely overlap.
    let arrived = 0;
    let release!: () => void;
    const bothLooked = new Promise<void>((r) => (release = r));
    const creator = appealCreator(server.ctx, {
      beforeInsert: async () => {
        if (++arrived === 2) release();
        await bothLooked;
      },
    });
    const resident = await server.models.User.findOne({ 'roles': 'resident' }).lean();
    const input = {
      idempotencyKey: key(),
      submittedById: resident!._id,
      submitter: { id: resident!._id, name: resident!.name, role: 'resident' as const },
      channel: 'miniprogram' as const,
      kind: 'help' as const,
      categoryId: ids.other,
      description: '两次重试同时到达',
      photoIds: [],
      photoOwnerId: String(resident!._id),
      regionId: ids.xicheng,
      place: null,
      isPublic: true,
      isAnonymous: false,
      reporterId: resident!._id,
      reporterName: resident!.name,
      reporterPhone: null,
    };
    const [x, y] = await Promise.all([creator.file(input), creator.file(input)]);
    expect(arrived).toBe(2);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    expect(String(x.appeal._id)).toBe(String(y.appeal._id));
    expect(await server.models.Appeal.countDocuments({ idempotencyKey: input.idempotencyKey })).toBe(1);
  });

  it('gives concurrent appeals distinct ticket numbers of the China-time day', async () => {
    // Catches: a read-then-write sequence handing one number to two appeals.
    const results = await Promise.all(Array.from({ length: 15 }, () => server.api('POST', '/api/v1/appeals', { token: tokens.neighbour, body: body() })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbers = results.map((r) => r.body.number as string);
    expect(new Set(numbers).size).toBe(15);
    // 23:30 UTC is already the next day in China.
    const late = clock;
    clock = new Date('2026-11-26T23:30:00Z');
    try {
      expect((await file()).number).toMatch(/^DX-20261127-0001$/);
    } finally {
      clock = late;
    }
  });

  it('finds an appeal by the number read out on the phone', async () => {
    // Catches: staff unable to find an appeal a caller names (merge by number, hotline follow-up).
    const a = await file({ isPublic: false });
    const found = await server.api('GET', `/api/v1/appeals?view=inbox&number=${a.number.toLowerCase()}`, { token: tokens.dispatcher });
    expect([found.status, found.body.items.map((i: { id: string }) => i.id)]).toEqual([200, [a.id]]);
    expect((await server.api('GET', '/api/v1/appeals?view=inbox&number=DX-1', { token: tokens.dispatcher })).status).toBe(400);
  });

  it('refuses bad input with the field named, and saves nothing', async () => {
    // Catches: unvalidated input reaching the database, or a half-saved appeal.
    const before = await server.models.Appeal.countDocuments();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'rumour' }, 'body.kind'],
      [{ description: '短' }, 'body.description'],
      [{ regionId: ids.township }, 'body.regionId'],
      [{ categoryId: '0123456789abcdef01234567' }, 'body.categoryId'],
      [{ photoIds: ['a'.repeat(64)] }, 'body.photoIds.0'],
      [{ extra: 1 }, 'body'],
      [{ reporter: { name: '张三', phone: null } }, 'body.reporter'],
    ];
    for (const [overrides, path] of cases) {
      const res = await server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: body(overrides) });
      expect([res.status, res.body.error.details?.[0]?.path ?? '']).toEqual([400, expect.stringContaining(path)]);
    }
    expect(await server.models.Appeal.countDocuments()).toBe(before);
  });

  it('lets a grid worker file for a resident in their grid only (代报), and a dispatcher take a call (代录) with the phone kept private', async () => {
    // Catches: staff filing outside their regions, or the caller's phone shown to the public.
    const grid = await server.api('POST', '/api/v1/appeals', { token: tokens.xicheng_grid1, body: body({ regionId: ids.xichengGrid1, channel: 'grid_worker', reporter: { name: '王大爷', phone: '13900001111' } }) });
    expect(grid.status).toBe(201);
    expect([grid.body.channel, grid.body.reporter.name, grid.body.reporter.phone]).toEqual(['grid_worker', '王大爷', '13900001111']);
    const outside = await server.api('POST', '/api/v1/appeals', { token: tokens.xicheng_grid1, body: body({ regionId: ids.xichengGrid2, channel: 'grid_worker', reporter: { name: '王大爷', phone: null } }) });
    expect(outside.status).toBe(403);
    const hotline = await server.api('POST', '/api/v1/appeals', { token: tokens.dispatcher, body: body({ channel: 'hotline', reporter: { name: '李女士', phone: '13900002222' } }) });
    expect(hotline.status).toBe(201);
    expect(hotline.body.channel).toBe('hotline');
    const seenByNeighbour = await server.api('GET', `/api/v1/appeals/${hotline.body.id}`, { token: tokens.neighbour });
    expect(seenByNeighbour.status).toBe(200);
    expect(seenByNeighbour.body.reporter).toEqual({ name: '李*', phone: null, masked: true });
    // A resident cannot claim a channel, and staff cannot file as a resident.
    expect((await server.api('POST', '/api/v1/appeals', { token: tokens.resident, body: body({ channel: 'hotline', reporter: { name: '李女士', phone: null } }) })).status).toBe(403);
    expect((await server.api('POST', '/api/v1/appeals', { token: tokens.dispatcher, body: body() })).status).toBe(403);
  });
});

describe('the moves', () => {
  it('takes an appeal from submission to a rated close, each step on the timeline', async () => {
    // Catches: a move that changes the state without its record, or deadlines not following the step.
    const a = await file({ categoryId: ids.other });
    let r = await move(a.id, 'accept', tokens.chengguan, { note: '已核实', categoryId: ids.streetLights });
    expect([r.status, r.body.state, r.body.categoryName]).toEqual([200, 'accepted', '路灯不亮']);
    r = await move(a.id, 'assign', tokens.chengguan, { departmentId: ids.urban });
    expect([r.status, r.body.state, r.body.departmentName]).toEqual([200, 'assigned', '县城市管理局']);
    expect(r.body.dueAt).toBe(r.body.deadlines.firstContactBy);
    r = await move(a.id, 'start', tokens.dept_urban, { note: '已电话联系居民' });
    expect([r.status, r.body.state]).toEqual([200, 'in_progress']);
    expect(r.body.dueAt).toBe(r.body.deadlines.resolveBy);
    r = await move(a.id, 'reply', tokens.dept_urban, { answer: '路灯已于今日下午修复，感谢反映。' });
    expect([r.status, r.body.state, r.body.answer.departmentName]).toEqual([200, 'replied', '县城市管理局']);
    const seen = await server.api('GET', `/api/v1/appeals/${a.id}`, { token: tokens.resident });
    expect(seen.body.allowedActions).toEqual(['rate', 'reopen']);
    r = await move(a.id, 'rate', tokens.resident, { resolved: true, satisfaction: 'satisfied', comment: '很快' });
    expect([r.status, r.body.state, r.body.rating.satisfactionLabel]).toEqual([200, 'closed', '满意']);
    expect(r.body.timeline.map((e: { action: string }) => e.action)).toEqual(['submit', 'accept', 'assign', 'start', 'reply', 'rate']);
    expect(r.body.dueAt).toBeNull();
    const doc = await server.models.Appeal.findById(a.id).lean();
    expect(doc!.firstContactAt).not.toBeNull();
    expect(doc!.eventCount).toBe(6);
  });

  it('gives one acceptance and one 409 naming the state when two dispatchers press 受理 at once', async () => {
    // Catches: a read-check-write move letting both presses through (two accept events). Both
    // moves are held after reading the appeal until both have read it, so they surely overlap.
    const a = await file();
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const moves = appealMoves(server.ctx, () => {}, {
      afterRead: async () => {
        if (++arrived === 2) release();
        await bothRead;
      },
    });
    const results = await Promise.allSettled([moves.accept(await asUser('dispatcher'), a.id, {}), moves.accept(await asUser('chengguan'), a.id, {})]);
    expect(arrived).toBe(2);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
    expect([refused.status, refused.code, refused.message]).toEqual([409, 'INVALID_STATE', '诉求当前状态为「已受理」，不能受理']);
    const doc = await server.models.Appeal.findById(a.id).lean();
    expect(doc!.timeline.filter((e) => e.action === 'accept')).toHaveLength(1);
    // Over HTTP the loser gets the same 409.
    const late = await move(a.id, 'accept', tokens.dispatcher);
    expect([late.status, late.body.error.message]).toEqual([409, '诉求当前状态为「已受理」，不能受理']);
  });

  it('refuses a move the state does not allow with 409 naming the current state', async () => {
    // Catches: the state table not consulted (a reply before the work started).
    const a = await file({ categoryId: ids.water });
    const r = await move(a.id, 'reply', tokens.dept_water, { answer: '已经处理完毕了' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe('诉求当前状态为「已派单」，不能答复');
  });

  it('lets only the roles and scopes of the rule book move an appeal', async () => {
    // Catches: a department answering another's appeal, a township dispatcher reaching another
    // township, a resident using a staff move.
    const a = await file({ categoryId: ids.water });
    // A public appeal may be read by anyone, so the refusal is 403; a private one is not there (404).
    expect((await move(a.id, 'start', tokens.dept_urban)).status).toBe(403);
    const hidden = await file({ categoryId: ids.water, isPublic: false });
    expect((await move(hidden.id, 'start', tokens.dept_urban)).status).toBe(404);
    const far = await file({ regionId: ids.qingshi, isPublic: false });
    expect((await move(far.id, 'accept', tokens.chengguan)).status).toBe(404);
    expect((await move(far.id, 'accept', tokens.resident)).status).toBe(403);
    expect((await move(far.id, 'accept', tokens.xicheng)).status).toBe(403);
    // The community's staff watch but do not handle: they read it, without the phone.
    const watched = await server.api('GET', `/api/v1/appeals/${a.id}`, { token: tokens.xicheng });
    expect([watched.status, watched.body.reporter.masked, watched.body.allowedActions]).toEqual([200, true, []]);
    // The county dispatcher may; a neighbour cannot rate someone else's appeal.
    expect((await move(far.id, 'accept', tokens.dispatcher)).status).toBe(200);
    expect((await move(a.id, 'rate', tokens.neighbour, { resolved: true, satisfaction: 'satisfied' })).status).toBe(403);
  });

  it('returns to the dispatcher, transfers to another unit, and refuses a transfer to the same one', async () => {
    // Catches: a return that keeps the department, a transfer that does not change it.
    const a = await file({ categoryId: ids.water, isPublic: false });
    let r = await move(a.id, 'return', tokens.dept_water, { reason: '不属于本部门职责' });
    expect([r.status, r.body.state, r.body.departmentId]).toEqual([200, 'accepted', null]);
    expect(r.body.timeline.at(-1).note).toBe('不属于本部门职责');
    r = await move(a.id, 'assign', tokens.dispatcher, { departmentId: ids.power });
    expect(r.body.departmentName).toBe('县供电公司');
    r = await move(a.id, 'transfer', tokens.dispatcher, { departmentId: ids.power, reason: '再次确认' });
    expect(r.status).toBe(400);
    r = await move(a.id, 'transfer', tokens.dispatcher, { departmentId: ids.water_dept, reason: '确属供水问题' });
    expect([r.status, r.body.state, r.body.departmentName]).toEqual([200, 'assigned', '县水务局']);
    // The former unit no longer sees it.
    expect((await server.api('GET', `/api/v1/appeals/${a.id}`, { token: tokens.dept_power })).status).toBe(404);
  });

  it('rejects with a reason only', async () => {
    // Catches: a rejection without the reason the resident is owed.
    const a = await file();
    expect((await move(a.id, 'reject', tokens.dispatcher, {})).status).toBe(400);
    const r = await move(a.id, 'reject', tokens.dispatcher, { reason: '不属于政务服务范围' });
    expect([r.status, r.body.state, r.body.dueAt]).toEqual([200, 'rejected', null]);
  });

  it('allows one 催办 a day (429 with Retry-After until China midnight), from the reporter only', async () => {
    // Catches: unlimited reminders, or a reminder counted by UTC day instead of China's.
    const a = await file();
    expect((await move(a.id, 'remind', tokens.resident)).status).toBe(200);
    const again = await move(a.id, 'remind', tokens.resident);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBe(14 * 3600); // 10:00 → 24:00 China time
    expect((await move(a.id, 'remind', tokens.neighbour)).status).toBe(403);
    const saved = clock;
    clock = new Date(clock.getTime() + 14 * HOUR);
    try {
      expect((await move(a.id, 'remind', tokens.resident)).status).toBe(200);
    } finally {
      clock = saved;
    }
    const doc = await server.models.Appeal.findById(a.id).lean();
    expect(doc!.timeline.filter((e) => e.action === 'remind')).toHaveLength(2);
  });

  it('reopens within 7 days of the reply and not after', async () => {
    // Catches: reopening a long-closed appeal, or a reopened one keeping its old rating.
    const replied = async () => {
      const a = await file({ categoryId: ids.water });
      await move(a.id, 'start', tokens.dept_water);
      await move(a.id, 'reply', tokens.dept_water, { answer: '已恢复供水，请查看。' });
      return a;
    };
    const saved = clock;
    try {
      const a = await replied();
      await move(a.id, 'rate', tokens.resident, { resolved: false, satisfaction: 'unsatisfied', comment: '还是没水' });
      clock = new Date(saved.getTime() + 6 * 24 * HOUR);
      const r = await move(a.id, 'reopen', tokens.resident, { reason: '仍然停水' });
      expect([r.status, r.body.state, r.body.rating]).toEqual([200, 'in_progress', null]);
      expect(r.body.dueAt).toBe(new Date(clock.getTime() + 24 * HOUR).toISOString());

      clock = saved;
      const b = await replied();
      clock = new Date(saved.getTime() + 8 * 24 * HOUR);
      const late = await move(b.id, 'reopen', tokens.resident, { reason: '仍然停水' });
      expect([late.status, late.body.error.message]).toEqual([409, '已超过答复后7天，不能重新办理']);
    } finally {
      clock = saved;
    }
  });

  it('merges a duplicate into another appeal, whose reporters then follow it', async () => {
    // Catches: a merge that loses the merged appeal's reporter, or merges into itself.
    const target = await file({ description: '南门路口井盖丢失很危险' });
    const dup = await file({ description: '南门路口井盖没了，晚上看不见' }, tokens.neighbour);
    expect((await move(dup.id, 'merge', tokens.dispatcher, { intoId: dup.id })).status).toBe(400);
    const r = await move(dup.id, 'merge', tokens.dispatcher, { intoId: target.id });
    expect([r.status, r.body.state, r.body.duplicateOf]).toEqual([200, 'merged', { id: target.id, number: target.number }]);
    const t = await server.api('GET', `/api/v1/appeals/${target.id}`, { token: tokens.neighbour });
    expect([t.status, t.body.followersCount, t.body.mine, t.body.timeline.at(-1).action]).toEqual([200, 1, true, 'merged_in']);
  });

  it('joins a public appeal once with 同问', async () => {
    // Catches: a second press counted twice, or a resident following their own appeal.
    const a = await file();
    expect((await move(a.id, 'follow', tokens.resident)).status).toBe(400);
    const first = await move(a.id, 'follow', tokens.neighbour);
    const second = await move(a.id, 'follow', tokens.neighbour);
    expect([first.status, first.body.followersCount, second.status, second.body.followersCount]).toEqual([200, 1, 200, 1]);
    const mine = await server.api('GET', '/api/v1/appeals?view=mine&limit=50', { token: tokens.neighbour });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(a.id);
    const priv = await file({ isPublic: false });
    expect((await move(priv.id, 'follow', tokens.neighbour)).status).toBe(404);
  });

  it('lets a dispatcher review a direct dispatch once', async () => {
    // Catches: the review view never emptying, or non-direct appeals "reviewed".
    const a = await file({ categoryId: ids.water });
    const r = await move(a.id, 'review', tokens.dispatcher, { note: '派单正确' });
    expect([r.status, r.body.allowedActions.includes('review')]).toEqual([200, false]);
    expect((await move(a.id, 'review', tokens.dispatcher, {})).status).toBe(409);
    const plain = await file();
    expect((await move(plain.id, 'review', tokens.dispatcher, {})).status).toBe(409);
  });
});

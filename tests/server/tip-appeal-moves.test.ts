/**
 * Moves between the newsroom and the appeal loop, over HTTP on a seeded server: 转为诉求 (a tip
 * the newsroom files as an appeal, POST /api/v1/tips/:id/to-appeal) and 转为新闻线索 (a submitted
 * appeal a dispatcher sends to the newsroom, POST /api/v1/tips/from-appeal). Both idempotent, both
 * on the version they were made on, both telling the reporter, neither showing anyone more than
 * the records they came from did. One server for the suite on a fixed clock; each test uses
 * residents and contacts of its own.
 */
import { Types } from 'mongoose';
import { FROM_APPEAL_REASON } from '../../server/tips/appeal-moves';
import { appealService } from '../../server/appeals';
import { identityCache } from '../../server/users';
import { appealDoc, fileAppeal, newKey, relayed, testClock, uploadPhoto } from '../helpers/appeals';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';

const BOUND_ROOM = 'dongcheng-neighbours@chatroom';
const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let editor: string;
let editorName: string;
let dispatcher: string;
let dispatcherName: string;
const ids = { xicheng: '', township: '', qingshi: '', other: '' };

const sendTip = (token: string, body: Record<string, unknown> = {}) =>
  s.api('POST', '/api/v1/tips', { token, body: { text: '河边的护栏断了一大段，晚上很危险', mayContact: true, mayCredit: false, idempotencyKey: newKey('tip'), ...body } });
const toAppeal = (token: string, id: string, body: Record<string, unknown>) =>
  s.api('POST', `/api/v1/tips/${id}/to-appeal`, { token, body: { regionId: ids.xicheng, kind: 'help', categoryId: ids.other, ...body } });
const fromAppeal = (token: string, body: Record<string, unknown>) => s.api('POST', '/api/v1/tips/from-appeal', { token, body });
const meOf = async (token: string) => (await s.api('GET', '/api/v1/me', { token })).body as { id: string; name: string };
const outboxOf = (ref: string) => s.models.Outbox.find({ ref }).lean<any[]>();

/** A resident with a name and phone on their account, so a leak of either is visible. */
async function resident(openid: string, name: string, phone: string): Promise<{ token: string; id: string }> {
  const token = await s.residentToken(openid);
  const { id } = await meOf(token);
  await s.models.User.updateOne({ _id: new Types.ObjectId(id) }, { $set: { name, phone } });
  return { token: await s.residentToken(openid), id };
}

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  editor = await s.staffToken('editor');
  editorName = (await meOf(editor)).name;
  dispatcher = await s.staffToken('dispatcher');
  dispatcherName = (await meOf(dispatcher)).name;
  ids.xicheng = await s.regionId('DX-01-02');
  ids.township = await s.regionId('DX-01');
  ids.qingshi = await s.regionId('DX-02-01');
  ids.other = String((await s.models.Category.findOne({ code: 'other' }).lean<{ _id: unknown }>())!._id);
}, 180_000);
afterAll(async () => {
  await s?.stop();
});

describe('转为诉求: POST /api/v1/tips/:id/to-appeal', () => {
  it('files the tip as a private appeal with the tipster as reporter, ends the tip in moved, and tells the tipster by subscribe message', async () => {
    // Catches: the move not filing through the appeal loop, the tipster lost as reporter (the appeal
    // not in 我的诉求), the appeal made public, the tip left open, or the tipster never told.
    const me = await resident('moves-to-appeal', '王小明', '13912340001');
    const photo = await uploadPhoto(s, me.token);
    const tip = (await sendTip(me.token, { photoIds: [photo], place: '西城社区河边' })).body;
    const res = await toAppeal(editor, tip.id, { version: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'moved', stateLabel: '已转诉求', appealNumber: expect.stringMatching(/^DX-\d{8}-\d{4}$/), fromAppeal: false, version: 2 });
    expect(res.body.history.at(-1)).toMatchObject({ action: 'to_appeal', from: 'new', to: 'moved' });

    const a = await appealDoc(s, res.body.appealId);
    expect(a).toMatchObject({ number: res.body.appealNumber, state: 'submitted', description: tip.text, place: '西城社区河边', photoIds: [photo], isPublic: false, isAnonymous: false, reporterName: '王小明', reporterPhone: '13912340001', channel: 'miniprogram' });
    expect(String(a.reporterId)).toBe(me.id);
    expect(String(a.submittedById)).toBe((await meOf(editor)).id);
    expect(a.timeline[0]).toMatchObject({ action: 'submit', byRole: 'editor' });
    const mine = await s.api('GET', '/api/v1/appeals?view=mine', { token: me.token });
    expect(mine.body.items.map((i: any) => i.id)).toContain(res.body.appealId);

    const told = await outboxOf(`tip:${tip.id}`);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ channel: 'wechat_subscribe', recipient: me.id, payload: { page: `pages/appeal-detail/index?id=${res.body.appealId}`, data: { number: res.body.appealNumber, state: '已转诉求' } } });
    expect(JSON.stringify(told[0].payload)).not.toContain(editorName);
    expect(await s.models.Audit.countDocuments({ action: 'tip.to_appeal', targetId: tip.id })).toBe(1);
  });

  it('a retry of the same move files one appeal and tells the tipster once', async () => {
    // Catches: a lost answer retried by the editor's page filing a second appeal or a second message.
    const me = await resident('moves-to-appeal-retry', '李四', '13912340002');
    const tip = (await sendTip(me.token)).body;
    const first = await toAppeal(editor, tip.id, { version: 0 });
    const again = await toAppeal(editor, tip.id, { version: 0 });
    expect(again.status).toBe(200);
    expect(again.body.appealId).toBe(first.body.appealId);
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: `tip:${tip.id}` })).toBe(1);
    expect(await outboxOf(`tip:${tip.id}`)).toHaveLength(1);
  });

  it('a move that died after claiming the tip is finished by its retry, with one appeal', async () => {
    // Catches: a tip stuck in 已转诉求 without an appeal after a crash, or the retry refused as stale.
    const me = await resident('moves-to-appeal-crash', '赵六', '13912340003');
    const tip = (await sendTip(me.token)).body;
    const editorId = (await meOf(editor)).id;
    // What the claim leaves behind when the process dies before filing.
    await s.models.Tip.updateOne(
      { _id: new Types.ObjectId(tip.id) },
      { $set: { state: 'moved', toAppeal: { version: 0, from: 'new', byId: new Types.ObjectId(editorId), byName: editorName, byRole: 'editor', regionId: ids.xicheng, kind: 'help', categoryId: ids.other } }, $inc: { version: 1 } },
    );
    const res = await toAppeal(editor, tip.id, { version: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'moved', appealNumber: expect.stringMatching(/^DX-/) });
    expect((await toAppeal(editor, tip.id, { version: 0 })).body.appealId).toBe(res.body.appealId);
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: `tip:${tip.id}` })).toBe(1);
  });

  it('a stale version is 409 STALE_VERSION, a tip already used is 409 INVALID_STATE; neither files an appeal', async () => {
    // Catches: a move made on what the editor no longer sees (someone took it meanwhile), or a used tip filed again.
    const me = await resident('moves-to-appeal-stale', '钱七', '13912340004');
    const tip = (await sendTip(me.token)).body;
    expect((await s.api('POST', `/api/v1/tips/${tip.id}/take`, { token: editor, body: { version: 0 } })).status).toBe(200);
    const stale = await toAppeal(editor, tip.id, { version: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STALE_VERSION');
    expect((await s.api('POST', `/api/v1/tips/${tip.id}/decline`, { token: editor, body: { version: 1, reason: '已有同类报道' } })).status).toBe(200);
    const wrong = await toAppeal(editor, tip.id, { version: 2 });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('INVALID_STATE');
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: `tip:${tip.id}` })).toBe(0);
  });

  it('two editors moving the same tip at once: one appeal, the other editor 409 STALE_VERSION', async () => {
    // Catches: two editors' moves of one version both filing (two appeals of one tip, the tipster told twice).
    const me = await resident('moves-to-appeal-race', '吕十六', '13912340016');
    const tip = (await sendTip(me.token)).body;
    const both = await Promise.all([toAppeal(editor, tip.id, { version: 0 }), toAppeal(await s.staffToken('reviewer'), tip.id, { version: 0 })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body.error.code).toBe('STALE_VERSION');
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: `tip:${tip.id}` })).toBe(1);
    expect(await outboxOf(`tip:${tip.id}`)).toHaveLength(1);
  });

  it('a region that is no community is a 400 and the tip goes back to where it was', async () => {
    // Catches: a refused filing leaving the tip claimed (已转诉求 with no appeal) for good.
    const me = await resident('moves-to-appeal-region', '孙八', '13912340005');
    const tip = (await sendTip(me.token)).body;
    const res = await toAppeal(editor, tip.id, { version: 0, regionId: ids.township });
    expect(res.status).toBe(400);
    const back = (await s.api('GET', `/api/v1/tips/${tip.id}`, { token: editor })).body;
    expect(back).toMatchObject({ state: 'new', appealId: null });
    expect((await toAppeal(editor, tip.id, { version: back.version })).status).toBe(200);
  });

  it('without consent to be contacted the appeal is anonymous, with neither name nor phone', async () => {
    // Catches: a tipster who refused contact handed to the government with their name and phone.
    const me = await resident('moves-to-appeal-anon', '周九', '13912340006');
    const tip = (await sendTip(me.token, { mayContact: false })).body;
    const res = await toAppeal(editor, tip.id, { version: 0 });
    const a = await appealDoc(s, res.body.appealId);
    expect(a).toMatchObject({ isAnonymous: true, isPublic: false, reporterName: '匿名', reporterPhone: null });
    const seen = await s.api('GET', `/api/v1/appeals/${res.body.appealId}`, { token: dispatcher });
    expect(JSON.stringify(seen.body)).not.toMatch(/周九|13912340006/);
    // Still theirs: in 我的诉求.
    expect((await s.api('GET', `/api/v1/appeals/${res.body.appealId}`, { token: me.token })).status).toBe(200);
  });

  it('a tip said in a group: the group hears it, @mentioning the sender, with how to follow it there', async () => {
    // Catches: a WeChat tipster without an account told to look in 我的诉求 (which they cannot), told
    // nowhere, or the chat's name of the sender carried into the message.
    const contact = 'wxid_moves_group_sender';
    const sent = await s.api('POST', '/api/v1/bot/tips', { token: TEST_BOT_TOKEN, body: { idempotencyKey: newKey('msg'), roomId: BOUND_ROOM, contact: { id: contact, name: '河边老吴' }, text: '东城社区路口的井盖丢了，很危险' } });
    expect(sent.status).toBe(201);
    const t = await s.models.Tip.findOne({ contactId: contact }).lean<any>();
    const res = await toAppeal(editor, String(t._id), { version: t.version });
    expect(res.status).toBe(200);
    const a = await appealDoc(s, res.body.appealId);
    expect(a).toMatchObject({ channel: 'group_chat', roomId: BOUND_ROOM, reporterContactId: contact, reporterId: null, isAnonymous: true });
    const told = await outboxOf(`tip:${t._id}`);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ channel: 'bot_room', recipient: BOUND_ROOM, payload: { mentionContactIds: [contact] } });
    expect(told[0].payload.text).toBe(`您的爆料已转为诉求，编号 ${res.body.appealNumber}，可发送「查询 ${res.body.appealNumber}」查看进度`);
    expect(told[0].payload.text).not.toMatch(/河边老吴|我的诉求/);
  });

  it('only the newsroom moves a tip: a resident (even the tipster), a dispatcher and department staff get 403', async () => {
    // Catches: the route open to anyone signed in, letting a stranger file someone's tip as an appeal.
    const me = await resident('moves-to-appeal-access', '吴十', '13912340007');
    const tip = (await sendTip(me.token)).body;
    for (const token of [me.token, await s.residentToken('moves-stranger'), dispatcher, await s.staffToken('dept_water')]) {
      expect((await toAppeal(token, tip.id, { version: 0 })).status).toBe(403);
    }
    expect((await s.api('GET', `/api/v1/tips/${tip.id}`, { token: editor })).body.state).toBe('new');
  });

  it('a tip moved without a category is filed as any filing without one: with the category suggestion for the dispatcher', async () => {
    // Catches: the newsroom's move filing through an appeal service built without the suggester, so
    // its appeal waits in 待派单 with no suggestion (every other channel's filing gets one).
    const me = await resident('moves-to-appeal-suggest', '钱十一', '13912340008');
    const tip = (await sendTip(me.token, { text: '西城社区幸福路的路灯不亮了，晚上一片漆黑' })).body;
    const res = await toAppeal(editor, tip.id, { version: 0, categoryId: undefined });
    expect(res.status).toBe(200);
    const a = await appealDoc(s, res.body.appealId);
    expect(a.categoryId ?? null).toBeNull();
    expect(a.state).toBe('submitted'); // direct dispatch by suggestion ships off
    expect(a.suggestion).toMatchObject({ categoryName: expect.stringContaining('路灯'), score: expect.any(Number) });
  });
});

describe('转为新闻线索: POST /api/v1/tips/from-appeal', () => {
  const file = async (token: string, o: Record<string, unknown> = {}) => fileAppeal(s, token, { regionId: ids.xicheng, categoryId: ids.other, description: '西城社区广场周末有非遗展演，很热闹', ...o });

  it('refuses the appeal with the newsroom reason and makes a private tip of it; the reporter is told by the appeal\'s own message', async () => {
    // Catches: the appeal left open beside the tip, the tip missing text, photos or the link, consent
    // invented (the newsroom seeing the reporter's name or phone), or the reporter never told.
    const me = await resident('moves-from-appeal', '郑十一', '13912340011');
    const photo = await uploadPhoto(s, me.token);
    const a = await file(me.token, { photoIds: [photo] });
    const res = await fromAppeal(dispatcher, { appealId: a.id, version: a.version, note: '适合做周末文化报道' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ tipLabel: expect.stringMatching(/^BL-[0-9A-F]{6}$/), appealId: a.id, appealState: 'rejected' });

    const stored = await relayed(s, a.id);
    expect(stored.state).toBe('rejected');
    expect(stored.timeline.at(-1)).toMatchObject({ action: 'reject', note: FROM_APPEAL_REASON });
    const t = await s.models.Tip.findOne({ appealId: new Types.ObjectId(a.id) }).lean<any>();
    expect(t).toMatchObject({ text: a.description, photoIds: [photo], fromAppeal: true, appealNumber: a.number, mayContact: false, mayCredit: false, channel: 'miniprogram', state: 'new', tipsterPhone: null });
    expect(String(t.tipsterId)).toBe(me.id);

    // Private to the newsroom and the reporter: 匿名 to the editor, in the reporter's 我的爆料, 404 to the dispatcher.
    const seen = (await s.api('GET', `/api/v1/tips/${t._id}`, { token: editor })).body;
    expect(seen).toMatchObject({ tipsterName: '匿名', tipsterPhone: null, fromAppeal: true, appealNumber: a.number });
    expect(JSON.stringify(seen)).not.toMatch(/郑十一|13912340011/);
    expect(seen.history[0]).toMatchObject({ action: 'from_appeal', by: dispatcherName, note: `由诉求 ${a.number} 转来：适合做周末文化报道` });
    expect((await s.api('GET', '/api/v1/tips?view=mine', { token: me.token })).body.items.map((i: any) => i.id)).toContain(String(t._id));
    expect((await s.api('GET', `/api/v1/tips/${t._id}`, { token: dispatcher })).status).toBe(404);

    // The reporter hears the refusal through the appeal's notification, and no one's name with it.
    const told = await s.models.Outbox.find({ dedupeKey: new RegExp(`^appeal:${a.id}:`) }).lean<any[]>();
    const toReporter = told.filter((m) => m.recipient === me.id);
    expect(toReporter).toHaveLength(1);
    expect(toReporter[0]).toMatchObject({ channel: 'wechat_subscribe', payload: { data: { state: '不予受理', note: FROM_APPEAL_REASON } } });
    expect(JSON.stringify(toReporter[0].payload)).not.toMatch(new RegExp(`${dispatcherName}|${editorName}|编辑部的`));
    // The appeal's page says where it went, nothing of the newsroom's.
    const page = (await s.api('GET', `/api/v1/appeals/${a.id}`, { token: me.token })).body;
    expect(JSON.stringify(page)).not.toContain(String(t._id));
  });

  it('a retry makes one tip (200), and a tip lost after the refusal is made by the retry', async () => {
    // Catches: a retried move making a second tip, or refused as a move from 不予受理 after a crash
    // between the refusal and the tip (the appeal refused, the newsroom never getting it).
    const me = await resident('moves-from-appeal-retry', '冯十二', '13912340012');
    const a = await file(me.token);
    const first = await fromAppeal(dispatcher, { appealId: a.id, version: a.version });
    const again = await fromAppeal(dispatcher, { appealId: a.id, version: a.version });
    expect(again.status).toBe(200);
    expect(again.body.tipLabel).toBe(first.body.tipLabel);
    expect(await s.models.Tip.countDocuments({ appealId: new Types.ObjectId(a.id) })).toBe(1);

    await s.models.Tip.deleteOne({ appealId: new Types.ObjectId(a.id) });
    const recovered = await fromAppeal(dispatcher, { appealId: a.id, version: a.version });
    expect(recovered.status).toBe(201);
    expect(await s.models.Tip.countDocuments({ appealId: new Types.ObjectId(a.id) })).toBe(1);
    // The appeal was refused once.
    expect((await appealDoc(s, a.id)).timeline.filter((e) => e.action === 'reject')).toHaveLength(1);
  });

  it('two presses at once (a double tap) refuse the appeal once and make one tip, both answered with it', async () => {
    // Catches: the second press of a double tap answered 409 for a move that happened, or a second tip.
    const me = await resident('moves-from-appeal-twice', '何十五', '13912340015');
    const a = await file(me.token);
    const both = await Promise.all([fromAppeal(dispatcher, { appealId: a.id, version: a.version }), fromAppeal(dispatcher, { appealId: a.id, version: a.version })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[0].body.tipLabel).toBe(both[1].body.tipLabel);
    expect(await s.models.Tip.countDocuments({ appealId: new Types.ObjectId(a.id) })).toBe(1);
    expect((await appealDoc(s, a.id)).timeline.filter((e) => e.action === 'reject')).toHaveLength(1);
  });

  it('a stale version is 409 STALE_VERSION and an accepted appeal 409 INVALID_STATE; neither makes a tip', async () => {
    // Catches: a dispatcher's decision made on an appeal that changed meanwhile, or an appeal already in the loop pulled out of it.
    const me = await resident('moves-from-appeal-stale', '陈十三', '13912340013');
    const a = await file(me.token);
    const stale = await fromAppeal(dispatcher, { appealId: a.id, version: a.version + 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STALE_VERSION');
    const accepted = (await s.api('POST', `/api/v1/appeals/${a.id}/accept`, { token: dispatcher, body: {} })).body;
    const wrong = await fromAppeal(dispatcher, { appealId: a.id, version: accepted.version });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('INVALID_STATE');
    expect((await appealDoc(s, a.id)).state).toBe('accepted');
    expect(await s.models.Tip.countDocuments({ appealId: new Types.ObjectId(a.id) })).toBe(0);
  });

  it('the refusal itself is conditioned on the version the dispatcher saw: a move landing after the check is a 409 and the appeal stays', async () => {
    // Catches the window between the version check and the refusal: a 催办 or a note landing there
    // would otherwise be overridden by a decision made without seeing it. The appeals' reject is
    // called as the tips feature calls it, after the appeal has moved on by one event.
    const me = await resident('moves-from-appeal-window', '卫十六', '13912340016');
    const a = await file(me.token);
    await s.models.Appeal.updateOne({ _id: new Types.ObjectId(a.id) }, { $inc: { eventCount: 1 } });
    const user = (await identityCache(s.ctx).identity((await meOf(dispatcher)).id))!.user;
    await expect(appealService(s.ctx).moves.reject(user, a.id, { reason: FROM_APPEAL_REASON }, { eventCount: a.version })).rejects.toMatchObject({ status: 409 });
    expect((await appealDoc(s, a.id)).state).toBe('submitted');
    expect((await appealService(s.ctx).moves.reject(user, a.id, { reason: FROM_APPEAL_REASON }, { eventCount: a.version + 1 })).state).toBe('rejected');
  });

  it('only a dispatcher of the appeal\'s region: a resident, department staff and an editor, another township\'s dispatcher 403', async () => {
    // Catches: anyone signed in (or the newsroom itself) pulling appeals out of the loop, or a
    // dispatcher refusing an appeal outside their region.
    const me = await resident('moves-from-appeal-access', '褚十四', '13912340014');
    const a = await file(me.token, { regionId: ids.qingshi });
    for (const token of [me.token, await s.staffToken('dept_water'), editor]) {
      expect((await fromAppeal(token, { appealId: a.id, version: a.version })).status).toBe(403);
    }
    // chengguan dispatches for 城关镇 (DX-01); 青石 (DX-02-01) is not theirs: the appeals' own rule refuses the 不予受理.
    const outside = await fromAppeal(await s.staffToken('chengguan'), { appealId: a.id, version: a.version });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain('只有负责该区域的调度员');
    expect((await appealDoc(s, a.id)).state).toBe('submitted');
    expect(await s.models.Tip.countDocuments({ appealId: new Types.ObjectId(a.id) })).toBe(0);
  });
});

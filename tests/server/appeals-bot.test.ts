/**
 * The bot's appeal routes (/api/v1/bot/appeals…, /api/v1/bot/contacts/:contactId) with the bot's
 * service token: group intake in bound rooms, group members' resident accounts, photos that join,
 * grid workers' forwards, lookup by number, the contact check, and who may call them at all.
 */
import type { TestServer } from '../helpers/server';
import type { UserDoc } from '../../server/users/model';
import { identityKey } from '../../server/users/model';
import {
  MINUTE,
  TEST_BOT_TOKEN,
  appealDoc,
  demoIds,
  move,
  newKey,
  startAppealsServer,
  uploadPhoto,
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
  for (const u of ['admin', 'dispatcher', 'xicheng_grid1']) tok[u] = await s.staffToken(u);
  tok.resident = await s.residentToken('demo-resident-01');
});
afterAll(async () => {
  await env?.stop();
});

const BOUND_ROOM = 'dongcheng-neighbours@chatroom'; // 东城社区, bound in the seed
const UNBOUND_ROOM = 'xicheng-neighbours@chatroom'; // 西城社区, left unbound in the seed
const bot = (method: string, path: string, body?: unknown, token = TEST_BOT_TOKEN) => s.api(method, `/api/v1/bot${path}`, { token, body });
const groupBody = (o: Record<string, unknown> = {}) => ({
  idempotencyKey: newKey('msg'),
  channel: 'group_chat',
  roomId: BOUND_ROOM,
  contact: { id: 'wxid_demo_resident_01', name: '王建国' },
  text: '#报事 小区东门的井盖丢了，晚上很危险',
  ...o,
});
const userOfContact = async (contactId: string) => {
  const identity = await s.models.Identity.findOne({ key: identityKey.contact(contactId) }).lean<{ userId: unknown }>();
  return identity ? s.models.User.findById(identity.userId).lean<UserDoc>() : null;
};

describe('group intake', () => {
  it('files an appeal in a bound room and answers a receipt with its number; a retry gets the same one', async () => {
    // Catches: a re-delivered message (same message id) filing a second appeal, a receipt without a
    // number to quote, or a group appeal published to the whole county without the member asking.
    const body = groupBody();
    const first = await bot('POST', '/appeals', body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(String), number: expect.any(String), state: 'submitted', stateLabel: '待受理', regionName: '城关镇 / 东城社区', isPublic: false });
    expect(first.body.number).toMatch(/^DX-\d{8}-\d{4,6}$/);
    const again = await bot('POST', '/appeals', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: body.idempotencyKey })).toBe(1);

    const a = await appealDoc(s, first.body.id);
    expect(a).toMatchObject({ channel: 'group_chat', roomId: BOUND_ROOM, reporterContactId: 'wxid_demo_resident_01', isPublic: false, regionId: expect.anything() });
    expect(String(a.regionId)).toBe(ids.region['DX-01-01']);
    // Not in the county's public list.
    const publicList = await s.api('GET', '/api/v1/appeals?view=public&limit=50', { token: await s.residentToken('demo-resident-12') });
    expect(publicList.body.items.map((i: { id: string }) => i.id)).not.toContain(first.body.id);
  });

  it('is public only when the member asked for it (isPublic: true, the bot’s 公开)', async () => {
    // Catches: the member's explicit choice to publish being dropped.
    const res = await bot('POST', '/appeals', groupBody({ isPublic: true, text: '小区广场的健身器材坏了，大家注意安全' }));
    expect(res.status).toBe(201);
    expect(res.body.isPublic).toBe(true);
    expect((await appealDoc(s, res.body.id)).isPublic).toBe(true);
  });

  it('refuses a room that is not bound with 404', async () => {
    // Catches: appeals filed from any group the bot sits in, with no community to send them to.
    for (const roomId of [UNBOUND_ROOM, 'no-such-room@chatroom']) {
      const res = await bot('POST', '/appeals', groupBody({ roomId }));
      expect(res.status).toBe(404);
    }
    expect(await s.models.Appeal.countDocuments({ roomId: UNBOUND_ROOM })).toBe(0);
  });

  it('a group member without an account gets one resident account, identity contact:<id>, reused next time', async () => {
    // Catches: appeals without a reporter account (never in "my appeals"), or one account per message.
    const contact = { id: 'wxid_new_member_7', name: '新来的邻居' };
    expect(await userOfContact(contact.id)).toBeNull();
    const first = await bot('POST', '/appeals', groupBody({ contact }));
    expect(first.status).toBe(201);
    const user = await userOfContact(contact.id);
    expect(user).toMatchObject({ name: contact.name, roles: ['resident'] });
    expect(String(user!.homeRegionId)).toBe(ids.region['DX-01-01']);
    expect(String((await appealDoc(s, first.body.id)).reporterId)).toBe(String(user!._id));

    const second = await bot('POST', '/appeals', groupBody({ contact, text: '#报事 路灯也不亮了' }));
    expect(second.status).toBe(201);
    expect(String((await appealDoc(s, second.body.id)).reporterId)).toBe(String(user!._id));
    expect(await s.models.Identity.countDocuments({ key: identityKey.contact(contact.id) })).toBe(1);
    expect(await s.models.User.countDocuments({ name: contact.name })).toBe(1);
  });
});


describe('photos joining a group appeal', () => {
  const contact = { id: 'wxid_demo_resident_07', name: '李秀英' };
  let receipt: { id: string; number: string };
  const photos = async (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await uploadPhoto(s, TEST_BOT_TOKEN, '/api/v1/bot/photos'));
    return out;
  };
  beforeAll(async () => {
    receipt = (await bot('POST', '/appeals', groupBody({ contact }))).body;
  });

  it('photos from the same member within 10 minutes join, at most nine in all', async () => {
    // Catches: photos lost (never joined) or an appeal growing past nine photos when batches arrive.
    clock.advance(5 * MINUTE);
    const five = await photos(5);
    const r1 = await bot('POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: contact.id, photoIds: five });
    expect(r1.status).toBe(200);
    expect(r1.body.number).toBe(receipt.number);
    const six = await photos(6);
    const r2 = await bot('POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: contact.id, photoIds: six });
    expect(r2.status).toBe(200);
    const a = await appealDoc(s, receipt.id);
    expect(a.photoIds).toEqual([...five, ...six.slice(0, 4)]);
    expect(a.timeline.filter((e) => e.action === 'photo').map((e) => e.note)).toEqual(['补充 5 张图片', '补充 4 张图片']);
    // The same photos again change nothing.
    expect((await bot('POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: contact.id, photoIds: five })).status).toBe(200);
    expect((await appealDoc(s, receipt.id)).photoIds).toHaveLength(9);
  });

  it('a photo from another member, or after the window, joins nothing: 404', async () => {
    // Catches: someone else's picture attached to a neighbour's appeal, or photos joining hours later.
    const [p] = await photos(1);
    const other = await bot('POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: 'wxid_demo_resident_13', photoIds: [p] });
    expect(other.status).toBe(404);
    clock.advance(6 * MINUTE); // 11 minutes after the appeal
    const late = await bot('POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: contact.id, photoIds: [p] });
    expect(late.status).toBe(404);
    expect((await appealDoc(s, receipt.id)).photoIds).not.toContain(p);
  });
});

describe('grid worker forwards', () => {
  it('a bound grid worker’s forward becomes an appeal in their grid, channel grid_worker', async () => {
    // Catches: forwards filed in the wrong region, as a group appeal, or public by default.
    const res = await bot('POST', '/appeals', {
      idempotencyKey: newKey('fwd'),
      channel: 'grid_worker',
      contact: { id: 'wxid_demo_xicheng_grid1', name: '网格员' },
      text: '居民反映：西城菜市场门口污水外溢',
    });
    expect(res.status).toBe(201);
    expect(res.body.regionName).toBe('城关镇 / 西城社区 / 第一网格');
    const a = await appealDoc(s, res.body.id);
    expect(a).toMatchObject({ channel: 'grid_worker', isPublic: false, roomId: null });
    expect(String(a.regionId)).toBe(ids.region['DX-01-02-01']);
    expect(String(a.submittedById)).toBe(await ids.user('xicheng_grid1'));
    // The grid worker finds it in their inbox.
    const inbox = await s.api('GET', '/api/v1/appeals?view=inbox&limit=50', { token: tok.xicheng_grid1 });
    expect(inbox.body.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
  });

  it('a contact not bound to a grid worker is refused with 403', async () => {
    // Catches: anyone who messages the bot in private filing appeals as a grid worker.
    for (const id of ['wxid_demo_xicheng_grid2' /* grid worker, WeChat not bound */, 'wxid_demo_admin' /* bound, not a grid worker */, 'wxid_stranger']) {
      const res = await bot('POST', '/appeals', { idempotencyKey: newKey('fwd'), channel: 'grid_worker', contact: { id, name: '某人' }, text: '转发的诉求内容' });
      expect(res.status).toBe(403);
    }
  });
});

describe('lookup by number', () => {
  const lookup = (number: string, asker: { contactId: string; roomId?: string }) => bot('GET', `/appeals/by-number/${number}?${new URLSearchParams(asker)}`);
  const OTHER_ROOM = 'qingshi-villagers@chatroom';
  let filed: { id: string; number: string };
  beforeAll(async () => {
    filed = (await bot('POST', '/appeals', groupBody({ contact: { id: 'wxid_demo_resident_19', name: '赵海燕' } }))).body;
    await move(s, tok.dispatcher, filed.id, 'accept');
    await move(s, tok.dispatcher, filed.id, 'assign', { departmentId: ids.department.transport, note: '请联系赵海燕 13800001111 核实' });
    // Another community's group chat, bound for this suite.
    const qingshi = await s.models.Region.findOne({ code: 'DX-02-01' }).lean<{ _id: unknown; path: string }>();
    await s.models.Room.updateOne({ roomId: OTHER_ROOM }, { $setOnInsert: { roomId: OTHER_ROOM, topic: '青石村村民群', regionId: qingshi!._id, regionPath: qingshi!.path, boundBy: qingshi!._id, boundAt: new Date() } }, { upsert: true });
  });

  it('answers the state and the last step; lower case works; no note, no department, no name', async () => {
    // Catches: 查询 answering a stale step, refusing a number typed in lower case, or leaking the
    // reporter, the department or the free-text note of the last step into a group chat.
    const res = await lookup(filed.number.toLowerCase(), { contactId: 'wxid_demo_resident_07', roomId: BOUND_ROOM });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ number: filed.number, state: 'assigned', stateLabel: '已派单', lastStep: { label: '派单', at: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/赵海燕|13800001111|交通/);
  });

  it('answers only in the appeal’s community’s group or to the asker’s own appeal; anyone else gets not found', async () => {
    // Catches: 查询 answering for any appeal in the county (private ones included) to whoever has the number.
    const unknown = await lookup('DX-20991231-9999', { contactId: 'wxid_stranger_1' });
    expect(unknown.status).toBe(404);
    // Its reporter, privately: theirs.
    expect((await lookup(filed.number, { contactId: 'wxid_demo_resident_19' })).status).toBe(200);
    // A neighbour in the same bound group: the community's appeal.
    expect((await lookup(filed.number, { contactId: 'wxid_demo_resident_07', roomId: BOUND_ROOM })).status).toBe(200);
    // The same neighbour privately, a stranger privately, a member of another community's group, an unbound group.
    for (const asker of [{ contactId: 'wxid_demo_resident_07' }, { contactId: 'wxid_stranger_1' }, { contactId: 'wxid_demo_resident_03', roomId: OTHER_ROOM }, { contactId: 'wxid_stranger_1', roomId: UNBOUND_ROOM }]) {
      const res = await lookup(filed.number, asker);
      expect([asker, res.status]).toEqual([asker, 404]);
      // The same answer as a number that does not exist, apart from the number itself.
      expect(res.body.error.message.replace(filed.number, 'N')).toBe(unknown.body.error.message.replace('DX-20991231-9999', 'N'));
    }
    // A grid worker's forward: the worker may ask about it privately.
    const fwd = await bot('POST', '/appeals', { idempotencyKey: newKey('fwd'), channel: 'grid_worker', contact: { id: 'wxid_demo_xicheng_grid1', name: '网格员' }, text: '居民反映：西城公园路灯不亮' });
    expect((await lookup(fwd.body.number, { contactId: 'wxid_demo_xicheng_grid1' })).status).toBe(200);
    expect((await lookup(fwd.body.number, { contactId: 'wxid_demo_resident_07', roomId: BOUND_ROOM })).status).toBe(404);
  });

  it('unknown → 404, malformed → 400, no asker → 400', async () => {
    // Catches: a lookup that scans on any input, answers 500 to garbage typed in a group, or answers without knowing who asks.
    expect((await lookup('DX-20991231-9999', { contactId: 'wxid_demo_resident_01' })).status).toBe(404);
    const bad = await lookup('hello', { contactId: 'wxid_demo_resident_01' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await bot('GET', `/appeals/by-number/${filed.number}`)).status).toBe(400);
  });
});

describe('contact lookup', () => {
  it('says whether a private-chat contact is a bound grid worker, with their grid', async () => {
    // Catches: the bot offering forwarding to unbound grid workers or other staff.
    const grid1 = await s.models.User.findOne({ username: 'xicheng_grid1' }).lean<UserDoc>();
    expect((await bot('GET', '/contacts/wxid_demo_xicheng_grid1')).body).toEqual({ gridWorker: true, name: grid1!.name, regionName: '城关镇 / 西城社区 / 第一网格' });
    const none = { gridWorker: false, name: null, regionName: null };
    expect((await bot('GET', '/contacts/wxid_demo_xicheng_grid2')).body).toEqual(none);
    expect((await bot('GET', '/contacts/wxid_demo_dongcheng_staff')).body).toEqual(none);
    expect((await bot('GET', '/contacts/wxid_nobody')).body).toEqual(none);
  });
});

describe('who may call the bot routes', () => {
  it('a user token, even an admin’s, gets 403; no token 401', async () => {
    // Catches: residents or staff filing as the bot (any room, any member) or reading by number without limits.
    const calls: [string, string, unknown?][] = [
      ['POST', '/appeals', groupBody()],
      ['POST', '/appeals/photos', { roomId: BOUND_ROOM, contactId: 'wxid_demo_resident_01', photoIds: ['a'.repeat(64)] }],
      ['GET', '/appeals/by-number/DX-20261120-0001?contactId=wxid_demo_resident_01'],
      ['GET', '/contacts/wxid_demo_xicheng_grid1'],
    ];
    for (const [method, path, body] of calls) {
      for (const token of [tok.resident, tok.admin, tok.dispatcher]) expect((await bot(method, path, body, token)).status).toBe(403);
      expect((await s.api(method, `/api/v1/bot${path}`, { body })).status).toBe(401);
    }
    // The bot's upload route too.
    await expect(uploadPhoto(s, tok.resident, '/api/v1/bot/photos')).rejects.toThrow(/^upload: 403/);
  });
});

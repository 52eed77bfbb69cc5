import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let bot: string;
beforeAll(async () => {
  s = await startTestServer();
  bot = s.ctx.config.botToken;
});
afterAll(() => s?.stop());


describe('POST /api/v1/binding-codes', () => {
  it('gives community staff a six-digit room code for their community', async () => {
    const staff = await s.staffToken('xicheng');
    const res = await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-02') } });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^\d{6}$/);
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a community that is not theirs, a township, and residents', async () => {
    const staff = await s.staffToken('xicheng');
    const other = await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-01') } });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('东城社区');
    const admin = await s.staffToken('admin');
    const town = await s.api('POST', '/api/v1/binding-codes', { token: admin, body: { type: 'room', regionId: await s.regionId('DX-01') } });
    expect(town.status).toBe(400);
    const resident = await s.api('POST', '/api/v1/binding-codes', { token: await s.residentToken(), body: { type: 'contact' } });
    expect(resident.status).toBe(403);
  });

  it('rejects an unknown type', async () => {
    const staff = await s.staffToken('xicheng');
    expect((await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'channel' } })).status).toBe(400);
  });
});

describe('bot gateway: binding a room', () => {
  it('binds a room with a code once; a second use is refused', async () => {
    const staff = await s.staffToken('xicheng');
    const { code } = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-02') } })).body;
    const target = { type: 'room', roomId: 'xicheng-neighbours@chatroom', topic: '西城社区邻里群' };
    const ok = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ type: 'room', region: { name: '西城社区' }, user: null });

    const again = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('已使用');

    const rooms = await s.api('GET', '/api/v1/rooms', { token: staff });
    expect(rooms.body.items.map((r: { roomId: string }) => r.roomId)).toEqual(['xicheng-neighbours@chatroom']);
    const all = await s.api('GET', '/api/v1/bot/rooms', { token: bot });
    expect(all.body.items.length).toBeGreaterThanOrEqual(5);
  });

  it('answers unknown, expired, malformed and wrong-kind codes clearly', async () => {
    const target = { type: 'room', roomId: 'x@chatroom', topic: 't' };
    const unknown = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code: '000000', target } });
    expect([404, 409]).toContain(unknown.status);
    expect((await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code: '12ab', target } })).status).toBe(400);

    const staff = await s.staffToken('nanmen');
    const { code } = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'contact' } })).body;
    const wrongKind = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target } });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.message).toContain('私聊');

    const room = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-03') } })).body;
    await s.ctx.models.BindingCode.updateOne({ code: room.code }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code: room.code, target } });
    expect(expired.status).toBe(409);
    expect(expired.body.error.message).toContain('过期');
  });

  it('is for the bot only', async () => {
    const staff = await s.staffToken('admin');
    const res = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: staff, body: { code: '123456', target: { type: 'room', roomId: 'a@chatroom' } } });
    expect(res.status).toBe(403);
    expect((await s.api('GET', '/api/v1/bot/rooms')).status).toBe(401);
  });
});

describe('bot gateway: contacts and unbinding', () => {
  it('binds a staff member’s WeChat contact, which then may unbind their community’s room', async () => {
    const staff = await s.staffToken('yangliu');
    const { code } = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'contact' } })).body;
    const bound = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target: { type: 'contact', contactId: 'wxid_demo_yangliu_staff', name: '杨柳' } } });
    expect(bound.status).toBe(200);
    expect(bound.body.user.id).toBeTruthy();

    const roomCode = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-02-02') } })).body.code;
    await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code: roomCode, target: { type: 'room', roomId: 'yangliu-neighbours@chatroom', topic: '杨柳村邻里群' } } });

    const stranger = await s.api('POST', '/api/v1/bot/rooms/unbind', { token: bot, body: { roomId: 'yangliu-neighbours@chatroom', byContactId: 'wxid_demo_resident_05' } });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toContain('杨柳村');

    const ok = await s.api('POST', '/api/v1/bot/rooms/unbind', { token: bot, body: { roomId: 'yangliu-neighbours@chatroom', byContactId: 'wxid_demo_yangliu_staff' } });
    expect(ok.status).toBe(200);
    expect(ok.body.region.name).toBe('杨柳村');
    const gone = await s.api('POST', '/api/v1/bot/rooms/unbind', { token: bot, body: { roomId: 'yangliu-neighbours@chatroom', byContactId: 'wxid_demo_yangliu_staff' } });
    expect(gone.status).toBe(404);
  });

  it('refuses a contact already bound to someone else', async () => {
    const staff = await s.staffToken('qingshi_grid2');
    const { code } = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'contact' } })).body;
    // wxid_demo_qingshi_grid1 is bound to the first grid worker by the seed.
    const res = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target: { type: 'contact', contactId: 'wxid_demo_qingshi_grid1', name: 'x' } } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('其他账号');
    // The code was not spent by the refusal.
    const retry = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code, target: { type: 'contact', contactId: 'wxid_demo_qingshi_grid2', name: 'x' } } });
    expect(retry.status).toBe(200);
  });

  it('rejects a contact id with @', async () => {
    const res = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: bot, body: { code: '123456', target: { type: 'contact', contactId: 'a@b', name: 'x' } } });
    expect(res.status).toBe(400);
  });
});

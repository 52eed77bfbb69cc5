/**
 * The room-binding plugin end to end: the bot on the simulated WeChat of the demo county talks
 * to the real server (own embedded database, seeded with the demo county). Staff get codes
 * through the staff API, people say `绑定 <code>` / `解绑` in the simulated groups, and the
 * answers and the server's records are checked. The Chinese refusals are the server's own
 * (server/bindings/service.ts); the bot passes them on.
 */
import pino from 'pino';
import { types } from 'wechaty';
import { maskContactId } from '../../bot/runtime/log-mask';
import { guardHandler } from '../../bot/plugins/support';
import { INVALID_CODE_MESSAGE as INVALID, ROOM_CODE_NOT_YOURS_MESSAGE as NOT_YOURS, ROOM_SPEAKER_NOT_STAFF_MESSAGE as NOT_STAFF } from '../../server/bindings/service';
import { identityKey } from '../../server/users/model';
import { startTestServer, type TestServer } from '../helpers/server';
import { closedPortUrl, DEMO, startHarness, type Harness } from './harness';

const { xicheng, dongcheng, yangliu } = DEMO;
const UNAVAILABLE = '服务暂时不可用，请稍后再试';
const REDEEM = '/api/v1/bot/bindings/redeem';
const UNBIND = '/api/v1/bot/rooms/unbind';

describe('room binding plugin on the real server', () => {
  let s: TestServer;
  let serverUp = true;
  let botToken: string;
  let xichengRegionId: string;
  let dongchengRegionId: string;
  let h: Harness;
  // The server's clock is fixed and moves two days ahead before each test, so each starts with
  // fresh attempt limits (server/bindings/attempts.ts) instead of the ones earlier tests spent.
  // Catches: the limit test on the real clock failing when a 10-minute window (fixed windows from
  // the epoch) ends between the five tries it counts and the sixth it expects refused.
  let clock = Date.parse('2026-11-30T15:55:00.000Z'); // 23:55 on the last day of November in China

  beforeAll(async () => {
    s = await startTestServer({ now: () => new Date(clock) });
    botToken = s.ctx.config.botToken;
    const region = async (code: string) => {
      const found = await s.models.Region.findOne({ code }).lean();
      if (!found) throw new Error(`demo region ${code} is not seeded`);
      return String(found._id);
    };
    xichengRegionId = await region(xicheng.regionCode);
    dongchengRegionId = await region(dongcheng.regionCode);
  });

  afterAll(async () => {
    if (serverUp) await s.stop();
  });

  beforeEach(async () => {
    clock += 2 * 24 * 60 * 60 * 1000;
    // Back to the seed for the group the tests bind: 西城社区邻里群 unbound.
    if (serverUp) await s.models.Room.deleteOne({ roomId: xicheng.room });
    h = await startHarness({ serverUrl: s.url, botToken });
  });

  afterEach(async () => {
    await h.stop();
  });

  /** A staff member asks the server for a one-time code, as the workbench does. */
  async function issueCode(username: string, body: { type: 'room'; regionId: string } | { type: 'contact' }): Promise<string> {
    const res = await s.api('POST', '/api/v1/binding-codes', { body, token: await s.staffToken(username) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: expect.stringMatching(/^\d{8}$/), type: body.type });
    return res.body.code as string;
  }
  const xichengRoomCode = () => issueCode(xicheng.staffUsername, { type: 'room', regionId: xichengRegionId });

  /** What the server says is bound, asked the way the bot asks. */
  async function boundRooms(): Promise<Array<{ roomId: string; topic: string; region: { id: string; name: string } }>> {
    const res = await s.api('GET', '/api/v1/bot/rooms', { token: botToken });
    expect(res.status).toBe(200);
    return res.body.items;
  }
  const boundRoom = async (roomId: string) => (await boundRooms()).find((r) => r.roomId === roomId);

  const calls = (path: string) => h.requests.filter((r) => r.path === path);

  test('绑定 <code> in a room binds it on the server and answers in the room', async () => {
    const code = await xichengRoomCode();
    expect(await boundRoom(xicheng.room)).toBeUndefined();

    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');

    expect(await boundRoom(xicheng.room)).toMatchObject({ roomId: xicheng.room, topic: xicheng.topic, region: { id: xichengRegionId, name: '西城社区' } });
    const stored = await s.models.Room.findOne({ roomId: xicheng.room }).lean();
    expect(String(stored?.regionId)).toBe(xichengRegionId);
    const used = await s.models.BindingCode.findOne({ code }).lean();
    expect(used).toMatchObject({ usedFor: xicheng.room });
    expect(used?.usedAt).toBeInstanceOf(Date);

    expect(calls(REDEEM)).toEqual([
      { method: 'POST', path: REDEEM, authorization: `Bearer ${botToken}`, body: { code, target: { type: 'room', roomId: xicheng.room, topic: xicheng.topic, byContactId: xicheng.staff } } },
    ]);
    // The answer went to the room, not privately to the speaker.
    expect(h.sim.transcript(xicheng.room).map((e) => [e.fromBot, e.text])).toEqual([
      [false, `绑定 ${code}`],
      [true, '绑定成功：本群已关联到「西城社区」'],
    ]);
    expect(h.sim.transcript(xicheng.staff)).toEqual([]);
    // The speaker's contact id is in the log only masked.
    expect(h.logs.find((l) => l.msg === 'binding redeemed')).toMatchObject({ roomId: xicheng.room, by: maskContactId(xicheng.staff) });
    expect(JSON.stringify(h.logs)).not.toContain(xicheng.staff);
  });

  test('accepts an @mention of the bot, full-width digits and no space', async () => {
    const code = await xichengRoomCode();
    const fullWidth = code.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    await expect(h.ask(xicheng.staff, `@东溪融媒小助手\u2005绑定${fullWidth}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
    expect(calls(REDEEM)[0]?.body).toMatchObject({ code });
    expect((await boundRoom(xicheng.room))?.region.name).toBe('西城社区');
  });

  test('a used code is refused the second time, and the first binding stays', async () => {
    const code = await xichengRoomCode();
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
    await expect(h.ask(xicheng.resident, `绑定 ${code}`, xicheng.room)).resolves.toBe(NOT_STAFF);
    // The same code in another (unbound) group binds nothing either.
    await expect(h.ask(yangliu.staff, `绑定 ${code}`, yangliu.room)).resolves.toBe(INVALID);
    expect(await boundRoom(yangliu.room)).toBeUndefined();
    expect((await boundRoom(xicheng.room))?.region.id).toBe(xichengRegionId);
  });

  test('an unknown code and an expired code get the one answer for codes that do not work', async () => {
    let unknown = '';
    for (let n = 0; !unknown; n++) {
      const candidate = String(12345678 + n * 7919).padStart(8, '0').slice(-8);
      if (!(await s.models.BindingCode.exists({ code: candidate }))) unknown = candidate;
    }
    await expect(h.ask(xicheng.staff, `绑定 ${unknown}`, xicheng.room)).resolves.toBe(INVALID);

    const expired = await xichengRoomCode();
    await s.models.BindingCode.updateOne({ code: expired }, { $set: { expiresAt: new Date(s.ctx.now().getTime() - 60_000) } });
    await expect(h.ask(xicheng.staff, `绑定 ${expired}`, xicheng.room)).resolves.toBe(INVALID);

    expect(calls(REDEEM)).toHaveLength(2);
    expect(await boundRoom(xicheng.room)).toBeUndefined();
  });

  test('a missing or malformed code is answered by the bot without asking the server', async () => {
    await expect(h.ask(xicheng.staff, '绑定', xicheng.room)).resolves.toBe('请发送：绑定 八位绑定码');
    await expect(h.ask(xicheng.staff, '绑定 1234567', xicheng.room)).resolves.toBe('绑定码应为8位数字，请发送：绑定 八位绑定码');
    await expect(h.ask(xicheng.staff, '绑定 123456789', xicheng.room)).resolves.toBe('绑定码应为8位数字，请发送：绑定 八位绑定码');
    await expect(h.ask(xicheng.staff, '绑定 abcdefgh', xicheng.room)).resolves.toBe('绑定码应为8位数字，请发送：绑定 八位绑定码');
    await expect(h.ask(xicheng.staff, '绑定')).resolves.toBe('请发送：绑定 八位绑定码');
    expect(h.requests).toEqual([]);
    expect(await boundRoom(xicheng.room)).toBeUndefined();
  });

  test('ordinary chatter that starts with 绑定 is left alone', async () => {
    h.sim.say({ contactId: xicheng.resident, roomId: xicheng.room, text: '绑定手机号怎么弄？' });
    // Messages are handled in order: once the later command is answered, the chatter was handled.
    await expect(h.ask(xicheng.resident, '绑定', xicheng.room)).resolves.toBe('请发送：绑定 八位绑定码');
    expect(h.sim.transcript(xicheng.room).filter((e) => e.fromBot).map((e) => e.text)).toEqual(['请发送：绑定 八位绑定码']);
    expect(h.requests).toEqual([]);
  });

  test('a code of the wrong kind gets the one answer and binds nothing', async () => {
    const contactCode = await issueCode(xicheng.staffUsername, { type: 'contact' });
    await expect(h.ask(xicheng.staff, `绑定 ${contactCode}`, xicheng.room)).resolves.toBe(INVALID);
    const roomCode = await xichengRoomCode();
    await expect(h.ask(xicheng.staff, `绑定 ${roomCode}`)).resolves.toBe(INVALID);

    expect(await boundRoom(xicheng.room)).toBeUndefined();
    const staff = await s.models.User.findOne({ username: xicheng.staffUsername }).lean();
    expect(staff?.wechatContactId).toBe(xicheng.staff);
    // Neither code was spent: each still works where it belongs.
    await expect(h.ask(xicheng.staff, `绑定 ${roomCode}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
  });

  test('a contact code said privately binds the staff member’s WeChat, from which they may then bind and 解绑 their group', async () => {
    // 秦红霞 as before she bound her WeChat (the seed binds it for the README's walkthrough).
    const staff = (await s.models.User.findOne({ username: xicheng.staffUsername }).lean())!;
    await s.models.Identity.deleteOne({ key: identityKey.contact(xicheng.staff) });
    await s.models.User.updateOne({ _id: staff._id }, { $set: { wechatContactId: null } });

    // Catches: a group code redeemed from a WeChat nobody has tied to its maker.
    const roomCode = await xichengRoomCode();
    await expect(h.ask(xicheng.staff, `绑定 ${roomCode}`, xicheng.room)).resolves.toBe(NOT_STAFF);
    expect(await boundRoom(xicheng.room)).toBeUndefined();

    const contactCode = await issueCode(xicheng.staffUsername, { type: 'contact' });
    await expect(h.ask(xicheng.staff, `绑定 ${contactCode}`)).resolves.toBe(`绑定成功：您的微信已关联到「${staff.name}」。现在可以在群里发送您生成的群聊绑定码，或发送「解绑」`);
    expect(calls(REDEEM).at(-1)?.body).toEqual({ code: contactCode, target: { type: 'contact', contactId: xicheng.staff, name: h.sim.contact(xicheng.staff).payload.name } });
    expect(h.sim.transcript(xicheng.staff).map((e) => e.fromBot)).toEqual([false, true]);
    expect((await s.models.User.findById(staff._id).lean())?.wechatContactId).toBe(xicheng.staff);

    // The refused group code was not spent: it works now, from her bound WeChat.
    await expect(h.ask(xicheng.staff, `绑定 ${roomCode}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
    await expect(h.ask(xicheng.staff, '解绑', xicheng.room)).resolves.toBe('解绑成功：本群已不再关联「西城社区」');
    expect(await boundRoom(xicheng.room)).toBeUndefined();
  });

  // Catches: a code seen in its two hours bound by someone else (a member, another community's staff).
  test('a group code said by anyone but its maker is refused, and still works for its maker', async () => {
    const code = await xichengRoomCode();
    await expect(h.ask(xicheng.resident, `绑定 ${code}`, xicheng.room)).resolves.toBe(NOT_STAFF);
    // 西城社区's first grid worker: bound staff (seed), a member of the group, not the code's maker.
    await expect(h.ask('wxid_demo_xicheng_grid1', `绑定 ${code}`, xicheng.room)).resolves.toBe(NOT_YOURS);
    expect(await boundRoom(xicheng.room)).toBeUndefined();
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
  });

  // Catches: a bound group silently moved to another community by a new code.
  test('a group bound to another community moves only after that community’s staff say 解绑', async () => {
    // 秦红霞 is also a member of 东城社区's group (the simulated WeChat's rooms are this test's own).
    h.sim.room(dongcheng.room).payload.memberIdList.push(xicheng.staff);
    const code = await xichengRoomCode();
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, dongcheng.room)).resolves.toBe(
      '本群已关联到「东城社区」，不能直接改绑到「西城社区」：请先由「东城社区」的工作人员在本群发送「解绑」，再发送绑定码',
    );
    expect((await boundRoom(dongcheng.room))?.region.id).toBe(dongchengRegionId);
    // Another community's staff cannot unbind it either; its own can, and then the code works.
    await expect(h.ask(xicheng.staff, '解绑', dongcheng.room)).resolves.toBe('只有「东城社区」的工作人员可以解绑（请先私聊机器人绑定个人微信）');
    await expect(h.ask(dongcheng.staff, '解绑', dongcheng.room)).resolves.toBe('解绑成功：本群已不再关联「东城社区」');
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, dongcheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
    expect((await boundRoom(dongcheng.room))?.region.id).toBe(xichengRegionId);

    // Back as seeded, the same way.
    await expect(h.ask(xicheng.staff, '解绑', dongcheng.room)).resolves.toBe('解绑成功：本群已不再关联「西城社区」');
    const back = await issueCode(dongcheng.staffUsername, { type: 'room', regionId: dongchengRegionId });
    await expect(h.ask(dongcheng.staff, `绑定 ${back}`, dongcheng.room)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
  });

  test('解绑: a stranger gets 403, bound staff may unbind, an unbound group 404', async () => {
    expect((await boundRoom(dongcheng.room))?.region.id).toBe(dongchengRegionId);

    await expect(h.ask(dongcheng.resident, '解绑', dongcheng.room)).resolves.toBe('只有「东城社区」的工作人员可以解绑（请先私聊机器人绑定个人微信）');
    expect(calls(UNBIND)).toEqual([
      { method: 'POST', path: UNBIND, authorization: `Bearer ${botToken}`, body: { roomId: dongcheng.room, byContactId: dongcheng.resident } },
    ]);
    expect(await boundRoom(dongcheng.room)).toBeDefined();

    await expect(h.ask(dongcheng.staff, '解绑', dongcheng.room)).resolves.toBe('解绑成功：本群已不再关联「东城社区」');
    expect(await boundRoom(dongcheng.room)).toBeUndefined();
    expect(await s.models.Room.exists({ roomId: dongcheng.room })).toBeNull();

    await expect(h.ask(dongcheng.staff, '解绑', dongcheng.room)).resolves.toBe('本群尚未绑定，无需解绑');
    await expect(h.ask(dongcheng.staff, '解绑')).resolves.toBe('请在要解绑的群里发送：解绑');

    // Bound again through the bot, as in the seed.
    const code = await issueCode(dongcheng.staffUsername, { type: 'room', regionId: dongchengRegionId });
    await expect(h.ask(dongcheng.staff, `绑定 ${code}`, dongcheng.room)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
    expect((await boundRoom(dongcheng.room))?.region.id).toBe(dongchengRegionId);
  });

  // Catches: unlimited guessing through the bot (`绑定 00000000` ... `绑定 99999999`).
  test('after 5 tries by one speaker the bot says to wait, and the code is not tried', async () => {
    for (let n = 0; n < 5; n++) await expect(h.ask(xicheng.resident, `绑定 0000000${n}`, xicheng.room)).resolves.toBe(NOT_STAFF);
    const code = await xichengRoomCode();
    await expect(h.ask(xicheng.resident, `绑定 ${code}`, xicheng.room)).resolves.toMatch(/^绑定码尝试次数过多，请 ([1-9]|10) 分钟后再试$/);
    expect(await boundRoom(xicheng.room)).toBeUndefined();
    expect(h.logs.some((l) => l.msg === 'binding attempts limited by the server')).toBe(true);
    // Another speaker in the same group is not held back by the first one's limit.
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
  });

  test('the bot ignores its own messages', async () => {
    const code = await xichengRoomCode();
    h.sim.botUser.say(`绑定 ${code}`).to(h.sim.room(xicheng.room));
    // A later message is answered only after the bot's own one was handled (in order).
    await expect(h.ask(xicheng.staff, '绑定', xicheng.room)).resolves.toBe('请发送：绑定 八位绑定码');
    expect(h.requests).toEqual([]);
    expect(h.sim.transcript(xicheng.room).map((e) => e.text)).toEqual([`绑定 ${code}`, '绑定', '请发送：绑定 八位绑定码']);
  });

  test('messages older than the bot start are ignored', async () => {
    const code = await xichengRoomCode();
    const { mocker, puppet } = h.sim;
    mocker.MessageMock.create({
      id: 'old-message-1',
      talkerId: xicheng.staff,
      roomId: xicheng.room,
      text: `绑定 ${code}`,
      timestamp: Date.now() - 60_000,
      type: types.Message.Text,
      mentionIdList: [],
    });
    puppet.emit('message', { messageId: 'old-message-1' });
    // A fresh message with the same code still works; had the old one been acted on, its redeem
    // would have gone out first (messages are handled in order) and this one would be refused.
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe('绑定成功：本群已关联到「西城社区」');
    expect(calls(REDEEM)).toHaveLength(1);
    expect(h.sim.transcript(xicheng.room).filter((e) => e.fromBot)).toHaveLength(1);
  });

  test('a wrong bot token is logged and answered as unavailable', async () => {
    await h.stop();
    h = await startHarness({ serverUrl: s.url, botToken: 'wrong-token-0123456789abcdef' });
    const code = await xichengRoomCode();
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe(UNAVAILABLE);
    expect(h.logs.some((l) => l.level === 50 && /BOT_TOKEN/.test(l.msg))).toBe(true);
    expect(await boundRoom(xicheng.room)).toBeUndefined();
  });

  test('a 5xx HTML page from a proxy in front of the server is "try later", not the raw body', async () => {
    // The real server answers JSON; an HTML 502 comes from a reverse proxy whose upstream is down.
    // The bot's fetch is swapped for one that plays that proxy for the redeem call only.
    await h.stop();
    const proxyDown: typeof fetch = async (input, init) =>
      String(input).endsWith(REDEEM) ? new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }) : fetch(input, init);
    h = await startHarness({ serverUrl: s.url, botToken, client: { fetch: proxyDown } });
    await expect(h.ask(xicheng.staff, `绑定 ${await xichengRoomCode()}`, xicheng.room)).resolves.toBe(UNAVAILABLE);
    // The other endpoints still reach the real server.
    await expect(h.ask(xicheng.staff, '解绑', xicheng.room)).resolves.toBe('本群尚未绑定，无需解绑');
  });

  // Keep last in this describe: it stops the shared server.
  test('when the server stops, the bot answers 服务暂时不可用 after retrying', async () => {
    const code = await xichengRoomCode();
    await s.stop();
    serverUp = false;
    await expect(h.ask(xicheng.staff, `绑定 ${code}`, xicheng.room)).resolves.toBe(UNAVAILABLE);
    await expect(h.ask(dongcheng.staff, '解绑', dongcheng.room)).resolves.toBe(UNAVAILABLE);
    expect(h.logs.filter((l) => l.msg === 'server request failed, retrying').length).toBeGreaterThanOrEqual(2);
    expect(h.logs.some((l) => l.msg === 'server unavailable')).toBe(true);
  });
});

describe('room binding when no server listens', () => {
  test('answers 服务暂时不可用 after retrying', async () => {
    const h = await startHarness({ serverUrl: await closedPortUrl(), botToken: 'unused-token-0123456789abcdef' });
    try {
      await expect(h.ask(DEMO.xicheng.staff, '绑定 12345678', DEMO.xicheng.room)).resolves.toBe(UNAVAILABLE);
      await expect(h.ask(DEMO.dongcheng.staff, '解绑', DEMO.dongcheng.room)).resolves.toBe(UNAVAILABLE);
      await expect(h.ask(DEMO.xicheng.staff, '绑定 12345678')).resolves.toBe(UNAVAILABLE);
      // Three POSTs, each sent 1 + 2 times: the connection was refused, so resending is safe.
      expect(h.requests).toHaveLength(9);
      expect(h.logs.filter((l) => l.msg === 'server request failed, retrying')).toHaveLength(6);
    } finally {
      await h.stop();
    }
  });
});

describe('handler errors', () => {
  test('go to the logger through the bot error channel and the bot keeps answering', async () => {
    // No server needed: `绑定` without a code is answered by the bot itself.
    const h = await startHarness({
      serverUrl: await closedPortUrl(),
      botToken: 'unused-token-0123456789abcdef',
      plugins: {
        extra: [
          (bot) => {
            const explode = async () => {
              throw new Error('boom');
            };
            bot.on('message', guardHandler(bot, pino({ level: 'silent' }), 'explodes', explode));
          },
        ],
      },
    });
    try {
      await expect(h.ask(DEMO.xicheng.staff, '绑定', DEMO.xicheng.room)).resolves.toBe('请发送：绑定 八位绑定码');
      await expect(h.waitForLog((l) => l.msg === 'bot error: boom')).resolves.toMatchObject({ level: 50 });
      await expect(h.ask(DEMO.xicheng.staff, '绑定', DEMO.xicheng.room)).resolves.toBe('请发送：绑定 八位绑定码');
    } finally {
      await h.stop();
    }
  });
});

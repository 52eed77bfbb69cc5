import pino from 'pino';
import { types } from 'wechaty';
import { guardHandler } from '../../bot/plugins/support';
import { GRID, OTHER_ROOM, RESIDENT, ROOM, STAFF, sleep, startHarness, type Harness } from './harness';
import { startStubServer, type StubServer } from './stub-server';

describe('room binding plugin (against the stub server)', () => {
  let server: StubServer;
  let h: Harness;

  beforeEach(async () => {
    server = await startStubServer();
    h = await startHarness({ serverUrl: server.url, botToken: server.botToken });
  });

  afterEach(async () => {
    await h.stop();
    await server.close();
  });

  const redeemCalls = () => server.requests.filter((r) => r.path === '/api/v1/bot/bindings/redeem');

  test('绑定 <code> in a room binds it and answers in the room', async () => {
    const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    await expect(h.ask(STAFF, `绑定 ${code}`, ROOM)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
    expect(server.rooms.get(ROOM)).toEqual({ topic: '东城社区居民群', regionId: 'r-dongcheng' });
    expect(redeemCalls()[0]).toMatchObject({
      authorization: `Bearer ${server.botToken}`,
      body: { code, target: { type: 'room', roomId: ROOM, topic: '东城社区居民群' } },
    });
    // The answer went to the room, not privately to the speaker.
    expect(h.sim.transcript(ROOM).map((e) => [e.fromBot, e.text])).toEqual([
      [false, `绑定 ${code}`],
      [true, '绑定成功：本群已关联到「东城社区」'],
    ]);
    expect(h.sim.transcript(STAFF)).toEqual([]);
  });

  test('accepts an @mention, full-width digits and no space', async () => {
    const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    const fullWidth = code.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    await expect(h.ask(STAFF, `@县融小助手\u2005绑定${fullWidth}`, ROOM)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
  });

  test('missing, malformed, unknown and used codes are answered in Chinese', async () => {
    await expect(h.ask(STAFF, '绑定', ROOM)).resolves.toBe('请发送：绑定 六位绑定码');
    await expect(h.ask(STAFF, '绑定 12345', ROOM)).resolves.toBe('绑定码应为6位数字，请发送：绑定 六位绑定码');
    await expect(h.ask(STAFF, '绑定 abcdef', ROOM)).resolves.toBe('绑定码应为6位数字，请发送：绑定 六位绑定码');
    expect(redeemCalls()).toHaveLength(0);

    await expect(h.ask(STAFF, '绑定 999999', ROOM)).resolves.toBe('绑定码无效');

    const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    await expect(h.ask(STAFF, `绑定 ${code}`, ROOM)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
    await expect(h.ask(RESIDENT, `绑定 ${code}`, OTHER_ROOM)).resolves.toBe('绑定码已使用');

    const expired = server.issueCode({ type: 'room', regionId: 'r-xiguan' }, -1);
    await expect(h.ask(RESIDENT, `绑定 ${expired}`, OTHER_ROOM)).resolves.toBe('绑定码已过期');
  });

  test('ordinary chatter that starts with 绑定 is left alone', async () => {
    h.sim.say({ contactId: RESIDENT, roomId: ROOM, text: '绑定手机号怎么弄？' });
    await sleep(150);
    expect(h.sim.transcript(ROOM).filter((e) => e.fromBot)).toEqual([]);
  });

  test('绑定 <code> in a private chat binds the contact', async () => {
    const code = server.issueCode({ type: 'contact', userId: 'u-grid-dongcheng' });
    await expect(h.ask(GRID, `绑定 ${code}`)).resolves.toBe('绑定成功：您的微信已关联到「赵强」（东城社区）');
    expect(server.contacts.get(GRID)).toBe('u-grid-dongcheng');
    expect(redeemCalls()[0]?.body).toEqual({ code, target: { type: 'contact', contactId: GRID, name: '赵强' } });
    expect(h.sim.transcript(GRID).map((e) => e.fromBot)).toEqual([false, true]);
  });

  test('a code of the wrong kind gets the server 400 message', async () => {
    const roomCode = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    await expect(h.ask(GRID, `绑定 ${roomCode}`)).resolves.toBe('这是群聊绑定码，请在要绑定的群里发送');
    const contactCode = server.issueCode({ type: 'contact', userId: 'u-staff-dongcheng' });
    await expect(h.ask(STAFF, `绑定 ${contactCode}`, ROOM)).resolves.toBe('这是个人绑定码，请私聊机器人发送');
  });

  test('解绑: bound staff may unbind, others get 403, an unbound room 404', async () => {
    await expect(h.ask(STAFF, '解绑', ROOM)).resolves.toBe('本群尚未绑定');

    await h.ask(STAFF, `绑定 ${server.issueCode({ type: 'room', regionId: 'r-dongcheng' })}`, ROOM);
    await expect(h.ask(RESIDENT, '解绑', ROOM)).resolves.toBe('只有本社区已绑定微信的工作人员可以解绑本群');
    expect(server.requests.at(-1)?.body).toEqual({ roomId: ROOM, byContactId: RESIDENT });

    await h.ask(STAFF, `绑定 ${server.issueCode({ type: 'contact', userId: 'u-staff-dongcheng' })}`);
    await expect(h.ask(STAFF, '解绑', ROOM)).resolves.toBe('解绑成功：本群已不再关联「东城社区」');
    expect(server.rooms.has(ROOM)).toBe(false);

    await expect(h.ask(STAFF, '解绑')).resolves.toBe('请在要解绑的群里发送：解绑');
  });

  test('the bot ignores its own messages', async () => {
    const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    h.sim.botUser.say(`绑定 ${code}`).to(h.sim.room(ROOM));
    await sleep(150);
    expect(redeemCalls()).toHaveLength(0);
    expect(h.sim.transcript(ROOM)).toHaveLength(1);
  });

  test('messages older than the bot start are ignored', async () => {
    const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
    const { mocker, puppet } = h.sim;
    mocker.MessageMock.create({
      id: 'old-message-1',
      talkerId: STAFF,
      roomId: ROOM,
      text: `绑定 ${code}`,
      timestamp: Date.now() - 60_000,
      type: types.Message.Text,
      mentionIdList: [],
    });
    puppet.emit('message', { messageId: 'old-message-1' });
    await sleep(150);
    expect(redeemCalls()).toHaveLength(0);
    // A fresh message with the same code still works.
    await expect(h.ask(STAFF, `绑定 ${code}`, ROOM)).resolves.toBe('绑定成功：本群已关联到「东城社区」');
  });

  test('a wrong bot token is logged and answered as unavailable', async () => {
    await h.stop();
    h = await startHarness({ serverUrl: server.url, botToken: 'wrong-token' });
    await expect(h.ask(STAFF, '绑定 123456', ROOM)).resolves.toBe('服务暂时不可用，请稍后再试');
    expect(h.logs.some((l) => l.level === 50 && /BOT_TOKEN/.test(l.msg))).toBe(true);
  });

  test('a 5xx or non-JSON answer is "try later", not the raw body', async () => {
    server.failNext('/api/v1/bot/bindings/redeem', 502, '<html>Bad Gateway</html>');
    await expect(h.ask(STAFF, '绑定 123456', ROOM)).resolves.toBe('服务暂时不可用，请稍后再试');
  });
});

describe('room binding when the server is down', () => {
  test('answers 服务暂时不可用 after retrying', async () => {
    const server = await startStubServer();
    const { url, botToken } = server;
    await server.close(); // nothing listens on that port any more: ECONNREFUSED
    const h = await startHarness({ serverUrl: url, botToken });
    try {
      await expect(h.ask(STAFF, '绑定 123456', ROOM)).resolves.toBe('服务暂时不可用，请稍后再试');
      await expect(h.ask(STAFF, '解绑', ROOM)).resolves.toBe('服务暂时不可用，请稍后再试');
      expect(h.logs.filter((l) => l.msg === 'server request failed, retrying').length).toBeGreaterThanOrEqual(2);
    } finally {
      await h.stop();
    }
  });
});

describe('handler errors', () => {
  test('go to the logger through the bot error channel and the bot keeps answering', async () => {
    const server = await startStubServer();
    const h = await startHarness({
      serverUrl: server.url,
      botToken: server.botToken,
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
      await expect(h.ask(STAFF, '绑定', ROOM)).resolves.toBe('请发送：绑定 六位绑定码');
      await sleep(20);
      expect(h.logs.some((l) => l.level === 50 && l.msg === 'bot error: boom')).toBe(true);
      await expect(h.ask(STAFF, '绑定', ROOM)).resolves.toBe('请发送：绑定 六位绑定码');
    } finally {
      await h.stop();
      await server.close();
    }
  });
});

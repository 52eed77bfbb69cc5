/**
 * Appeal intake in groups and `查询 <编号>`, end to end: the bot on the simulated WeChat of the
 * demo county talks to the real server (own embedded database, seeded). 东城社区邻里群 is seeded
 * bound, 西城社区邻里群 unbound (tests/bot/harness.ts DEMO).
 */
import { types } from 'wechaty';
import { chinaShortTime } from '../../common/china-time';
import { maskContactId } from '../../bot/runtime/log-mask';
import { startTestServer, type TestServer } from '../helpers/server';
import { closedPortUrl, DEMO, demoPhoto, injectMessage, sendPhoto, startHarness, type Harness } from './harness';

const { dongcheng, xicheng } = DEMO;
const UNAVAILABLE = '服务暂时不可用，请稍后再试';
const APPEALS = '/api/v1/bot/appeals';
const PHOTOS = '/api/v1/bot/photos';
const ATTACH = '/api/v1/bot/appeals/photos';
const NUMBER = /DX-\d{8}-\d{4,6}/;
/** Another member of 东城社区邻里群 (a demo resident whose community is 东城社区). */
const neighbour = 'wxid_demo_resident_07';

describe('appeal intake and 查询 on the real server', () => {
  let s: TestServer;
  let botToken: string;
  let h: Harness;
  /** The intake's clock runs this far ahead, to step past the photo window without waiting. */
  let intakeClockOffsetMs = 0;

  beforeAll(async () => {
    s = await startTestServer();
    botToken = s.ctx.config.botToken;
  });
  afterAll(async () => {
    await s.stop();
  });
  beforeEach(async () => {
    intakeClockOffsetMs = 0;
    h = await startHarness({ serverUrl: s.url, botToken, plugins: { appealIntake: { now: () => Date.now() + intakeClockOffsetMs } } });
  });
  afterEach(async () => {
    await h.stop();
  });

  const calls = (path: string) => h.requests.filter((r) => r.path === path);
  const nameOf = (contactId: string) => h.sim.contact(contactId).payload.name;
  const numberIn = (text: string) => NUMBER.exec(text)?.[0] ?? '';

  // Catches: the keyword not filing, the answer not going to the group with an @mention, or the
  // appeal not carrying the group, the member and the message's idempotency key.
  test('#报事 in a bound group files an appeal for its community and answers with the number', async () => {
    const reply = h.sim.nextBotMessage(dongcheng.room, 10_000);
    const messageId = h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '#报事 小区东门的路灯坏了三天了' });
    const answer = (await reply).text;
    const number = numberIn(answer);
    expect(answer).toBe(`@${nameOf(dongcheng.resident)} 已收到您的诉求，编号 ${number}，可发送「查询 ${number}」查看进度。仅工作人员可见。`);

    expect(calls(APPEALS)).toEqual([
      {
        method: 'POST',
        path: APPEALS,
        authorization: `Bearer ${botToken}`,
        body: {
          idempotencyKey: `msg:${messageId}`,
          channel: 'group_chat',
          roomId: dongcheng.room,
          contact: { id: dongcheng.resident, name: nameOf(dongcheng.resident) },
          text: '小区东门的路灯坏了三天了',
        },
      },
    ]);
    const stored = await s.models.Appeal.findOne({ number }).lean();
    expect(stored).toMatchObject({ channel: 'group_chat', roomId: dongcheng.room, reporterContactId: dongcheng.resident, description: '小区东门的路灯坏了三天了', isPublic: false });
    expect(String(stored?.regionId)).toBe(await s.regionId(dongcheng.regionCode));
    // The message body never reaches the log.
    expect(JSON.stringify(h.logs)).not.toContain('路灯');
  });

  // Catches: a group appeal published to the whole county without the member asking, or the
  // member's 公开 ignored (or left in the text).
  test('#报事 公开 … files a public appeal; without 公开 it is private', async () => {
    const answer = await h.ask(dongcheng.resident, '#报事 公开 小区广场的路面塌了一个坑', dongcheng.room);
    expect(answer).toMatch(/已收到您的诉求，编号 DX-\S+，可发送「查询 \S+」查看进度。已按您的要求公开。$/);
    const stored = await s.models.Appeal.findOne({ number: numberIn(answer) }).lean();
    expect(stored).toMatchObject({ isPublic: true, description: '小区广场的路面塌了一个坑' });
    expect(calls(APPEALS).map((r) => (r.body as { isPublic?: boolean }).isPublic)).toEqual([true]);

    const usage = await h.ask(dongcheng.resident, '#报事 公开', dongcheng.room);
    expect(usage).toContain('愿意公开展示的，请在内容前加「公开」，例如：#报事 公开 小区东门路灯不亮');
  });

  // Catches: only the ASCII form being recognised, or a real @mention (mention list) being missed.
  test('＃诉求 (full width), #诉求： and an @mention of the bot all file', async () => {
    await expect(h.ask(dongcheng.resident, '＃诉求 垃圾桶满了没人清', dongcheng.room)).resolves.toMatch(/已收到您的诉求，编号 DX-/);
    await expect(h.ask(dongcheng.resident, '#诉求：楼道里堆满杂物', dongcheng.room)).resolves.toMatch(/已收到您的诉求/);

    // The way WeChat delivers a mention: the bot is in the message's mention list.
    const reply = h.sim.nextBotMessage(dongcheng.room, 10_000);
    h.sim.contact(dongcheng.resident).say('@东溪融媒小助手\u2005健身器材坏了', [h.sim.botUser]).to(h.sim.room(dongcheng.room));
    await expect(reply.then((e) => e.text)).resolves.toMatch(/已收到您的诉求/);
    // A puppet that gives no mention list: the typed @name still counts.
    await expect(h.ask(dongcheng.resident, '@东溪融媒小助手 井盖松动了', dongcheng.room)).resolves.toMatch(/已收到您的诉求/);

    expect(calls(APPEALS).map((r) => (r.body as { text: string }).text)).toEqual(['垃圾桶满了没人清', '楼道里堆满杂物', '健身器材坏了', '井盖松动了']);
  });

  // Catches: an @bot binding command or query also filing an appeal, or chatter being filed.
  test('commands for other plugins and ordinary chatter file nothing', async () => {
    await expect(h.ask(dongcheng.staff, '@东溪融媒小助手 绑定 12345678', dongcheng.room)).resolves.not.toMatch(/诉求/);
    await expect(h.ask(dongcheng.resident, '@东溪融媒小助手 查询 DX-20200101-0001', dongcheng.room)).resolves.toMatch(/^@\S+ 未找到编号 DX-20200101-0001/);
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '今晚广场舞几点开始？' });
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '报事 没有井号不算' });
    // The next answered command proves the chatter before it was handled (handlers start in order).
    await expect(h.ask(dongcheng.resident, '#报事', dongcheng.room)).resolves.toMatch(/请在关键词后写明诉求内容/);
    expect(calls(APPEALS)).toEqual([]);
  });

  // Catches: an empty appeal sent to the server, or the server's refusal replaced by "try later".
  test('no text is answered with the usage; too short text with the server’s own message', async () => {
    await expect(h.ask(dongcheng.resident, '#报事', dongcheng.room)).resolves.toBe(
      `@${nameOf(dongcheng.resident)} 请在关键词后写明诉求内容，例如：#报事 小区东门路灯不亮\n诉求默认仅工作人员可见；愿意公开展示的，请在内容前加「公开」，例如：#报事 公开 小区东门路灯不亮`,
    );
    await expect(h.ask(dongcheng.resident, '@东溪融媒小助手', dongcheng.room)).resolves.toMatch(/请在关键词后写明诉求内容/);
    expect(calls(APPEALS)).toEqual([]);

    const direct = await s.api('POST', APPEALS, {
      token: botToken,
      body: { idempotencyKey: 'direct-short-1', channel: 'group_chat', roomId: dongcheng.room, contact: { id: dongcheng.resident, name: '居民' }, text: '坏' },
    });
    expect(direct.status).toBe(400);
    await expect(h.ask(dongcheng.resident, '#报事 坏', dongcheng.room)).resolves.toBe(`@${nameOf(dongcheng.resident)} ${direct.body.error.message}`);
  });

  // Catches: appeals filed for a group no community has claimed.
  test('in a group that is not bound the bot says so and nothing is filed', async () => {
    const before = await s.models.Appeal.countDocuments({ roomId: xicheng.room });
    await expect(h.ask(xicheng.resident, '#报事 路面塌陷', xicheng.room)).resolves.toBe(
      `@${nameOf(xicheng.resident)} 本群尚未绑定社区，暂不能受理诉求。请社区工作人员在工作台获取绑定码后，在群里发送：绑定 绑定码`,
    );
    expect(await s.models.Appeal.countDocuments({ roomId: xicheng.room })).toBe(before);
  });

  // Catches: a re-delivered message (puppet reconnect) filing a second appeal.
  test('the same message delivered twice is one appeal with one number', async () => {
    const first = h.sim.nextBotMessage(dongcheng.room, 10_000);
    const messageId = h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '#报事 自来水发黄有异味' });
    const number = numberIn((await first).text);
    const second = h.sim.nextBotMessage(dongcheng.room, 10_000);
    h.sim.puppet.emit('message', { messageId });
    expect(numberIn((await second).text)).toBe(number);
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: `msg:${messageId}` })).toBe(1);
  });

  // Catches: photos not joining, joining someone else's appeal, or being downloaded when ignored.
  test('a photo from the same member within the window joins the appeal; others’ photos are ignored', async () => {
    const number = numberIn(await h.ask(dongcheng.resident, '#报事 小区门口积水严重', dongcheng.room));
    const photo = await demoPhoto(1);

    const added = h.sim.nextBotMessage(dongcheng.room, 10_000);
    sendPhoto(h.sim, dongcheng.resident, photo, dongcheng.room);
    await expect(added.then((e) => e.text)).resolves.toBe(`@${nameOf(dongcheng.resident)} 已补充图片到 ${number}`);
    const stored = await s.models.Appeal.findOne({ number }).lean();
    expect(stored?.photoIds).toHaveLength(1);
    expect(calls(ATTACH)).toEqual([{ method: 'POST', path: ATTACH, authorization: `Bearer ${botToken}`, body: { roomId: dongcheng.room, contactId: dongcheng.resident, photoIds: stored!.photoIds } }]);

    // A neighbour's photo in the same group: not theirs to add, not even uploaded.
    sendPhoto(h.sim, neighbour, await demoPhoto(2), dongcheng.room);
    await h.waitForLog((l) => l.msg.startsWith('photo without a recent appeal') && l.by === maskContactId(neighbour));
    expect(calls(PHOTOS)).toHaveLength(1);
    expect((await s.models.Appeal.findOne({ number }).lean())?.photoIds).toHaveLength(1);
  });

  // Catches: a photo sent right after #报事 racing the filing and getting lost.
  test('a photo sent at once after #报事 waits for the appeal and joins it', async () => {
    const photo = await demoPhoto(3);
    const received = h.sim.nextBotMessage(dongcheng.room, 10_000);
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '#报事 电梯困人' });
    sendPhoto(h.sim, dongcheng.resident, photo, dongcheng.room);
    const number = numberIn((await received).text);
    expect(number).not.toBe('');
    // The photo's answer needs an upload, so it cannot come before this listener is in place.
    await expect(h.sim.nextBotMessage(dongcheng.room, 10_000).then((e) => e.text)).resolves.toBe(`@${nameOf(dongcheng.resident)} 已补充图片到 ${number}`);
    expect((await s.models.Appeal.findOne({ number }).lean())?.photoIds).toHaveLength(1);
  });

  // Catches: a photo long after the appeal being attached to it.
  test('a photo after the window is ignored', async () => {
    const number = numberIn(await h.ask(dongcheng.resident, '#报事 路边树枝快断了', dongcheng.room));
    intakeClockOffsetMs = 5 * 60_000 + 1000;
    sendPhoto(h.sim, dongcheng.resident, await demoPhoto(4), dongcheng.room);
    await h.waitForLog((l) => l.msg.startsWith('photo without a recent appeal'));
    expect(calls(PHOTOS)).toEqual([]);
    expect((await s.models.Appeal.findOne({ number }).lean())?.photoIds).toEqual([]);
  });

  // Catches: a wrong state or time in the answer, or number parsing that misses what people type.
  test('查询 <编号> answers the state and the last step, in a group and privately', async () => {
    const number = numberIn(await h.ask(dongcheng.resident, '#报事 噪音扰民到深夜', dongcheng.room));
    const status = await s.api('GET', `/api/v1/bot/appeals/by-number/${number}?contactId=${dongcheng.resident}`, { token: botToken });
    expect(status.status).toBe(200);
    const expected = `编号 ${number}：${status.body.stateLabel}（最近：${status.body.lastStep.label} ${chinaShortTime(Date.parse(status.body.lastStep.at))}）`;

    await expect(h.ask(neighbour, `查询 ${number}`, dongcheng.room)).resolves.toBe(`@${nameOf(neighbour)} ${expected}`);
    const typed = number.toLowerCase().replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace(/-/g, '－');
    await expect(h.ask(dongcheng.resident, `查询：${typed}`)).resolves.toBe(expected);
    await expect(h.ask(dongcheng.resident, `查询${number}`)).resolves.toBe(expected);
    // The bot told the server who asks, and where.
    expect(h.requests.filter((r) => r.path.startsWith('/api/v1/bot/appeals/by-number/')).map((r) => r.path.split('?')[1])).toEqual([
      `contactId=${neighbour}&roomId=${encodeURIComponent(dongcheng.room)}`,
      `contactId=${dongcheng.resident}`,
      `contactId=${dongcheng.resident}`,
    ]);
  });

  // Catches: 查询 answering about any appeal in the county to whoever has its number.
  test('查询 from another community’s group or a stranger’s private chat: not found', async () => {
    const number = numberIn(await h.ask(dongcheng.resident, '#报事 楼上漏水到我家', dongcheng.room));
    const notFound = `未找到编号 ${number}，请核对后再试`;
    const villager = 'wxid_demo_resident_04'; // 青石村: a member of its group
    await expect(h.ask(villager, `查询 ${number}`, 'qingshi-neighbours@chatroom')).resolves.toBe(`@${nameOf(villager)} ${notFound}`);
    await expect(h.ask(neighbour, `查询 ${number}`)).resolves.toBe(notFound);
  });

  // Catches: an unknown number answered as "try later", or chatter starting with 查询 answered.
  test('查询: unknown number, no number, chatter', async () => {
    await expect(h.ask(dongcheng.resident, '查询 DX-20200101-9999')).resolves.toBe('未找到编号 DX-20200101-9999，请核对后再试');
    await expect(h.ask(dongcheng.resident, '查询 abc')).resolves.toBe('请发送：查询 编号，例如：查询 DX-20261126-0042');
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '查询燃气费怎么交' });
    await expect(h.ask(dongcheng.resident, '查询', dongcheng.room)).resolves.toMatch(/请发送：查询 编号/);
    expect(h.sim.transcript(dongcheng.room).filter((e) => e.fromBot)).toHaveLength(1);
  });

  // Catches: a forwarded chat record or a link in a group being filed or answered.
  test('other message kinds in a group are left alone', async () => {
    injectMessage(h.sim, { contactId: dongcheng.resident, roomId: dongcheng.room, type: types.Message.ChatHistory, text: '#报事 聊天记录' });
    await expect(h.ask(dongcheng.resident, '#报事', dongcheng.room)).resolves.toMatch(/请在关键词后写明诉求内容/);
    expect(calls(APPEALS)).toEqual([]);
  });
});

describe('appeal intake when no server listens', () => {
  // Catches: a raw network error shown to residents, or silence.
  test('#报事 and 查询 answer 服务暂时不可用', async () => {
    const h = await startHarness({ serverUrl: await closedPortUrl(), botToken: 'unused-token-0123456789abcdef' });
    try {
      await expect(h.ask(dongcheng.resident, '#报事 路灯不亮', dongcheng.room)).resolves.toBe(`@${h.sim.contact(dongcheng.resident).payload.name} ${UNAVAILABLE}`);
      await expect(h.ask(dongcheng.resident, '查询 DX-20261126-0042')).resolves.toBe(UNAVAILABLE);
      // Filing carries an idempotency key, so it is retried like a GET: 1 + 2 attempts each.
      expect(h.requests.filter((r) => r.path === APPEALS)).toHaveLength(3);
    } finally {
      await h.stop();
    }
  });
});

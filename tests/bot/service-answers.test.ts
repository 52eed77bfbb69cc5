/**
 * Keyword answers from the services directory and the welcome on room join. The matching and the
 * bot's cache of the directory are pure functions tested on their own; the plugins run end to end on
 * the simulated WeChat of the demo county against the real server (东城社区邻里群 is seeded bound,
 * 西城社区邻里群 unbound). Entries are this suite's own, with keywords no demo entry has.
 */
import { isOtherPluginCommand, isServiceCommand } from '../../bot/plugins/appeal-support';
import { classifyServiceQuestion, createRefreshingValue, matchServiceEntries, type ServiceAnswerEntry } from '../../bot/plugins/service-answers';
import type { mock } from 'wechaty-puppet-mock';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO, startHarness, type Harness } from './harness';

const { dongcheng, xicheng } = DEMO;

const entry = (name: string, keywords: string[], extra: Partial<ServiceAnswerEntry> = {}): ServiceAnswerEntry => ({ name, phone: '12345', hours: '', address: '', keywords, ...extra });

describe('classifyServiceQuestion and matchServiceEntries (pure)', () => {
  const water = entry('县供水公司', ['停水', '水费', '自来水']);
  const gas = entry('县燃气公司', ['燃气', '燃气费', '煤气']);
  const gasStation = entry('燃气抢修站', ['燃气']);
  const hospital = entry('县人民医院', ['看病', '挂号']);
  const all = [water, gas, gasStation, hospital];
  const answer = (text: string) => {
    const q = classifyServiceQuestion(text);
    return q ? matchServiceEntries(q, all).map((e) => e.name) : undefined;
  };

  // Catches: a keyword alone answered (chatter about 停水 gets an unwanted reply) or a question form missed.
  test('a keyword is answered only in a question about contact, hours or place', () => {
    expect(answer('停水了找谁？')).toEqual(['县供水公司']);
    expect(answer('@东溪融媒小助手 交水费的地址在哪')).toEqual(['县供水公司']);
    expect(answer('挂号几点上班?')).toEqual(['县人民医院']);
    expect(answer('昨天又停水了')).toBeUndefined();
    expect(answer('今天天气真好？')).toEqual([]);
  });

  // Catches: the command form needing a question word, or not finding an office by its name.
  test('查电话 / 办事 look up by keyword or by name, and alone ask for usage', () => {
    expect(classifyServiceQuestion('查电话 停水')).toEqual({ kind: 'command', query: '停水' });
    expect(answer('查电话 医院')).toEqual(['县人民医院']);
    expect(answer('办事：县人民医院')).toEqual(['县人民医院']);
    expect(classifyServiceQuestion('查电话')).toEqual({ kind: 'command', query: '' });
    expect(answer('查电话 火车票')).toEqual([]);
  });

  // Catches: the bot answering messages that appeal intake or another command owns (two replies to one message).
  test('#报事 intake messages and other plugins\' commands are never service questions', () => {
    expect(classifyServiceQuestion('#报事 停水了找谁？')).toBeUndefined();
    expect(classifyServiceQuestion('＃诉求 三天没水，电话打不通？')).toBeUndefined();
    expect(classifyServiceQuestion('查询 DX-20261126-0042')).toBeUndefined();
    expect(classifyServiceQuestion('绑定 12345678')).toBeUndefined();
    expect(classifyServiceQuestion('绑定手机号怎么弄？')).toBeUndefined();
  });

  // Catches: appeal intake filing a directory command as an appeal, or swallowing a complaint that
  // merely starts with the word (`办事效率太低…` must still be filed).
  test('查电话 / 办事 commands are other plugins\' commands for intake; complaints are not', () => {
    for (const text of ['查电话 供水', '查电话', '办事：社保卡补办', '办事']) expect([text, isOtherPluginCommand(text), isServiceCommand(text)]).toEqual([text, true, true]);
    for (const text of ['办事效率太低，窗口没人', '查电话查了半天没人接，供水站管不管？']) expect([text, isOtherPluginCommand(text)]).toEqual([text, false]);
    expect(classifyServiceQuestion('查电话 供水')).toEqual({ kind: 'command', query: '供水' });
  });

  // Catches: more than two entries in one answer, or the closer match losing to the directory order.
  test('at most two entries, the longest keyword match first, ties in directory order', () => {
    expect(answer('燃气费在哪交？')).toEqual(['县燃气公司', '燃气抢修站']);
    expect(answer('燃气漏了找谁？')).toEqual(['县燃气公司', '燃气抢修站']);
    expect(answer('停水又没燃气，看病挂号也难，找谁？')).toHaveLength(2);
    expect(matchServiceEntries({ kind: 'question', text: '停水找谁' }, all, 1).map((e) => e.name)).toEqual(['县供水公司']);
  });
});

describe('createRefreshingValue (the bot\'s copy of the directory)', () => {
  // Catches: a directory fetched on every message, never refreshed, or lost when the server is down.
  test('is reused within the TTL, re-fetched after it, and a failed fetch keeps the old list', async () => {
    let clock = 0;
    const results: Array<string[] | Error> = [['a'], new Error('down'), ['b']];
    const load = jest.fn(async () => {
      const next = results.shift()!;
      if (next instanceof Error) throw next;
      return next;
    });
    const errors: unknown[] = [];
    const v = createRefreshingValue({ load, ttlMs: 1000, retryMs: 100, now: () => clock, onError: (e) => errors.push(e) });
    // Concurrent first reads share one fetch.
    expect(await Promise.all([v.get(), v.get()])).toEqual([['a'], ['a']]);
    clock = 999;
    expect(await v.get()).toEqual(['a']);
    expect(load).toHaveBeenCalledTimes(1);
    clock = 1000;
    expect(await v.get()).toEqual(['a']); // the refresh failed: the old list stays
    expect(errors).toHaveLength(1);
    clock = 1099;
    expect(await v.get()).toEqual(['a']); // no retry before retryMs
    expect(load).toHaveBeenCalledTimes(2);
    clock = 1100;
    expect(await v.get()).toEqual(['b']);
    expect(load).toHaveBeenCalledTimes(3);
  });

  // Catches: a first fetch that fails being treated as an empty directory forever.
  test('without any list yet, a failed fetch gives undefined and is retried later', async () => {
    let clock = 0;
    let fail = true;
    const v = createRefreshingValue({ load: async () => { if (fail) throw new Error('down'); return ['x']; }, ttlMs: 1000, retryMs: 100, now: () => clock });
    expect(await v.get()).toBeUndefined();
    fail = false;
    clock = 100;
    expect(await v.get()).toEqual(['x']);
  });
});

describe('service answers and welcome on the real server', () => {
  let s: TestServer;
  let h: Harness;

  beforeAll(async () => {
    s = await startTestServer({ backgroundJobs: false });
    await s.models.ServiceEntry.create([
      { name: '县电梯安全测试站', group: '测试分组', phone: '0871-6543210', hours: '工作日 8:30-17:30', address: '县城建设路8号', keywords: ['电梯年检', '电梯困人'] },
      { name: '县测试停用站', group: '测试分组', phone: '0871-6000000', keywords: ['防空警报'], active: false },
    ]);
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });
  beforeEach(async () => {
    h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken, plugins: { welcome: { batchMs: 20 } } });
  });
  afterEach(async () => {
    await h.stop();
  });

  const nameOf = (contactId: string) => h.sim.contact(contactId).payload.name;
  const botLines = (conversation: string) => h.sim.transcript(conversation).filter((e) => e.fromBot).map((e) => e.text);

  // Catches: the answer not reaching the group, not @mentioning the asker, or missing the phone and hours.
  test('a keyword question in a bound group is answered with the phone, hours and address', async () => {
    const reply = await h.ask(dongcheng.resident, '电梯困人了找谁？', dongcheng.room);
    expect(reply).toContain(`@${nameOf(dongcheng.resident)}`);
    expect(reply).toContain('【县电梯安全测试站】');
    expect(reply).toContain('电话：0871-6543210');
    expect(reply).toContain('时间：工作日 8:30-17:30');
    expect(reply).toContain('地址：县城建设路8号');
  });

  // Catches: the bot replying to ordinary chat, to an unbound group, or with a deactivated entry.
  test('unrelated text, unbound groups and deactivated entries get no answer', async () => {
    const since = Date.now();
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '今天天气真好，大家出来走走？' });
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '昨天电梯年检了' });
    h.sim.say({ contactId: dongcheng.resident, roomId: dongcheng.room, text: '防空警报响了找谁？' });
    h.sim.say({ contactId: xicheng.resident, roomId: xicheng.room, text: '电梯年检找谁？' });
    // A question that is answered, sent last: once it is answered the earlier messages were handled.
    await expect(h.ask(dongcheng.resident, '查电话 电梯年检', dongcheng.room)).resolves.toContain('0871-6543210');
    expect(await h.sim.botMessagesAfter(xicheng.room, since, { timeoutMs: 300 })).toEqual([]);
    expect(botLines(dongcheng.room)).toHaveLength(1);
  });

  // Catches: private chats left unanswered, or a command that matches nothing met with silence.
  test('answers in a private chat, and 查电话 with no match says so', async () => {
    await expect(h.ask(dongcheng.resident, '电梯年检在哪办？')).resolves.toContain('【县电梯安全测试站】');
    await expect(h.ask(dongcheng.resident, '查电话 火车票')).resolves.toContain('没有找到与「火车票」有关的服务电话');
    await expect(h.ask(dongcheng.resident, '查电话')).resolves.toBe('请发送：查电话 关键词，例如：查电话 停水');
  });

  // Catches: a bound grid worker's forwarded question getting a directory answer on top of its draft.
  test('a bound grid worker\'s private chat is left to forwarding', async () => {
    const worker = 'wxid_demo_dongcheng_grid1';
    const since = Date.now();
    const reply = await h.ask(worker, '居民问：电梯困人找谁？');
    expect(reply).not.toContain('县电梯安全测试站');
    expect((await h.sim.botMessagesAfter(worker, since, { timeoutMs: 500 })).map((e) => e.text)).toEqual([reply]);
    // Forwarding leaves a 查电话 command alone (not a draft): the directory answers it, or nobody would.
    await expect(h.ask(worker, '查电话 电梯年检')).resolves.toContain('【县电梯安全测试站】');
  });

  // Catches: an @bot 查电话 / 办事 in a bound group filed as an appeal (intake took it for appeal text),
  // answered twice (directory and intake), or left unanswered (the directory staying silent on @bot).
  test('@bot 查电话 and 办事 in a bound group get the directory\'s answer only and file no appeal', async () => {
    const since = Date.now();
    const appealsBefore = await s.models.Appeal.countDocuments({ roomId: dongcheng.room });
    // The typed @name (puppets without a mention list), then the mention list as WeChat sends it.
    await expect(h.ask(dongcheng.resident, '@东溪融媒小助手 查电话 电梯年检', dongcheng.room)).resolves.toContain('【县电梯安全测试站】');
    const reply = h.sim.nextBotMessage(dongcheng.room, 10_000);
    h.sim.contact(dongcheng.resident).say('@东溪融媒小助手\u2005办事：电梯困人', [h.sim.botUser]).to(h.sim.room(dongcheng.room));
    await expect(reply.then((e) => e.text)).resolves.toContain('电话：0871-6543210');
    expect(await h.sim.botMessagesAfter(dongcheng.room, since, { timeoutMs: 500 })).toHaveLength(2);
    expect(h.requests.filter((r) => r.path === '/api/v1/bot/appeals')).toEqual([]);
    expect(await s.models.Appeal.countDocuments({ roomId: dongcheng.room })).toBe(appealsBefore);
  });

  // Catches: the directory fetched from the server for every message instead of kept for its TTL.
  test('the directory is fetched once for many questions', async () => {
    for (let i = 0; i < 3; i++) await h.ask(dongcheng.resident, '电梯困人怎么办？', dongcheng.room);
    expect(h.requests.filter((r) => r.path === '/api/v1/bot/services')).toHaveLength(1);
  });

  // Catches: no welcome, a welcome without @mentioning the newcomer, or one that omits how to report, send a tip or vote.
  test('members who join a group are welcomed with an @mention and the guide', async () => {
    const newcomer = h.sim.mocker.createContact({ id: 'wxid_test_newcomer', name: '新来的邻居' });
    const reply = h.sim.nextBotMessage(xicheng.room, 10_000);
    h.sim.room(xicheng.room).add(newcomer).by(h.sim.contact(xicheng.staff));
    const text = (await reply).text;
    expect(text).toContain('@新来的邻居');
    expect(text).toContain('欢迎加入本群');
    expect(text).toContain('#报事');
    expect(text).toContain('查询 编号');
    expect(text).toContain('#爆料');
    expect(text).toContain('投票 序号');
    expect(text).toContain('小程序「县融」首页');
  });

  // Catches: two joins in a burst becoming two welcomes (a wave of joins flooding the group).
  test('joins close together share one welcome that mentions each', async () => {
    const a = h.sim.mocker.createContact({ id: 'wxid_test_join_a', name: '甲邻居' });
    const b = h.sim.mocker.createContact({ id: 'wxid_test_join_b', name: '乙邻居' });
    const since = Date.now();
    h.sim.room(dongcheng.room).add(a).by(h.sim.contact(dongcheng.staff));
    h.sim.room(dongcheng.room).add(b).by(h.sim.contact(dongcheng.staff));
    const sent = await h.sim.botMessagesAfter(dongcheng.room, since, { timeoutMs: 3000, settleMs: 300 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('@甲邻居');
    expect(sent[0]!.text).toContain('@乙邻居');
  });

  // Catches: the bot staying silent when added to a new group, or @mentioning itself.
  test('the bot introduces itself when it is added to a group', async () => {
    const [m1, m2] = [h.sim.contact(dongcheng.resident), h.sim.contact(dongcheng.staff)];
    const room = h.sim.mocker.createRoom({ id: 'test-new-group@chatroom', topic: '新建测试群', memberIdList: [m1.id, m2.id] });
    const said = new Promise<string>((resolve) => {
      room.on('message', (msg: mock.MessageMock) => {
        if (msg.payload.talkerId === h.sim.botUser.id) resolve(msg.payload.text ?? '');
      });
    });
    room.add(h.sim.botUser).by(m1);
    const text = await said;
    expect(text).toMatch(/^大家好，我是/);
    expect(text).not.toContain(`@${h.sim.botUser.payload.name}`);
    expect(text).toContain('#报事');
  });
});

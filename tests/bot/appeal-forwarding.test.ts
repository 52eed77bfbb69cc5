/**
 * Grid workers' forwarding in private chat, end to end on the real server (own embedded database,
 * seeded): the demo county's first grid worker of each community has bound their WeChat, the
 * others have not (common/demo-county.ts).
 */
import { types } from 'wechaty';
import { maskContactId } from '../../bot/runtime/log-mask';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO, demoPhoto, injectMessage, sendPhoto, startHarness, type Harness } from './harness';

/** 东城社区 第一网格's worker: WeChat bound. */
const worker = 'wxid_demo_dongcheng_grid1';
/** 东城社区 第二网格's worker: a grid worker whose WeChat is not bound. */
const unboundWorker = 'wxid_demo_dongcheng_grid2';
const APPEALS = '/api/v1/bot/appeals';
const CONTACTS = `/api/v1/bot/contacts/${worker}`;
const NUMBER = /DX-\d{8}-\d{4,6}/;
const draftAnswer = (preview: string, photos: number) => `草稿：${preview}（${photos} 张图片）回复「确认」提交（仅工作人员可见；居民要求公开的回复「确认公开」），「取消」放弃`;

describe('grid worker forwarding on the real server', () => {
  let s: TestServer;
  let botToken: string;
  let h: Harness;
  let clockOffsetMs = 0;

  beforeAll(async () => {
    s = await startTestServer();
    botToken = s.ctx.config.botToken;
  });
  afterAll(async () => {
    await s.stop();
  });
  beforeEach(async () => {
    clockOffsetMs = 0;
    h = await startHarness({ serverUrl: s.url, botToken, plugins: { gridForwarding: { now: () => Date.now() + clockOffsetMs } } });
  });
  afterEach(async () => {
    await h.stop();
  });

  const calls = (path: string) => h.requests.filter((r) => r.path === path);
  /** The bot's next private answer to `contactId` after `send` ran. */
  const answerTo = async (contactId: string, send: () => void) => {
    const next = h.sim.nextBotMessage(contactId, 10_000);
    send();
    return (await next).text;
  };

  // Catches: forwards not accumulating in order, a chat record or link being dropped, the appeal
  // not filed for the worker's grid, or the key not naming the draft's first message.
  test('text, a chat record and a link build a draft that 确认 files for the worker’s grid', async () => {
    const first = h.sim.nextBotMessage(worker, 10_000);
    const firstId = h.sim.say({ contactId: worker, text: '居民反映：3号楼下水道堵了' });
    await expect(first.then((e) => e.text)).resolves.toBe(draftAnswer('居民反映：3号楼下水道堵了', 0));

    const record = await answerTo(worker, () =>
      injectMessage(h.sim, { contactId: worker, type: types.Message.ChatHistory, text: '张阿姨：污水都漫到路上了' }),
    );
    expect(record).toBe(draftAnswer('居民反映：3号楼下水道堵了 张阿姨：污水都漫到路上了', 0));
    const link = await answerTo(worker, () => injectMessage(h.sim, { contactId: worker, type: types.Message.Url }));
    // The mock puppet's link: its title and address join the draft.
    expect(link).toMatch(/^草稿：居民反映：3号楼下水道堵了 张阿姨：污水都漫到路上了 mock title for injected-\S+ https:\/\/mock\.url（0 张图片）/);

    const done = await h.ask(worker, '确认');
    const number = NUMBER.exec(done)?.[0] ?? '';
    expect(done).toBe(`已代为提交诉求，编号 ${number}，可发送「查询 ${number}」查看进度。仅工作人员可见。`);

    const filed = calls(APPEALS);
    expect(filed).toHaveLength(1);
    expect(filed[0]!.body).toEqual({
      idempotencyKey: `fwd:${worker}:${firstId}`,
      channel: 'grid_worker',
      contact: { id: worker, name: h.sim.contact(worker).payload.name },
      text: expect.stringMatching(/^居民反映：3号楼下水道堵了\n张阿姨：污水都漫到路上了\nmock title for /),
      photoIds: [],
    });
    const stored = await s.models.Appeal.findOne({ number }).lean();
    expect(stored).toMatchObject({ channel: 'grid_worker', description: (filed[0]!.body as { text: string }).text, isPublic: false });
    expect(String(stored?.regionId)).toBe(await s.regionId('DX-01-01-01'));

    // The draft is gone once filed.
    await expect(h.ask(worker, '确认')).resolves.toBe('当前没有草稿。请先转发居民的消息、聊天记录或图片，再回复「确认」提交');
    expect(JSON.stringify(h.logs)).not.toContain('下水道');
  });

  // Catches: a resident's wish to publish, relayed by the worker, dropped (or every forward published).
  test('确认公开 files the draft as a public appeal', async () => {
    await expect(h.ask(worker, '居民反映：公园东门的护栏断了')).resolves.toBe(draftAnswer('居民反映：公园东门的护栏断了', 0));
    const done = await h.ask(worker, '确认公开');
    const number = NUMBER.exec(done)?.[0] ?? '';
    expect(done).toBe(`已代为提交诉求，编号 ${number}，可发送「查询 ${number}」查看进度。已按居民要求公开。`);
    expect(calls(APPEALS).map((r) => (r.body as { isPublic?: boolean }).isPublic)).toEqual([true]);
    expect(await s.models.Appeal.findOne({ number }).lean()).toMatchObject({ isPublic: true, description: '居民反映：公园东门的护栏断了' });
  });

  // Catches: a 确认 whose answer was lost filing a second appeal when it is sent again.
  test('a 确认 resent after its answer was lost files one appeal', async () => {
    await h.stop();
    let lose = true;
    // The server files the appeal, then the connection drops before the answer arrives.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (lose && String(input).endsWith(APPEALS)) {
        lose = false;
        await res.text();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return res;
    };
    h = await startHarness({ serverUrl: s.url, botToken, client: { fetch: lossy } });
    await h.ask(worker, '居民反映：路灯整晚不亮');
    const done = await h.ask(worker, '确认');
    const number = NUMBER.exec(done)?.[0];
    expect(number).toBeDefined();
    const sent = calls(APPEALS);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toEqual(sent[0]!.body);
    const key = (sent[0]!.body as { idempotencyKey: string }).idempotencyKey;
    expect(await s.models.Appeal.countDocuments({ idempotencyKey: key })).toBe(1);
  });

  // Catches: 取消 not dropping the draft, or a stale draft surviving the idle limit.
  test('取消 drops the draft; a draft idle for 30 minutes is dropped too', async () => {
    await h.ask(worker, '居民反映：楼道灯坏了');
    await expect(h.ask(worker, '取消。')).resolves.toBe('已放弃草稿');
    await expect(h.ask(worker, '取消')).resolves.toBe('当前没有草稿');

    await h.ask(worker, '居民反映：广场噪音');
    clockOffsetMs = 30 * 60_000 + 1000;
    await expect(h.ask(worker, '确认')).resolves.toMatch(/^当前没有草稿/);
    // A new forward after the idle limit starts a fresh draft.
    await expect(h.ask(worker, '居民反映：新的问题')).resolves.toBe(draftAnswer('居民反映：新的问题', 0));
    expect(calls(APPEALS)).toEqual([]);
  });

  // Catches: anyone's private messages becoming drafts, or the bot answering chatter.
  test('people who are not bound grid workers are ignored silently', async () => {
    const ignored = (who: string) => h.logs.filter((l) => l.msg.startsWith('private message from someone who is not a bound grid worker') && l.contactId === maskContactId(who)).length;
    for (const who of [DEMO.dongcheng.resident, unboundWorker]) {
      h.sim.say({ contactId: who, text: '你好，3号楼下水道堵了' });
      h.sim.say({ contactId: who, text: '确认' });
      await h.waitForLog(() => ignored(who) === 2, 10_000);
      // 查询 is another plugin's: answered, and the only answer they got.
      await expect(h.ask(who, '查询')).resolves.toMatch(/^请发送：查询 编号/);
      expect(h.sim.transcript(who).filter((e) => e.fromBot)).toHaveLength(1);
    }
    expect(calls(APPEALS)).toEqual([]);
    expect(h.requests.filter((r) => r.path.startsWith('/api/v1/bot/contacts/')).length).toBe(4);
  });

  // Catches: 绑定 / 查询 from a worker joining the draft (or costing a lookup).
  test('绑定 and 查询 from a worker are commands, not draft text', async () => {
    await h.ask(worker, '居民反映：小区门禁坏了');
    await expect(h.ask(worker, '绑定')).resolves.toBe('请发送：绑定 八位绑定码');
    await expect(h.ask(worker, '查询 DX-20200101-0001')).resolves.toBe('未找到编号 DX-20200101-0001，请核对后再试');
    await expect(h.ask(worker, '补充：已经坏了一周')).resolves.toBe(draftAnswer('居民反映：小区门禁坏了 补充：已经坏了一周', 0));
    expect(calls(CONTACTS)).toHaveLength(2);
  });

  // Catches: forwarded photos not uploaded or not attached, or a photos-only draft sent unfiled.
  test('photos join the draft and the appeal', async () => {
    const photo = await demoPhoto(21);
    const another = await demoPhoto(22);
    await expect(answerTo(worker, () => sendPhoto(h.sim, worker, photo))).resolves.toBe(draftAnswer('（暂无文字）', 1));
    await expect(h.ask(worker, '确认')).resolves.toBe('草稿还没有文字说明，请补充一句问题描述后再回复「确认」');
    await expect(h.ask(worker, '居民反映：路面塌陷，见图')).resolves.toBe(draftAnswer('居民反映：路面塌陷，见图', 1));
    // The same picture twice is one photo.
    await expect(answerTo(worker, () => sendPhoto(h.sim, worker, photo))).resolves.toBe(draftAnswer('居民反映：路面塌陷，见图', 1));
    await expect(answerTo(worker, () => sendPhoto(h.sim, worker, another))).resolves.toBe(draftAnswer('居民反映：路面塌陷，见图', 2));
    const number = NUMBER.exec(await h.ask(worker, '确认'))?.[0];
    const stored = await s.models.Appeal.findOne({ number }).lean();
    expect(stored?.photoIds).toHaveLength(2);
  });
});

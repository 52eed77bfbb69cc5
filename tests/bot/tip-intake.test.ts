/**
 * News tips (爆料) from WeChat, end to end: the bot on the simulated WeChat of the demo county (the
 * official Wechaty mock puppet) talks to the real server (own embedded database, seeded, the real
 * limits on a fixed clock). 东城社区邻里群 is seeded bound, 西城社区邻里群 unbound (harness DEMO).
 * Each test speaks as members of its own, so one test's limits never spend another's.
 */
import { maskContactId } from '../../bot/runtime/log-mask';
import { testClock } from '../helpers/appeals';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO, demoPhoto, sendPhoto, startHarness, type Harness } from './harness';

const { dongcheng, xicheng } = DEMO;
const TIPS = '/api/v1/bot/tips';
const PHOTOS = '/api/v1/bot/photos';
const ATTACH = '/api/v1/bot/tips/photos';
const LABEL = /BL-[0-9A-F]{6}/;
/** 青石村's group (bound) and one of its members. */
const qingshi = { room: 'qingshi-neighbours@chatroom', member: 'wxid_demo_resident_04' };
const serverClock = testClock('2026-11-20T02:10:00Z');
const received = (label: string) => `已收到您的爆料（${label}），编辑部会尽快查看，内容仅编辑部可见。5分钟内发来的图片会一并转给编辑部。`;

describe('tip intake on the real server', () => {
  let s: TestServer;
  let botToken: string;
  let editor: string;
  let h: Harness;
  /** The intake's clock runs this far ahead, to step past the photo window without waiting. */
  let intakeClockOffsetMs = 0;

  beforeAll(async () => {
    s = await startTestServer({ now: serverClock.now, backgroundJobs: false, config: { appealLimitScale: 1 } });
    botToken = s.ctx.config.botToken;
    editor = await s.staffToken('editor');
  }, 180_000);
  afterAll(async () => {
    await s.stop();
  });
  beforeEach(async () => {
    intakeClockOffsetMs = 0;
    h = await startHarness({ serverUrl: s.url, botToken, plugins: { tipIntake: { now: () => Date.now() + intakeClockOffsetMs } } });
  });
  afterEach(async () => {
    await h.stop();
  });

  const calls = (path: string) => h.requests.filter((r) => r.path === path);
  const nameOf = (contactId: string) => h.sim.contact(contactId).payload.name;
  const labelIn = (text: string) => LABEL.exec(text)?.[0] ?? '';
  const tipsOf = (contactId: string) => s.models.Tip.find({ contactId }).lean<any[]>();

  // Catches: #爆料 in a bound group not reaching the newsroom's queue, the receipt not going to
  // the group, or carrying anything personal (the sender's name beyond the @mention, the text).
  test('#爆料 in a bound group: a tip in the newsroom queue and a short receipt', async () => {
    const member = dongcheng.resident;
    const reply = h.sim.nextBotMessage(dongcheng.room, 10_000);
    const messageId = h.sim.say({ contactId: member, roomId: dongcheng.room, text: '#爆料 东门桥下的护栏断了一大段' });
    const answer = (await reply).text;
    const label = labelIn(answer);
    expect(answer).toBe(`@${nameOf(member)} ${received(label)}`);
    expect(calls(TIPS)).toEqual([
      { method: 'POST', path: TIPS, authorization: `Bearer ${botToken}`, body: { idempotencyKey: `tip:${messageId}`, roomId: dongcheng.room, contact: { id: member, name: nameOf(member) }, text: '东门桥下的护栏断了一大段' } },
    ]);

    const queue = await s.api('GET', '/api/v1/tips?view=queue&state=new', { token: editor });
    const [stored] = await tipsOf(member);
    expect(queue.body.items.find((i: any) => i.id === String(stored._id))).toMatchObject({ channel: 'bot', text: '东门桥下的护栏断了一大段', stateLabel: '待处理' });
    expect(stored).toMatchObject({ roomId: dongcheng.room, contactId: member });
    // The message body never reaches the bot's log.
    expect(JSON.stringify(h.logs)).not.toContain('护栏');
  });

  // Catches: the private-chat form not recognised (only groups), or its tip stored as a group's;
  // the full-width ＃ and a colon not recognised.
  test('＃爆料： in a private chat with the bot files a tip from that chat', async () => {
    const member = 'wxid_demo_resident_13';
    const answer = await h.ask(member, '＃爆料：菜市场门口有人摆摊卖野生鱼');
    expect(answer).toBe(received(labelIn(answer)));
    const [stored] = await tipsOf(member);
    expect(stored).toMatchObject({ channel: 'bot', roomId: null, text: '菜市场门口有人摆摊卖野生鱼' });
    expect((calls(TIPS)[0]!.body as Record<string, unknown>).roomId).toBeUndefined();
  });

  // Catches: a #爆料 without content sent to the server, or `@bot #爆料` also filing an appeal.
  test('#爆料 alone gets the usage; @bot #爆料 is a tip, not an appeal', async () => {
    const member = 'wxid_demo_resident_07';
    await expect(h.ask(member, '#爆料', dongcheng.room)).resolves.toBe(`@${nameOf(member)} 请在关键词后写明爆料内容，例如：#爆料 东门桥下的护栏断了一大段\n爆料内容仅编辑部可见，随后发来的图片会一并转给编辑部。`);
    expect(calls(TIPS)).toEqual([]);
    await expect(h.ask(member, '@东溪融媒小助手 #爆料 广场的雕塑被人涂画了', dongcheng.room)).resolves.toMatch(/已收到您的爆料/);
    // Nothing else answers: the next command is answered, and the tip's receipt was the only other line.
    await expect(h.ask(member, '查询', dongcheng.room)).resolves.toMatch(/请发送：查询 编号/);
    expect(h.sim.transcript(dongcheng.room).filter((e) => e.fromBot && e.text.startsWith(`@${nameOf(member)}`))).toHaveLength(3);
    expect(calls('/api/v1/bot/appeals')).toEqual([]);
  });

  // Catches: photos not joining the tip, joining from someone else, or joining after the window.
  test('a photo from the sender within the window joins the tip; a later one does not', async () => {
    const member = 'wxid_demo_resident_19';
    const label = labelIn(await h.ask(member, '#爆料 河面上漂着很多死鱼', dongcheng.room));

    const added = h.sim.nextBotMessage(dongcheng.room, 10_000);
    sendPhoto(h.sim, member, await demoPhoto(11), dongcheng.room);
    await expect(added.then((e) => e.text)).resolves.toBe(`@${nameOf(member)} 已补充图片到爆料 ${label}（共 1 张）`);
    const [stored] = await tipsOf(member);
    expect(stored.photoIds).toHaveLength(1);
    expect(calls(ATTACH)).toEqual([{ method: 'POST', path: ATTACH, authorization: `Bearer ${botToken}`, body: { roomId: dongcheng.room, contactId: member, photoIds: stored.photoIds } }]);

    // Past the window: not downloaded, not attached.
    intakeClockOffsetMs = 5 * 60_000 + 1000;
    sendPhoto(h.sim, member, await demoPhoto(12), dongcheng.room);
    await h.waitForLog((l) => l.msg.startsWith('photo without a recent tip') && l.by === maskContactId(member));
    expect(calls(PHOTOS)).toHaveLength(1);
    expect((await tipsOf(member))[0].photoIds).toHaveLength(1);
  });

  // Catches: a re-delivered message (puppet reconnect) filing a second tip.
  test('the same message delivered twice is one tip with one label', async () => {
    const member = 'wxid_demo_resident_25';
    const first = h.sim.nextBotMessage(dongcheng.room, 10_000);
    const messageId = h.sim.say({ contactId: member, roomId: dongcheng.room, text: '#爆料 老街的百年银杏树叶子全黄了' });
    const label = labelIn((await first).text);
    const second = h.sim.nextBotMessage(dongcheng.room, 10_000);
    h.sim.puppet.emit('message', { messageId });
    expect(labelIn((await second).text)).toBe(label);
    expect(await tipsOf(member)).toHaveLength(1);
  });

  // Catches: tips taken in a group no community has bound, or the member left without a way on.
  test('in an unbound group the bot answers how to bind (or to send privately) and files nothing', async () => {
    await expect(h.ask(xicheng.resident, '#爆料 路口的红绿灯坏了', xicheng.room)).resolves.toBe(
      `@${nameOf(xicheng.resident)} 本群尚未绑定社区，暂不能在群里爆料。可以私聊我发送「#爆料 内容」；或请社区工作人员在工作台获取绑定码后，在群里发送：绑定 绑定码`,
    );
    expect(await tipsOf(xicheng.resident)).toHaveLength(0);
  });

  // Catches: the bot repeating the refusal for every message of a member looping #爆料 (flooding
  // the group), or staying silent about the limit altogether.
  test('over the limit: the 429 is said once in the group, then silence', async () => {
    const burst = 12;
    for (let i = 0; i < burst; i++) h.sim.say({ contactId: qingshi.member, roomId: qingshi.room, text: `#爆料 第${i + 1}条：村口的桥出现了裂缝` });
    // A member's messages are handled in order: the last one's silence is logged after all the others.
    await h.waitForLog((l) => l.msg === 'tip limited: already said in this chat', 20_000);
    const lines = h.sim.transcript(qingshi.room).filter((e) => e.fromBot).map((e) => e.text);
    expect(lines).toHaveLength(11);
    expect(lines.slice(0, -1).every((l) => l.startsWith(`@${nameOf(qingshi.member)} 已收到您的爆料（BL-`))).toBe(true);
    // The fixed server clock stands at 02:10: the hour's window ends in 50 minutes.
    expect(lines.at(-1)).toBe(`@${nameOf(qingshi.member)} 爆料太频繁，请50分钟后再试`);
    expect(calls(TIPS)).toHaveLength(burst);
    expect(await tipsOf(qingshi.member)).toHaveLength(10);
  });
});

describe('the newsroom’s reply reaches the chat the tip came from', () => {
  let s: TestServer;
  let h: Harness;

  beforeAll(async () => {
    s = await startTestServer({ backgroundJobs: false });
    // Only this suite's deliveries: whatever the seed queued for groups is cleared.
    await s.models.Outbox.deleteMany({ channel: { $in: ['bot_room', 'bot_contact'] } });
    h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken, plugins: { outboxDelivery: { pollMs: 100 } } });
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
    await s?.stop();
  });

  async function reply(contactId: string, text: string): Promise<void> {
    const editor = await s.staffToken('editor');
    const [t] = await s.models.Tip.find({ contactId }).lean<any[]>();
    const res = await s.api('POST', `/api/v1/tips/${t._id}/reply`, { token: editor, body: { version: t.version, text } });
    expect(res.status).toBe(200);
  }
  /** The bot's next line in the conversation that carries the newsroom's reply. */
  function nextReply(conversationId: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const poll = () => {
        const found = h.sim.transcript(conversationId).find((e) => e.fromBot && e.text.includes('有了编辑部的回复'));
        if (found) return resolve(found.text);
        if (Date.now() > deadline) return reject(new Error(`no reply in ${conversationId}`));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  // Catches: a group tip's answer never said in that group, not @mentioning the sender, or naming
  // someone (the sender, the editor) in front of the whole group.
  test('a tip from a group: the answer is said in that group, @mentioning the sender, names masked', async () => {
    const member = dongcheng.resident;
    const name = h.sim.contact(member).payload.name;
    const label = LABEL.exec(await h.ask(member, '#爆料 小学门口的斑马线看不清了', dongcheng.room))![0];
    const editorName = (await s.models.User.findOne({ username: 'editor' }).lean<{ name: string }>())!.name;
    await reply(member, `${name}您好，感谢线索，${editorName}明天去现场`);
    const said = await nextReply(dongcheng.room);
    expect(said).toMatch(new RegExp(`^@${name} 您的爆料（${label}）有了编辑部的回复：`));
    const body = said.slice(`@${name} `.length);
    expect(body).not.toContain(name);
    expect(body).not.toContain(editorName);
  });

  // Catches: a private-chat tip's answer lost (no room to send it to) or said in a group.
  test('a tip from a private chat: the answer comes back in that private chat', async () => {
    const member = 'wxid_demo_resident_13';
    const label = LABEL.exec(await h.ask(member, '#爆料 汽车站候车厅的空调坏了'))![0];
    await reply(member, '收到，我们去核实');
    await expect(nextReply(member)).resolves.toBe(`您的爆料（${label}）有了编辑部的回复：收到，我们去核实`);
  });
});

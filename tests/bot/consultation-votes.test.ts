/**
 * Consultations (议事) in group chats, end to end: 东城社区's staff open one on the real server (own
 * embedded database, seeded, a fixed clock), the bot on the simulated WeChat (the official Wechaty
 * mock puppet) posts it in 东城社区邻里群 through the outbox, members answer `投票 …`, and the bot
 * sends a room's votes in one request and answers the batch in one message.
 *
 * The window that gathers a room's votes runs on a hand-driven timer: a test says its votes, waits
 * until the plugin has collected them all (its log), then ends the window, so "one batch" does not
 * depend on how fast the machine is. 东城社区邻里群 has twelve more neighbours here (unlinked
 * WeChat contacts) and 西城社区's resident 02, whose WeChat the tests link to her account.
 */
import { parseVote } from '../../bot/plugins/consultation-votes';
import { maskContactId } from '../../bot/runtime/log-mask';
import { isOtherPluginCommand } from '../../bot/plugins/appeal-support';
import { demoCounty } from '../../common/demo-county';
import { consultationCloser } from '../../server/consultations';
import { newKey, testClock, DAY } from '../helpers/appeals';
import { startTestServer, type TestServer } from '../helpers/server';
import { types } from 'wechaty';
import { closedPortUrl, DEMO, startHarness, type Harness } from './harness';

const { dongcheng } = DEMO;
const NANMEN_ROOM = 'nanmen-neighbours@chatroom';
/** A resident of 南门社区, in its group. */
const NANMEN_MEMBER = 'wxid_demo_resident_03';
/** A resident of 西城社区 who is also in 东城社区's group. */
const OUTSIDER = { openid: 'demo-resident-02', contactId: 'wxid_demo_resident_02' };
const NEIGHBOURS = Array.from({ length: 12 }, (_, i) => ({ contactId: `wxid_vote_neighbour_${String(i + 1).padStart(2, '0')}`, name: `投票邻居${i + 1}` }));
const county = {
  groupChats: demoCounty.groupChats.map((g) => (g.roomId === dongcheng.room ? { ...g, memberContactIds: [...g.memberContactIds, ...NEIGHBOURS.map((n) => n.contactId), OUTSIDER.contactId] } : g)),
  people: [...demoCounty.people, ...NEIGHBOURS],
};
const VOTES = '/api/v1/bot/consultations/votes';
const clock = testClock('2026-11-20T02:00:00Z');
const SECRET = '投票内容保密，截止前可改。';

/** The window's timer, driven by the test: `end()` runs what the plugin scheduled. */
function handTimer() {
  const due = new Set<() => void>();
  return {
    schedule: (fn: () => void) => {
      due.add(fn);
      return () => void due.delete(fn);
    },
    end: () => {
      const fns = [...due];
      due.clear();
      for (const fn of fns) fn();
    },
  };
}

describe('the vote grammar', () => {
  // Catches: a vote form the posts or the usage teach (full-width digits, ，、 separators, #12,
  // 12号, 第12号) not understood, chatter that starts with 投票 taken for a vote, option 0 sent.
  test('options, a consultation number, full-width digits and separators; chatter is no vote', () => {
    expect(parseVote('投票 2')).toEqual({ kind: 'vote', choices: [2], ambiguous: false });
    expect(parseVote('投票２')).toEqual({ kind: 'vote', choices: [2], ambiguous: false });
    expect(parseVote('投票：1，3')).toEqual({ kind: 'vote', choices: [1, 3], ambiguous: true });
    expect(parseVote('投票 1、3。')).toEqual({ kind: 'vote', choices: [1, 3], ambiguous: true });
    expect(parseVote('投票 #12 2')).toEqual({ kind: 'vote', number: 12, choices: [2], ambiguous: false });
    expect(parseVote('投票 ＃１２ 1 3')).toEqual({ kind: 'vote', number: 12, choices: [1, 3], ambiguous: false });
    expect(parseVote('投票 12号 2')).toEqual({ kind: 'vote', number: 12, choices: [2], ambiguous: false });
    expect(parseVote('投票 第12号：2')).toEqual({ kind: 'vote', number: 12, choices: [2], ambiguous: false });
    expect(parseVote('@东溪融媒小助手 投票 1')).toEqual({ kind: 'vote', choices: [1], ambiguous: false });
    expect(parseVote('投票')).toEqual({ kind: 'usage' });
    expect(parseVote('投票 #12')).toEqual({ kind: 'usage' });
    expect(parseVote('投票 0')).toEqual({ kind: 'usage' });
    expect(parseVote('投票 2 我选外挂式')).toEqual({ kind: 'usage' });
    expect(parseVote('投票结果什么时候出来')).toBeUndefined();
    expect(parseVote('我投票 2')).toBeUndefined();
    // A vote after @bot is no appeal, nor part of a grid worker's draft.
    expect(isOtherPluginCommand('投票 2')).toBe(true);
    expect(isOtherPluginCommand('投票结果怎么还没公布')).toBe(false);
  });
});

describe('group votes on the real server', () => {
  let s: TestServer;
  let staff: string;
  let dongchengId: string;
  let h: Harness;
  let timer: ReturnType<typeof handTimer>;

  beforeAll(async () => {
    s = await startTestServer({ now: clock.now, backgroundJobs: false });
    staff = await s.staffToken(dongcheng.staffUsername);
    dongchengId = await s.regionId(dongcheng.regionCode);
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });
  beforeEach(async () => {
    clock.set('2026-11-20T02:00:00Z');
    // Only this suite's posts: whatever the seed queued for groups is cleared.
    await s.models.Outbox.deleteMany({ channel: 'bot_room' });
    timer = handTimer();
    h = await startHarness({ serverUrl: s.url, botToken: s.ctx.config.botToken, county, plugins: { outboxDelivery: { pollMs: 100 }, consultationVotes: { schedule: timer.schedule } } });
  });
  afterEach(async () => {
    await h.stop();
    // Each test's consultations end with it, long ago: a room with two open asks for a number, and
    // a late vote is told of the one that closed last.
    await s.ctx.conn.collection('consultations').updateMany({ state: 'open' }, { $set: { state: 'closed', closesAt: new Date(0) } });
  });

  const nameOf = (contactId: string) => h.sim.contact(contactId).payload.name;
  const voteCalls = () => h.requests.filter((r) => r.path === VOTES);
  const results = async (id: string) => (await s.api('GET', `/api/v1/consultations/${id}`)).body;
  const counts = (d: { options: Array<{ votes: number }> }) => d.options.map((o) => o.votes);

  /** Opens one in 东城社区 as its staff and waits for its post in the group; returns it. */
  async function openAndPost(title = '老楼加装电梯选哪种方案'): Promise<{ id: string; number: number; title: string }> {
    const posted = h.sim.nextBotMessage(dongcheng.room, 10_000);
    const res = await s.api('POST', '/api/v1/consultations', {
      token: staff,
      body: { title, description: '请各位邻居投票', options: ['方案一：外挂式', '方案二：井道式', '暂不加装'], regionId: dongchengId, closesAt: new Date(clock.now().getTime() + 3 * DAY).toISOString(), idempotencyKey: newKey('cons') },
    });
    expect(res.status).toBe(201);
    expect((await posted).text).toMatch(new RegExp(`^【议事第${res.body.number}号】${title}\\n`));
    return res.body;
  }

  /** Members say their votes in a room; resolves once the plugin holds `expected` votes of that room. */
  async function say(roomId: string, lines: Array<[contactId: string, text: string]>, expected = lines.length): Promise<string[]> {
    const from = h.logs.length;
    const ids = lines.map(([contactId, text]) => h.sim.say({ contactId, roomId, text }));
    // Only this call's lines: an earlier batch of the room counted through the same numbers.
    await h.waitForLog((l) => l.msg === 'vote collected' && l.roomId === roomId && l.pending === expected && h.logs.indexOf(l) >= from);
    return ids;
  }

  /** Ends the window and returns what the bot said in the room for the batch (all of it). */
  async function endWindow(roomId: string): Promise<string[]> {
    const since = Date.now();
    const first = h.sim.nextBotMessage(roomId, 10_000);
    timer.end();
    await first;
    // Anything more the bot says for this batch follows at once (the test pace has no gap).
    return (await h.sim.botMessagesAfter(roomId, since, { settleMs: 300 })).map((e) => e.text);
  }

  // Catches: votes not reaching the server, one request (or one confirmation) per vote instead of
  // per batch, a re-delivered message sent twice, a member who corrects a vote within the batch
  // counted as two or as a change, the confirmation naming a member or @mentioning anyone, `@bot
  // 投票` filed as an appeal.
  test('a batch of votes: one request, one confirmation, the counts in the results', async () => {
    const c = await openAndPost();
    const lines: Array<[string, string]> = NEIGHBOURS.map((n, i) => [n.contactId, ['投票 1', '投票２', '投票 3。'][i % 3]!]);
    lines.push([dongcheng.resident, `@${h.sim.botUser.payload.name} 投票 1`]);
    // The first neighbour corrects her vote within the window.
    lines.push([NEIGHBOURS[0]!.contactId, '投票 2']);
    const ids = await say(dongcheng.room, lines);
    // The puppet delivers one message again (a reconnect): not collected a second time.
    h.sim.puppet.emit('message', { messageId: ids[1]! });
    await h.waitForLog((l) => l.msg === 'vote delivered again: ignored');

    const said = await endWindow(dongcheng.room);
    expect(said).toEqual([`已记录第${c.number}号议事 13 位邻居的投票。${SECRET}`]);
    expect(said[0]).not.toContain('@');
    expect(voteCalls()).toHaveLength(1);
    const sent = (voteCalls()[0]!.body as { votes: Array<Record<string, unknown>> }).votes;
    expect(sent).toHaveLength(14);
    expect(sent[0]).toEqual({ messageId: ids[0], roomId: dongcheng.room, contactId: NEIGHBOURS[0]!.contactId, choices: [1] });
    expect(h.requests.filter((r) => r.path === '/api/v1/bot/appeals')).toEqual([]);

    const d = await results(c.id);
    // Neighbours 1..12 said 1,2,3 in turn (the first then changed to 2), plus resident 01's 1.
    expect(counts(d)).toEqual([4, 5, 4]);
    expect(d.voters).toBe(13);
    // The body of a vote never reaches the bot's log, nor who voted.
    expect(JSON.stringify(h.logs)).not.toContain(NEIGHBOURS[0]!.contactId);
  });

  // Catches: a changed vote counted as a second vote, or the confirmation not saying it was a change.
  test('changed votes replace the earlier ones and are said as changes', async () => {
    const c = await openAndPost('广场舞开放时间调整');
    await say(dongcheng.room, NEIGHBOURS.slice(0, 4).map((n) => [n.contactId, '投票 1']));
    expect(await endWindow(dongcheng.room)).toEqual([`已记录第${c.number}号议事 4 位邻居的投票。${SECRET}`]);
    await say(dongcheng.room, [
      [NEIGHBOURS[0]!.contactId, '投票 3'],
      [NEIGHBOURS[1]!.contactId, '投票 2'],
      [NEIGHBOURS[4]!.contactId, '投票 2'],
    ]);
    expect(await endWindow(dongcheng.room)).toEqual([`已记录第${c.number}号议事 3 位邻居的投票（其中 2 位改票）。${SECRET}`]);
    const d = await results(c.id);
    expect(counts(d)).toEqual([2, 2, 1]);
    expect(d.voters).toBe(5);
  });

  // Catches: `投票 2` given to one of two open consultations, the numbered forms (`#N`, and the
  // `投票 N 1` the posts teach) not reaching the consultation they name, the server's request for a
  // number not passed on.
  test('two open: a vote without a number is asked for one; #N and the posts’ `投票 N 1` count for N', async () => {
    const c1 = await openAndPost('小区停车位划线方案');
    const c2 = await openAndPost('垃圾分类投放点位置');
    await say(dongcheng.room, [
      [NEIGHBOURS[0]!.contactId, '投票 2'],
      [NEIGHBOURS[1]!.contactId, `投票 #${c1.number} 2`],
      [NEIGHBOURS[2]!.contactId, `投票 ${c2.number} 1`],
      [NEIGHBOURS[3]!.contactId, `投票 ${c1.number}号 3`],
    ]);
    const said = await endWindow(dongcheng.room);
    expect(said).toHaveLength(1);
    const [recorded, askNumber] = said[0]!.split('\n');
    expect(recorded).toBe(`已记录第${c1.number}号议事 2 位、第${c2.number}号议事 1 位邻居的投票。${SECRET}`);
    expect(askNumber).toMatch(/^本群有2项议事正在投票，请写上编号/);
    expect(counts(await results(c1.id))).toEqual([0, 1, 1]);
    expect(counts(await results(c2.id))).toEqual([1, 0, 0]);
  });

  // Catches: a vote after the closing time counted or changing the final result, the member told
  // nothing, or the bot repeating "nothing open" for every late vote.
  test('after closing: a late vote is refused, said once, and the final result stands', async () => {
    const c = await openAndPost('健身器材安装位置');
    await say(dongcheng.room, NEIGHBOURS.slice(0, 3).map((n) => [n.contactId, '投票 2']));
    await endWindow(dongcheng.room);
    // Past the closing time and the closer's grace: the closer job closes it with the recount.
    clock.advance(3 * DAY + 11_000);
    expect((await consultationCloser(s.ctx).run()).closed).toBe(1);

    await say(dongcheng.room, [
      [NEIGHBOURS[5]!.contactId, `投票 #${c.number} 1`],
      [NEIGHBOURS[6]!.contactId, '投票 1'],
    ]);
    expect(await endWindow(dongcheng.room)).toEqual([`第${c.number}号议事的投票已结束`]);
    // A late vote without a number is told which consultation ended (not "none open").
    await say(dongcheng.room, [[NEIGHBOURS[7]!.contactId, '投票 1']]);
    expect(await endWindow(dongcheng.room)).toEqual(['议事「健身器材安装位置」的投票已结束']);
    // Said once: the next late vote in the room gets no answer.
    await say(dongcheng.room, [[NEIGHBOURS[8]!.contactId, '投票 3']]);
    timer.end();
    await h.waitForLog((l) => l.msg === 'closed: already said in this room');
    const d = await results(c.id);
    expect(d).toMatchObject({ state: 'closed', final: true, voters: 3 });
    expect(counts(d)).toEqual([0, 3, 0]);
  });

  // Catches: a vote in another community's group counted for 东城社区's consultation.
  test('a member of another community’s group: no vote counted there', async () => {
    const c = await openAndPost('社区食堂开放时间');
    await say(NANMEN_ROOM, [[NANMEN_MEMBER, '投票 1']]);
    expect(await endWindow(NANMEN_ROOM)).toEqual(['本群目前没有正在投票的议事。']);
    expect((await results(c.id)).voters).toBe(0);
  });

  // Catches: a linked resident of another community voting through a group of this one, or the
  // refusal naming her in front of the group.
  test('a linked resident of another community is refused without being named; the others count', async () => {
    const c = await openAndPost('楼道灯改造方案');
    const resident = await s.residentToken(OUTSIDER.openid);
    const code = await s.api('POST', '/api/v1/binding-codes', { token: resident, body: { type: 'contact' } });
    expect(code.status).toBe(201);
    const linked = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: s.ctx.config.botToken, body: { code: code.body.code, target: { type: 'contact', contactId: OUTSIDER.contactId } } });
    expect(linked.status).toBe(200);

    await say(dongcheng.room, [
      [OUTSIDER.contactId, '投票 1'],
      [NEIGHBOURS[9]!.contactId, '投票 1'],
    ]);
    const said = await endWindow(dongcheng.room);
    expect(said).toEqual([`已记录第${c.number}号议事 1 位邻居的投票。${SECRET}\n本次议事仅限「东城社区」的居民参与`]);
    expect(said[0]).not.toContain(nameOf(OUTSIDER.contactId));
    const d = await results(c.id);
    expect(d.voters).toBe(1);
    expect(counts(d)).toEqual([1, 0, 0]);
  });

  // Catches: a private `投票` sent to the server (with no room to vote for), or left unanswered.
  test('in a private chat `投票 2` is answered with where to vote', async () => {
    await expect(h.ask(dongcheng.resident, '投票 2')).resolves.toBe('议事投票请在本社区的邻里群里回复「投票 序号」，也可以在小程序的「议事」里投票。');
    expect(voteCalls()).toEqual([]);
  });
});

describe('without the server', () => {
  let h: Harness;
  let timer: ReturnType<typeof handTimer>;

  beforeEach(async () => {
    timer = handTimer();
    h = await startHarness({ serverUrl: await closedPortUrl(), botToken: 'test-bot-token-0123456789abcdef', county, plugins: { consultationVotes: { schedule: timer.schedule } } });
  });
  afterEach(async () => {
    await h.stop();
  });

  // Catches: a message from before the bot started (a backlog replayed after a restart) or the
  // bot's own message counted as a vote.
  test('stale messages and the bot’s own are not collected', async () => {
    const stale = `stale-vote-${process.pid}`;
    h.sim.mocker.MessageMock.create({ id: stale, talkerId: NEIGHBOURS[0]!.contactId, roomId: dongcheng.room, mentionIdList: [], text: '投票 1', timestamp: Date.now() - 60_000, type: types.Message.Text });
    h.sim.puppet.emit('message', { messageId: stale });
    h.sim.botUser.say('投票 2').to(h.sim.room(dongcheng.room));
    h.sim.say({ contactId: NEIGHBOURS[1]!.contactId, roomId: dongcheng.room, text: '投票 3' });
    await h.waitForLog((l) => l.msg === 'vote collected' && l.by === maskContactId(NEIGHBOURS[1]!.contactId));
    // A second fresh vote after them: by the time it is collected, the earlier messages were handled.
    h.sim.say({ contactId: NEIGHBOURS[2]!.contactId, roomId: dongcheng.room, text: '投票 1' });
    await h.waitForLog((l) => l.msg === 'vote collected' && l.by === maskContactId(NEIGHBOURS[2]!.contactId));
    expect(h.logs.filter((l) => l.msg === 'vote collected').map((l) => [l.by, l.pending])).toEqual([
      [maskContactId(NEIGHBOURS[1]!.contactId), 1],
      [maskContactId(NEIGHBOURS[2]!.contactId), 2],
    ]);
  });

  // Catches: a batch lost in silence when the server is away (members think they voted), or one
  // "try later" per vote flooding the group.
  test('the server away: one message for the batch says the votes were not recorded', async () => {
    for (const n of NEIGHBOURS.slice(0, 3)) h.sim.say({ contactId: n.contactId, roomId: dongcheng.room, text: '投票 1' });
    await h.waitForLog((l) => l.msg === 'vote collected' && l.pending === 3);
    const since = Date.now();
    const first = h.sim.nextBotMessage(dongcheng.room, 10_000);
    timer.end();
    await first;
    expect((await h.sim.botMessagesAfter(dongcheng.room, since, { settleMs: 300 })).map((e) => e.text)).toEqual(['投票暂未记录：服务暂时不可用，请稍后再试']);
  });
});

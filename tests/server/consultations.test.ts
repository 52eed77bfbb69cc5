/**
 * Consultations (议事) over HTTP: who may open one where, one vote per person across the
 * mini-program and the group chats (also at once, and after a contact is linked), secret ballots
 * with public counts, the closing recount, a late vote, and the decision as a notice.
 * One seeded server on a fixed clock; each test opens its own consultation.
 */
import { Types } from 'mongoose';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';
import { newKey, testClock, uploadPhoto, DAY, HOUR } from '../helpers/appeals';
import { consultationCloser } from '../../server/consultations';
import { outbox } from '../../server/outbox';

let s: TestServer;
const clock = testClock('2026-11-20T02:00:00Z');
let dongcheng: string; // 东城社区's staff
let reviewer: string;
let dongchengId: string;
let xichengId: string;
const DONGCHENG_ROOM = 'dongcheng-neighbours@chatroom';
const NANMEN_ROOM = 'nanmen-neighbours@chatroom';

const open = async (token: string, body: Record<string, unknown> = {}) =>
  s.api('POST', '/api/v1/consultations', {
    token,
    body: { title: '老楼加装电梯选哪种方案', description: '请各位邻居投票', options: ['方案一：外挂式', '方案二：井道式', '暂不加装'], regionId: dongchengId, closesAt: new Date(clock.now().getTime() + 3 * DAY).toISOString(), idempotencyKey: newKey('cons'), ...body },
  });
const vote = (token: string, id: string, choices: number[]) => s.api('PUT', `/api/v1/consultations/${id}/vote`, { token, body: { choices } });
const botVotes = (votes: Record<string, unknown>[]) => s.api('POST', '/api/v1/bot/consultations/votes', { token: TEST_BOT_TOKEN, body: { votes: votes.map((v, i) => ({ messageId: newKey('msg') + i, roomId: DONGCHENG_ROOM, ...v })) } });
const get = (id: string, token?: string) => s.api('GET', `/api/v1/consultations/${id}`, token ? { token } : {});
const counts = (d: any) => d.options.map((o: any) => o.votes);

/** Links a resident's WeChat contact to their account the way a resident does: a code from the app, said to the bot. */
async function link(token: string, contactId: string) {
  const code = await s.api('POST', '/api/v1/binding-codes', { token, body: { type: 'contact' } });
  expect(code.status).toBe(201);
  const redeemed = await s.api('POST', '/api/v1/bot/bindings/redeem', { token: TEST_BOT_TOKEN, body: { code: code.body.code, target: { type: 'contact', contactId } } });
  expect(redeemed.status).toBe(200);
}

/** Closes every one that is due, as the closer job does. */
async function closeDue() {
  clock.advance(3 * DAY + HOUR);
  await consultationCloser(s.ctx).run();
}

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  dongcheng = await s.staffToken('dongcheng');
  reviewer = await s.staffToken('reviewer');
  dongchengId = await s.regionId('DX-01-01');
  xichengId = await s.regionId('DX-01-02');
}, 180_000);
afterAll(() => s?.stop());
beforeEach(() => clock.set('2026-11-20T02:00:00Z'));
// Each test's consultations end with it: a room with two open asks for a number, and the next test's `投票 2` must mean its own.
afterEach(() => s.ctx.conn.collection('consultations').updateMany({ state: 'open' }, { $set: { state: 'closed', closesAt: new Date(0) } }));

describe('opening', () => {
  it('community staff open one in their community: open at once, posted to its bound group chat', async () => {
    // Catches: a consultation left unopened, or not posted to the community's group (the bot would never ask there).
    const res = await open(dongcheng);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'open', stateLabel: '投票中', regionName: '东城社区', voters: 0, maxChoices: 1, final: false });
    expect(res.body.options).toEqual([
      { no: 1, text: '方案一：外挂式', votes: 0, share: 0 },
      { no: 2, text: '方案二：井道式', votes: 0, share: 0 },
      { no: 3, text: '暂不加装', votes: 0, share: 0 },
    ]);
    // 东城社区 has five demo residents.
    expect(res.body.eligible).toBe(5);
    const posts = (await outbox(s.ctx).countsByRef([`consultation:${res.body.id}`])).get(`consultation:${res.body.id}`)!;
    expect(posts.pending).toBe(1);
  });

  it('refuses another community, a grid, a closing time too soon, duplicate options; a retry is one consultation', async () => {
    // Catches: staff asking a community they do not serve, input accepted unchecked, a retried create making two.
    expect((await open(dongcheng, { regionId: xichengId })).status).toBe(403);
    const grid = await open(dongcheng, { regionId: await s.regionId('DX-01-01-01') });
    expect(grid.status).toBe(400);
    expect(grid.body.error.details[0].path).toBe('body.regionId');
    const tooSoon = await open(dongcheng, { closesAt: new Date(clock.now().getTime() + 10 * 60 * 1000).toISOString() });
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.body.error.details[0].path).toBe('body.closesAt');
    const dup = await open(dongcheng, { options: ['同意', '同意'] });
    expect(dup.status).toBe(400);
    expect(dup.body.error.details[0].path).toBe('body.options.1');
    const key = newKey('cons');
    const first = await open(dongcheng, { idempotencyKey: key });
    const again = await open(dongcheng, { idempotencyKey: key });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
  });

  it('a county-wide one waits for a reviewer: hidden from residents until approved on its version', async () => {
    // Catches: a county-wide question going out to every group without review, or a pending one readable by anyone.
    const county = await s.api('GET', '/api/v1/regions?level=county');
    const countyId = county.body.items?.[0]?.id ?? (await s.regionId('DX'));
    const res = await open(await s.staffToken('dispatcher'), { regionId: countyId });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('pending');
    expect((await get(res.body.id, await s.residentToken('demo-resident-01'))).status).toBe(404);
    expect((await s.api('POST', `/api/v1/consultations/${res.body.id}/approve`, { token: reviewer, body: { version: res.body.version + 1 } })).status).toBe(409);
    const ok = await s.api('POST', `/api/v1/consultations/${res.body.id}/approve`, { token: reviewer, body: { version: res.body.version } });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('open');
    expect((await get(res.body.id)).status).toBe(200);
  });

  it('its photo: the writer and reviewers read the original (EXIF, GPS), a resident only the record', async () => {
    // Catches: a consultation's photo left to the orphan cleanup (no holder), or its original given to every reader.
    const photo = await uploadPhoto(s, dongcheng);
    const c = (await open(dongcheng, { photoIds: [photo] })).body;
    expect(c.photoIds).toEqual([photo]);
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: dongcheng })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: reviewer })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/photos/${photo}/original`, { token: await s.residentToken('demo-resident-07') })).status).toBe(403);
    // Someone else's upload cannot be put on a consultation.
    const notMine = await open(await s.staffToken('admin'), { photoIds: [photo] });
    expect(notMine.status).toBe(400);
  });
});

describe('voting', () => {
  it('counts a vote, replaces it on a change, shows each voter only their own choice', async () => {
    // Catches: a changed vote counted twice, a voter shown someone else's choice, staff shown ballots.
    const c = (await open(dongcheng)).body;
    const me = await s.residentToken('demo-resident-07');
    const neighbour = await s.residentToken('demo-resident-13');
    expect((await vote(me, c.id, [1])).body).toEqual({ choices: [1], changed: false });
    expect((await vote(neighbour, c.id, [1])).status).toBe(200);
    expect((await vote(me, c.id, [2])).body).toEqual({ choices: [2], changed: true });
    const mine = (await get(c.id, me)).body;
    expect(counts(mine)).toEqual([1, 1, 0]);
    expect(mine).toMatchObject({ voters: 2, myChoices: [2], mayVote: true, turnout: 0.4 });
    expect((await get(c.id, neighbour)).body.myChoices).toEqual([1]);
    // A browser revalidating what it read before the change gets the new counts, not a 304.
    // Catches: an ETag of the version alone (votes do not move it), stale results on every screen.
    const before = await get(c.id, neighbour);
    await vote(neighbour, c.id, [3]);
    const again = await s.api('GET', `/api/v1/consultations/${c.id}`, { token: neighbour, headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(again.status).toBe(200);
    expect(again.body.myChoices).toEqual([3]);
    expect(again.headers.get('cache-control')).toBe('private, no-cache');
    await vote(neighbour, c.id, [1]);
    const staffView = (await get(c.id, dongcheng)).body;
    expect(staffView.myChoices).toBeNull();
    // The writer is a person to staff and a role to the public. Catches: a community worker's name
    // on every resident's screen (the one rule: staff by name to staff, by role to others).
    const writerName = (await s.api('GET', '/api/v1/me', { token: dongcheng })).body.name;
    expect(staffView.createdByName).toBe(writerName);
    expect((await get(c.id, me)).body.createdByName).toBe('社区工作人员');
    expect((await get(c.id)).body.createdByName).toBe('社区工作人员');
    expect(JSON.stringify(staffView)).not.toMatch(/demo-resident|ballot/);
  });

  it('refuses residents of another community, options that do not exist, two choices where one is allowed', async () => {
    // Catches: a vote from outside the scope counted, an option number out of range stored.
    const c = (await open(dongcheng)).body;
    const outsider = await vote(await s.residentToken('demo-resident-02'), c.id, [1]);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toContain('东城社区');
    const me = await s.residentToken('demo-resident-19');
    const wrong = await vote(me, c.id, [4]);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('没有第4项');
    expect((await vote(me, c.id, [1, 2])).status).toBe(400);
    expect((await vote(await s.staffToken('dongcheng'), c.id, [1])).status).toBe(403);
    expect((await get(c.id)).body.voters).toBe(0);
  });

  it('a group member votes in the room; a changed vote replaces it; a room outside the scope has none open', async () => {
    // Catches: a group vote not counted, a member counted twice for changing, a room of another community reaching this one.
    const c = (await open(dongcheng)).body;
    const first = await botVotes([{ contactId: 'wxid_member_a', choices: [3] }, { contactId: 'wxid_member_b', choices: [1] }, { contactId: 'wxid_member_a', choices: [2] }]);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: any) => r.receipt)).toEqual([
      { number: c.number, title: c.title, changed: false },
      { number: c.number, title: c.title, changed: false },
      { number: c.number, title: c.title, changed: true },
    ]);
    expect(counts((await get(c.id)).body)).toEqual([1, 1, 0]);
    const elsewhere = await botVotes([{ roomId: NANMEN_ROOM, contactId: 'wxid_member_c', choices: [1] }]);
    expect(elsewhere.body.results[0]).toMatchObject({ receipt: null, error: { status: 404 } });
  });

  it('one person voting in the app and in the group at the same moment is counted once', async () => {
    // Catches: two channels (or a retry) racing to create two ballots for one person: the unique
    // ballot id must make it one. The requests are sent together and overlapped (checked below).
    const c = (await open(dongcheng)).body;
    const me = await s.residentToken('demo-resident-25');
    await link(me, 'wxid_demo_resident_25');
    const spans: [number, number][] = [];
    const timed = async <T>(p: () => Promise<T>) => {
      const t0 = performance.now();
      const r = await p();
      spans.push([t0, performance.now()]);
      return r;
    };
    const calls = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0 ? timed(() => vote(me, c.id, [1 + (i % 3)])) : timed(() => botVotes([{ contactId: 'wxid_demo_resident_25', choices: [1 + (i % 3)] }])),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === 200)).toBe(true);
    // Overlapped: the last to start started before the first to finish finished.
    expect(Math.max(...spans.map((x) => x[0]))).toBeLessThan(Math.min(...spans.map((x) => x[1])));
    const d = (await get(c.id, me)).body;
    expect(d.voters).toBe(1);
    expect(counts(d).reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(counts(d)[d.myChoices[0] - 1]).toBe(1);
  });

  it('linking a contact later never counts the person twice: the later vote stands', async () => {
    // Catches: a group vote (unlinked contact) and an app vote by the same person both counted after they link.
    const c = (await open(dongcheng)).body;
    const me = await s.residentToken('demo-resident-13');
    await botVotes([{ contactId: 'wxid_demo_resident_13', choices: [1] }]);
    clock.advance(60 * 1000);
    await vote(me, c.id, [2]);
    expect((await get(c.id)).body.voters).toBe(2);
    await link(me, 'wxid_demo_resident_13');
    const d = (await get(c.id, me)).body;
    expect(d.voters).toBe(1);
    expect(counts(d)).toEqual([0, 1, 0]);
    // And from now on the group vote is the same person's: it changes the one ballot.
    const again = await botVotes([{ contactId: 'wxid_demo_resident_13', choices: [3] }]);
    expect(again.body.results[0].receipt.changed).toBe(true);
    expect(counts((await get(c.id, me)).body)).toEqual([0, 0, 1]);
  });

  it('several open in one room: a vote without a number asks for it; with one it counts', async () => {
    // Catches: `投票 2` silently given to one of two open consultations.
    const c1 = (await open(dongcheng, { title: '广场舞开放时间调整' })).body;
    const c2 = (await open(dongcheng, { title: '小区停车位划线方案' })).body;
    const r = await botVotes([{ contactId: 'wxid_member_x', choices: [1] }, { contactId: 'wxid_member_x', number: c1.number, choices: [1] }]);
    expect(r.body.results[0].error).toMatchObject({ status: 400 });
    expect(r.body.results[0].error.message).toContain('请写上编号，例如：投票 #');
    expect(r.body.results[1].receipt).toMatchObject({ number: c1.number });
    expect((await get(c2.id)).body.voters).toBe(0);
    // Closing one early (its writer, on its version) leaves one: then `投票 1` needs no number.
    const closed = await s.api('POST', `/api/v1/consultations/${c2.id}/close`, { token: dongcheng, body: { version: (await get(c2.id)).body.version } });
    expect(closed.body).toMatchObject({ state: 'closed', final: true });
    expect((await botVotes([{ contactId: 'wxid_member_w', choices: [2] }])).body.results[0].receipt).toMatchObject({ number: c1.number });
  });

  it('keeps ballots nameless in the database', async () => {
    // Catches: a ballot storing the account or the contact in plain sight (who voted what readable by anyone with the database).
    const c = (await open(dongcheng)).body;
    const me = await s.residentToken('demo-resident-01');
    await vote(me, c.id, [1]);
    await botVotes([{ contactId: 'wxid_secret_member', choices: [2] }]);
    const myId = (await s.api('GET', '/api/v1/me', { token: me })).body.id;
    expect(myId).toEqual(expect.any(String));
    const raw = await s.ctx.conn.collection('consultationballots').find({}).toArray();
    const text = JSON.stringify(raw);
    expect(raw.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('wxid_secret_member');
    expect(text).not.toContain(myId);
  });
});

describe('discussion', () => {
  it('comments under a consultation with the news moderation: masked names, a sensitive word held, closed to new ones after closing', async () => {
    // Catches: a consultation's discussion without moderation, authors shown unmasked, an article's
    // counter moved by it, comments still taken after the vote closed, a pending one open to comments.
    const c = (await open(dongcheng)).body;
    const me = await s.residentToken('demo-resident-07');
    const say = (token: string, text: string, subject: Record<string, string> = { consultationId: c.id }) => s.api('POST', '/api/v1/comments', { token, body: { ...subject, text, idempotencyKey: newKey('cmt') } });
    const first = await say(me, '外挂式施工快，支持方案一');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ consultationId: c.id, articleId: null, state: 'visible', mine: true });
    const list = await s.api('GET', `/api/v1/comments?consultationId=${c.id}`);
    expect(list.body.items.map((x: any) => x.text)).toEqual(['外挂式施工快，支持方案一']);
    expect(list.body.items[0].authorName).toMatch(/\*/);
    // The editors' queue holds a sensitive one, named by the consultation's title.
    const held = await say(me, '加微信领红包，代开发票');
    expect(held.body.state).toBe('held');
    const queue = await s.api('GET', '/api/v1/comments/moderation?state=held', { token: await s.staffToken('editor') });
    expect(queue.body.items.find((x: any) => x.id === held.body.id)).toMatchObject({ articleTitle: '议事：老楼加装电梯选哪种方案', consultationId: c.id });
    // Exactly one subject.
    expect((await say(me, '两个都填', { consultationId: c.id, articleId: c.id })).status).toBe(400);
    // A pending (county-wide) one takes none; a closed one keeps its discussion readable but takes no more.
    const pending = (await open(await s.staffToken('dispatcher'), { regionId: await s.regionId('DX') })).body;
    expect((await say(me, '这个怎么样', { consultationId: pending.id })).status).toBe(404);
    await closeDue();
    expect((await say(me, '结束了还能说吗')).status).toBe(409);
    expect((await s.api('GET', `/api/v1/comments?consultationId=${c.id}`)).body.items).toHaveLength(1);
  });
});

describe('closing', () => {
  it('closes at its time with the recount; a late vote is refused in the app and in the group; the decision is a notice', async () => {
    // Catches: voting after the closing time, a final result that is not the ballots' count, a decision not published.
    const c = (await open(dongcheng, { title: '垃圾分类投放点位置' })).body;
    await vote(await s.residentToken('demo-resident-01'), c.id, [2]);
    await botVotes([{ contactId: 'wxid_member_y', choices: [2] }, { contactId: 'wxid_member_z', choices: [3] }]);
    // Live counts that drifted (a process died between a ballot and its increment) are corrected at closing.
    await s.ctx.conn.collection('consultations').updateOne({ _id: new Types.ObjectId(c.id) }, { $inc: { 'counts.o1': 5 } });
    await closeDue();
    const d = (await get(c.id)).body;
    expect(d).toMatchObject({ state: 'closed', final: true, voters: 3 });
    expect(counts(d)).toEqual([0, 2, 1]);
    const late = await vote(await s.residentToken('demo-resident-07'), c.id, [1]);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('投票已结束');
    const lateGroup = await botVotes([{ contactId: 'wxid_member_late', number: c.number, choices: [1] }]);
    expect(lateGroup.body.results[0].error).toMatchObject({ status: 409 });
    // Without a number too: the room is told its consultation closed, not that it has none.
    // Catches: a late `投票 1` answered 「本群没有进行中的议事」 (members think their vote was lost).
    const lateBare = await botVotes([{ contactId: 'wxid_member_late', choices: [1] }]);
    expect(lateBare.body.results[0].error).toMatchObject({ status: 409 });
    expect(lateBare.body.results[0].error.message).toBe('议事「垃圾分类投放点位置」的投票已结束');
    const decided = await s.api('POST', `/api/v1/consultations/${c.id}/decision`, { token: dongcheng, body: { version: d.version, body: '按多数意见，投放点设在北门' } });
    expect(decided.status).toBe(200);
    const notice = await s.api('GET', `/api/v1/notices/${decided.body.decisionNoticeId}`);
    expect(notice.status).toBe(200);
    expect(notice.body.title).toBe('议事结果：垃圾分类投放点位置');
    expect(notice.body.body).toContain(`议事第${c.number}号`);
    // The notice links back to the consultation (the app opens it from the notice).
    expect(notice.body.link).toEqual({ kind: 'consultation', id: c.id });
    // Deciding again (a retried request) publishes no second notice.
    expect((await s.api('POST', `/api/v1/consultations/${c.id}/decision`, { token: dongcheng, body: { version: decided.body.version, body: '再次公布' } })).status).toBe(409);
  });
});

/**
 * News tips (爆料) through the bot over HTTP: `POST /api/v1/bot/tips` (a `#爆料` in a bound group
 * or a private chat), `POST /api/v1/bot/tips/photos` (the sender's photos of the next minutes), and
 * the newsroom's reply going back to that chat through the outbox. One server for the suite at
 * the real limits (scale 1) on a fixed clock; each test uses contacts of its own, so one test's
 * budget never spends another's.
 */
import type { Types } from 'mongoose';
import { TIP_BOT_ACCOUNT_ID } from '../../server/tips/bot-routes';
import { TIP_BOT_LIMITS } from '../../server/tips/limits';
import { identityKey } from '../../server/users';
import { MINUTE, testClock, uploadPhoto } from '../helpers/appeals';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';

const BOUND_ROOM = 'dongcheng-neighbours@chatroom';
const UNBOUND_ROOM = 'xicheng-neighbours@chatroom';
const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let editor: string;
let seq = 0;

const tip = (body: Record<string, unknown>) => s.api('POST', '/api/v1/bot/tips', { token: TEST_BOT_TOKEN, body });
const attach = (body: Record<string, unknown>) => s.api('POST', '/api/v1/bot/tips/photos', { token: TEST_BOT_TOKEN, body });
/** A message's fields as the bot sends them; a fresh message id each call. */
const said = (contactId: string, o: { roomId?: string; text?: string; name?: string; key?: string } = {}) => ({
  idempotencyKey: o.key ?? `tip:msg-${++seq}-${Date.now()}`,
  ...(o.roomId ? { roomId: o.roomId } : {}),
  contact: { id: contactId, name: o.name ?? '河边老王' },
  text: o.text ?? '河边的护栏断了一大段，晚上很危险',
});
const stored = (contactId: string) => s.models.Tip.find({ contactId }).sort({ _id: 1 }).lean<any[]>();

/** Links the WeChat contact to the mini-program account of `openid` (what 绑定我的微信 leaves behind). */
async function link(openid: string, contactId: string): Promise<string> {
  await s.residentToken(openid);
  const wechat = await s.models.Identity.findOne({ key: identityKey.wechat(openid) }).lean<{ userId: Types.ObjectId }>();
  await s.models.Identity.create({ key: identityKey.contact(contactId), userId: wechat!.userId });
  return String(wechat!.userId);
}

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false, config: { appealLimitScale: 1 } });
  editor = await s.staffToken('editor');
}, 180_000);
afterAll(async () => {
  await s?.stop();
});

describe('POST /api/v1/bot/tips', () => {
  // Catches: a group #爆料 that never reaches the newsroom's queue, losing the room or the member
  // (a reply could not go back), or a receipt that carries personal data into the group.
  it('a tip said in a bound group: 201, label only; in the queue with channel bot, its room and contact; 匿名 to the newsroom', async () => {
    const res = await tip(said('wxid_tipbot_group', { roomId: BOUND_ROOM }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ label: expect.stringMatching(/^BL-[0-9A-F]{6}$/), photoCount: 0 });

    const [t] = await stored('wxid_tipbot_group');
    expect(t).toMatchObject({ channel: 'bot', roomId: BOUND_ROOM, contactId: 'wxid_tipbot_group', state: 'new', mayContact: false, mayCredit: false, photoIds: [] });
    expect(String(t.tipsterId)).toBe(String(TIP_BOT_ACCOUNT_ID));
    const queue = await s.api('GET', '/api/v1/tips?view=queue&state=new', { token: editor });
    expect(queue.body.items.find((i: any) => i.id === String(t._id))).toMatchObject({ channel: 'bot', text: '河边的护栏断了一大段，晚上很危险' });
    const detail = await s.api('GET', `/api/v1/tips/${t._id}`, { token: editor });
    expect(detail.body).toMatchObject({ tipsterName: '匿名', tipsterPhone: null });
    expect(JSON.stringify(detail.body)).not.toContain('河边老王');
  });

  // Catches: a WeChat tip readable outside the newsroom (another resident, an appeal handler), or
  // hidden from the linked tipster it belongs to.
  it('a bot tip is the newsroom\'s and its linked tipster\'s only: others get 404, the queue 403', async () => {
    await link('tipbot-private-owner', 'wxid_tipbot_private_owner');
    await tip(said('wxid_tipbot_private_owner', { roomId: BOUND_ROOM }));
    await tip(said('wxid_tipbot_private_unlinked', { roomId: BOUND_ROOM }));
    const [linked] = await stored('wxid_tipbot_private_owner');
    const [unlinked] = await stored('wxid_tipbot_private_unlinked');
    const owner = await s.residentToken('tipbot-private-owner');
    expect((await s.api('GET', `/api/v1/tips/${linked._id}`, { token: owner })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/tips/${unlinked._id}`, { token: owner })).status).toBe(404);
    for (const token of [await s.residentToken('tipbot-private-other'), await s.staffToken('dispatcher'), await s.staffToken('dept_water')]) {
      expect((await s.api('GET', `/api/v1/tips/${linked._id}`, { token })).status).toBe(404);
      expect((await s.api('GET', `/api/v1/tips/${unlinked._id}`, { token })).status).toBe(404);
      expect((await s.api('GET', '/api/v1/tips?view=queue', { token })).status).toBe(403);
    }
  });

  // Catches: a private-chat tip refused for lacking a group, or stored as if said in one.
  it('a tip said in a private chat with the bot: roomId null', async () => {
    const res = await tip(said('wxid_tipbot_private'));
    expect(res.status).toBe(201);
    const [t] = await stored('wxid_tipbot_private');
    expect(t).toMatchObject({ channel: 'bot', roomId: null, contactId: 'wxid_tipbot_private' });
  });

  // Catches: a linked resident's WeChat tip missing from their 我的爆料 (filed under the bot's account).
  it('a contact linked to a mini-program account sends as that account: the tip is in their 我的爆料', async () => {
    const userId = await link('tipbot-linked', 'wxid_tipbot_linked');
    const res = await tip(said('wxid_tipbot_linked', { roomId: BOUND_ROOM }));
    expect(res.status).toBe(201);
    const [t] = await stored('wxid_tipbot_linked');
    expect(String(t.tipsterId)).toBe(userId);
    const me = await s.residentToken('tipbot-linked');
    const mine = await s.api('GET', '/api/v1/tips?view=mine', { token: me });
    expect(mine.body.items.map((i: any) => i.id)).toEqual([String(t._id)]);
    expect(mine.body.items[0]).toMatchObject({ channel: 'bot' });
  });

  // Catches: a re-delivered message (puppet reconnect, a retried request) filing a second tip,
  // also when the contact was linked between the two deliveries.
  it('the same message twice is one tip (200 the second time), even after the contact was linked', async () => {
    const body = said('wxid_tipbot_twice', { roomId: BOUND_ROOM });
    const first = await tip(body);
    const again = await tip(body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.label).toBe(first.body.label);
    await link('tipbot-twice', 'wxid_tipbot_twice');
    const third = await tip(body);
    expect(third.status).toBe(200);
    expect(third.body.label).toBe(first.body.label);
    expect(await stored('wxid_tipbot_twice')).toHaveLength(1);
  });

  // Catches: tips taken in a group no community has bound (the bot answers how to bind on this 404).
  it('an unbound group: 404, nothing stored', async () => {
    const res = await tip(said('wxid_tipbot_unbound', { roomId: UNBOUND_ROOM }));
    expect(res.status).toBe(404);
    expect(await stored('wxid_tipbot_unbound')).toHaveLength(0);
  });

  // Catches: a contact looping #爆料 without limit, a 429 without Retry-After (the bot could not
  // stay quiet until it lifts), or a re-delivered accepted message refused by the limit.
  it('per contact: 10 an hour, then 429 with Retry-After; a re-delivery of an accepted message still answers', async () => {
    const contact = 'wxid_tipbot_limit';
    const first = said(contact);
    for (let i = 0; i < TIP_BOT_LIMITS.contact.perHour; i++) expect((await tip(i === 0 ? first : said(contact))).status).toBe(201);
    const over = await tip(said(contact));
    expect(over.status).toBe(429);
    // The fixed clock stands at the start of an hour: the hour's window ends in an hour.
    expect(over.body.error.message).toBe('爆料太频繁，请1小时后再试');
    expect(over.headers.get('retry-after')).toBe('3600');
    expect((await tip(first)).status).toBe(200);
    expect(await stored(contact)).toHaveLength(TIP_BOT_LIMITS.contact.perHour);
  });

  // Catches: a group flooded by many members at once, each under their own budget.
  it('per group: 20 an hour whoever sends', async () => {
    const room = 'qingshi-neighbours@chatroom';
    const statuses: number[] = [];
    for (let i = 0; i <= TIP_BOT_LIMITS.room.perHour; i++) statuses.push((await tip(said(`wxid_tipbot_room_${i}`, { roomId: room }))).status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(TIP_BOT_LIMITS.room.perHour);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('POST /api/v1/bot/tips/photos', () => {
  // Catches: a photo not joining its sender's tip, joining from another chat or another member,
  // or joining long after the window.
  it('joins the sender’s tip in the same chat within the window; not from elsewhere, not later', async () => {
    const contact = 'wxid_tipbot_photo';
    await tip(said(contact, { roomId: BOUND_ROOM }));
    const photo = await uploadPhoto(s, TEST_BOT_TOKEN, '/api/v1/bot/photos');
    // Another member, and the same member's private chat: not that tip.
    expect((await attach({ roomId: BOUND_ROOM, contactId: 'wxid_tipbot_someone_else', photoIds: [photo] })).status).toBe(404);
    expect((await attach({ contactId: contact, photoIds: [photo] })).status).toBe(404);

    const joined = await attach({ roomId: BOUND_ROOM, contactId: contact, photoIds: [photo] });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ label: expect.stringMatching(/^BL-/), photoCount: 1 });
    const [t] = await stored(contact);
    expect(t.photoIds).toEqual([photo]);
    expect(t.version).toBe(1);

    clock.advance(11 * MINUTE);
    const late = await attach({ roomId: BOUND_ROOM, contactId: contact, photoIds: [await uploadPhoto(s, TEST_BOT_TOKEN, '/api/v1/bot/photos')] });
    expect(late.status).toBe(404);
    expect((await stored(contact))[0].photoIds).toEqual([photo]);
  });

  // Catches: the bot attaching a photo it never uploaded (someone else's upload by id).
  it('a photo the bot did not upload is refused', async () => {
    const contact = 'wxid_tipbot_photo_foreign';
    await tip(said(contact));
    const theirs = await uploadPhoto(s, await s.residentToken('tipbot-photo-owner'));
    const res = await attach({ contactId: contact, photoIds: [theirs] });
    expect(res.status).toBe(400);
    expect((await stored(contact))[0].photoIds).toEqual([]);
  });
});

describe('the newsroom’s reply goes back to the chat', () => {
  const reply = async (contactId: string, text: string) => {
    const [t] = await stored(contactId);
    const res = await s.api('POST', `/api/v1/tips/${t._id}/reply`, { token: editor, body: { version: t.version, text } });
    expect(res.status).toBe(200);
    return s.models.Outbox.find({ ref: `tip:${t._id}` }).lean<any[]>();
  };

  // Catches: a group tip's reply sent as a subscribe message to nobody (the bot's account), not
  // @mentioning the sender, or naming people (the editor, the tipster) or a phone in the group.
  it('a group tip: one bot_room delivery to that room, @mentioning the sender, names and phone masked', async () => {
    const contact = 'wxid_tipbot_reply_room';
    await tip(said(contact, { roomId: BOUND_ROOM, name: '王大河' }));
    const editorName = (await s.models.User.findOne({ username: 'editor' }).lean<{ name: string }>())!.name;
    const items = await reply(contact, `王大河您好，我是${editorName}，明天去现场，电话13812345678`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'bot_room', recipient: BOUND_ROOM, payload: { mentionContactIds: [contact] } });
    const text: string = items[0].payload.text;
    expect(text).toMatch(/^您的爆料（BL-[0-9A-F]{6}）有了编辑部的回复：/);
    expect(text).not.toContain('王大河');
    expect(text).not.toContain(editorName);
    expect(text).toContain('王*您好');
    expect(text).toContain('138****5678');
  });

  // Catches: a private-chat tip's reply lost (no room, no account) or said in some group.
  it('a private-chat tip: one bot_contact delivery to the contact, which the bot claims as such', async () => {
    const contact = 'wxid_tipbot_reply_private';
    await tip(said(contact));
    const editorName = (await s.models.User.findOne({ username: 'editor' }).lean<{ name: string }>())!.name;
    const items = await reply(contact, `谢谢线索，${editorName}已经记下了`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'bot_contact', recipient: contact });
    expect(items[0].payload.text).not.toContain(editorName);

    const claimed = await s.api('POST', '/api/v1/bot/outbox/claim', { token: TEST_BOT_TOKEN, body: { owner: 'tips-bot-test', limit: 20, leaseSeconds: 60 } });
    expect(claimed.status).toBe(200);
    const mine = claimed.body.items.find((i: any) => i.id === String(items[0]._id));
    expect(mine).toEqual({ id: String(items[0]._id), channel: 'bot_contact', recipient: contact, payload: { text: items[0].payload.text, mentionContactIds: [] }, attempts: 1 });
  });
});

import { ATTEMPT_LIMITS } from '../../server/bindings/attempts';
import { INVALID_CODE_MESSAGE, ROOM_CODE_NOT_YOURS_MESSAGE, ROOM_SPEAKER_NOT_STAFF_MESSAGE } from '../../server/bindings/service';
import { startTestServer, type TestServer } from '../helpers/server';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const REDEEM = '/api/v1/bot/bindings/redeem';

let s: TestServer;
let bot: string;
// The server's clock, fixed (it moves only when a test moves it); tests that count attempts move
// it two days on first, so every attempt limit (10 min, 1 h, 1 day windows) starts from zero for them.
// Catches: a limit test on the real clock failing when a 10-minute, hour or day window (fixed
// windows from the epoch) ends between the attempts it counts and the one it expects refused.
let clock = Date.parse('2026-12-31T15:55:00.000Z'); // 23:55 on New Year's Eve in China
const freshLimits = () => {
  clock += 2 * DAY;
};
beforeAll(async () => {
  s = await startTestServer({ now: () => new Date(clock) });
  bot = s.ctx.config.botToken;
});
afterAll(() => s?.stop());

const roomCode = async (username: string, regionCode: string) =>
  (await s.api('POST', '/api/v1/binding-codes', { token: await s.staffToken(username), body: { type: 'room', regionId: await s.regionId(regionCode) } })).body as { code: string; expiresAt: string };
const contactCode = async (username: string) => (await s.api('POST', '/api/v1/binding-codes', { token: await s.staffToken(username), body: { type: 'contact' } })).body as { code: string };
const roomTarget = (roomId: string, byContactId = 'wxid_speaker') => ({ type: 'room', roomId, topic: '群', byContactId });
/** WeChat contacts the seed binds to staff accounts (a group code works only from its maker's). */
const CONTACT = { admin: 'wxid_demo_admin', xicheng: 'wxid_demo_xicheng_staff', dongcheng: 'wxid_demo_dongcheng_staff', nanmen: 'wxid_demo_nanmen_staff' } as const;
const redeem = (code: string, target: unknown) => s.api('POST', REDEEM, { token: bot, body: { code, target } });
/** An 8-digit code no stored code has. */
async function unusedCode(seed: number): Promise<string> {
  for (let n = seed; ; n += 7919) {
    const candidate = String(n % 100_000_000).padStart(8, '0');
    if (!(await s.models.BindingCode.exists({ code: candidate }))) return candidate;
  }
}

describe('POST /api/v1/binding-codes', () => {
  it('gives community staff an eight-digit room code for their community, valid 2 hours', async () => {
    const staff = await s.staffToken('xicheng');
    const before = s.ctx.now().getTime();
    const res = await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-02') } });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^\d{8}$/);
    const expires = new Date(res.body.expiresAt).getTime();
    // Catches: codes living a day (the old 24 h) or longer than 2 h.
    expect(expires).toBeGreaterThanOrEqual(before + 2 * HOUR);
    expect(expires).toBeLessThanOrEqual(s.ctx.now().getTime() + 2 * HOUR);
  });

  it('refuses a community that is not theirs, a township, and a resident asking for a group code', async () => {
    const staff = await s.staffToken('xicheng');
    const other = await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'room', regionId: await s.regionId('DX-01-01') } });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('东城社区');
    const admin = await s.staffToken('admin');
    const town = await s.api('POST', '/api/v1/binding-codes', { token: admin, body: { type: 'room', regionId: await s.regionId('DX-01') } });
    expect(town.status).toBe(400);
    // Catches: a resident binding a group chat to a community (residents may link only their own WeChat).
    const resident = await s.api('POST', '/api/v1/binding-codes', { token: await s.residentToken(), body: { type: 'room', regionId: await s.regionId('DX-01-01') } });
    expect(resident.status).toBe(403);
  });

  it('rejects an unknown type', async () => {
    const staff = await s.staffToken('xicheng');
    expect((await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'channel' } })).status).toBe(400);
  });

  // Catches: old codes never cancelled (several live codes per target multiply a guesser's chances).
  it('a new room code for the same community cancels the previous unused one, even from another staff member', async () => {
    freshLimits();
    const first = await roomCode('xicheng', 'DX-01-02');
    const second = await roomCode('admin', 'DX-01-02');
    const other = await roomCode('dongcheng', 'DX-01-01');
    const target = roomTarget('cancel-test@chatroom', CONTACT.admin);
    const old = await redeem(first.code, roomTarget('cancel-test@chatroom', CONTACT.xicheng));
    expect(old.status).toBe(404);
    expect(old.body.error.message).toBe(INVALID_CODE_MESSAGE);
    expect((await s.models.BindingCode.findOne({ code: first.code }).lean())?.cancelledAt).toBeInstanceOf(Date);
    // Another community's code is untouched; the newest code works.
    expect((await s.models.BindingCode.findOne({ code: other.code }).lean())?.cancelledAt).toBeNull();
    expect((await redeem(second.code, target)).status).toBe(200);
  });

  it('a new contact code cancels the same staff member’s previous one, not other people’s', async () => {
    freshLimits();
    const mine1 = await contactCode('nanmen');
    const theirs = await contactCode('xicheng');
    const mine2 = await contactCode('nanmen');
    expect((await s.models.BindingCode.findOne({ code: mine1.code }).lean())?.cancelledAt).toBeInstanceOf(Date);
    expect((await s.models.BindingCode.findOne({ code: theirs.code }).lean())?.cancelledAt).toBeNull();
    expect((await s.models.BindingCode.findOne({ code: mine2.code }).lean())?.cancelledAt).toBeNull();
    expect((await redeem(mine1.code, { type: 'contact', contactId: 'wxid_nanmen_new', name: 'x' })).status).toBe(404);
  });

  // Catches: a race in which two codes made at once both stay usable, or both get cancelled.
  it('of two codes made at the same moment, exactly one stays usable', async () => {
    const [a, b] = await Promise.all([roomCode('yangliu', 'DX-02-02'), roomCode('yangliu', 'DX-02-02')]);
    const docs = await s.models.BindingCode.find({ code: { $in: [a.code, b.code] } }).lean();
    expect(docs.filter((d) => d.cancelledAt === null)).toHaveLength(1);
  });
});

describe('bot gateway: binding a room', () => {
  it('binds a room with a code once; a second use gets the one answer', async () => {
    freshLimits();
    const staff = await s.staffToken('xicheng');
    const { code } = await roomCode('xicheng', 'DX-01-02');
    const target = roomTarget('xicheng-neighbours@chatroom', 'wxid_demo_xicheng_staff');
    const ok = await redeem(code, target);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ type: 'room', region: { name: '西城社区' }, user: null });

    const again = await redeem(code, target);
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({ code: 'NOT_FOUND', message: INVALID_CODE_MESSAGE });

    const rooms = await s.api('GET', '/api/v1/rooms', { token: staff });
    expect(rooms.body.items.map((r: { roomId: string }) => r.roomId)).toContain('xicheng-neighbours@chatroom');
    const all = await s.api('GET', '/api/v1/bot/rooms', { token: bot });
    expect(all.body.items.length).toBeGreaterThanOrEqual(5);
  });

  // Catches: a grid worker seeing no group chats (their grid is below the community the room is
  // bound to) or the chats of other communities.
  it('lists the group chats of a grid worker\'s community', async () => {
    const rooms = await s.api('GET', '/api/v1/rooms', { token: await s.staffToken('dongcheng_grid1') });
    expect([rooms.status, rooms.body.items.map((r: { roomId: string }) => r.roomId)]).toEqual([200, ['dongcheng-neighbours@chatroom']]);
  });

  // Catches: answers that tell unknown, used, expired, cancelled and wrong-kind codes apart.
  it('answers unknown, used, expired, cancelled and wrong-kind codes alike: 404 and one message', async () => {
    freshLimits();
    // Said by the codes' makers (bound staff), so only the code decides; at most 4 tries each.
    const target = (by: string) => roomTarget('x@chatroom', by);
    const unknown = await redeem(await unusedCode(1), target(CONTACT.nanmen));

    const used = (await roomCode('nanmen', 'DX-01-03')).code;
    expect((await redeem(used, roomTarget('used@chatroom', CONTACT.nanmen))).status).toBe(200);
    const usedAgain = await redeem(used, target(CONTACT.nanmen));

    const expiring = (await roomCode('admin', 'DX-01-03')).code;
    await s.models.BindingCode.updateOne({ code: expiring }, { $set: { expiresAt: new Date(s.ctx.now().getTime() - 1000) } });
    const expired = await redeem(expiring, target(CONTACT.admin));

    const cancelledCode = (await roomCode('admin', 'DX-01-03')).code;
    await roomCode('admin', 'DX-01-03');
    const cancelled = await redeem(cancelledCode, target(CONTACT.admin));

    const contact = (await contactCode('nanmen')).code;
    const wrongKind = await redeem(contact, target(CONTACT.nanmen));
    const room = (await roomCode('nanmen', 'DX-01-03')).code;
    const wrongKind2 = await redeem(room, { type: 'contact', contactId: 'wxid_third_speaker', name: 'x' });

    for (const res of [unknown, usedAgain, expired, cancelled, wrongKind, wrongKind2]) {
      expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: INVALID_CODE_MESSAGE } } });
    }
    // A wrong-kind attempt does not spend the code: it still works where it belongs (the room
    // code from the WeChat its maker has just bound).
    expect((await redeem(contact, { type: 'contact', contactId: 'wxid_demo_nanmen_new', name: 'x' })).status).toBe(200);
    expect((await redeem(room, roomTarget('nanmen-2@chatroom', 'wxid_demo_nanmen_new'))).status).toBe(200);
  });

  it('rejects a malformed code (not 8 digits) and a room target without its speaker', async () => {
    for (const code of ['12ab', '123456', '123456789']) expect((await redeem(code, roomTarget('x@chatroom'))).status).toBe(400);
    expect((await redeem('12345678', { type: 'room', roomId: 'x@chatroom', topic: 't' })).status).toBe(400);
  });

  it('is for the bot only', async () => {
    const staff = await s.staffToken('admin');
    const res = await s.api('POST', REDEEM, { token: staff, body: { code: '12345678', target: roomTarget('a@chatroom') } });
    expect(res.status).toBe(403);
    expect((await s.api('GET', '/api/v1/bot/rooms')).status).toBe(401);
  });
});

describe('bot gateway: who may redeem a group code, and moving a bound group', () => {
  const roomOf = (roomId: string) => s.models.Room.findOne({ roomId }).lean();

  // Catches: a code seen in its two hours (a screenshot, a shoulder) bound by anyone in any group.
  it('refuses a group member whose WeChat is not bound to staff, before looking at the code; the code stays valid', async () => {
    freshLimits();
    const { code } = await roomCode('xicheng', 'DX-01-02');
    for (const speaker of ['wxid_demo_resident_02', 'wxid_stranger']) {
      const res = await redeem(code, roomTarget('stolen-1@chatroom', speaker));
      expect([res.status, res.body.error]).toEqual([403, { code: 'FORBIDDEN', message: ROOM_SPEAKER_NOT_STAFF_MESSAGE }]);
    }
    // An unknown code gets the same refusal: nothing is learnt about which codes exist.
    const unknown = await redeem(await unusedCode(700), roomTarget('stolen-1@chatroom', 'wxid_stranger'));
    expect([unknown.status, unknown.body.error.message]).toEqual([403, ROOM_SPEAKER_NOT_STAFF_MESSAGE]);
    expect(await roomOf('stolen-1@chatroom')).toBeNull();
    expect((await s.models.BindingCode.findOne({ code }).lean())?.usedAt).toBeNull();
    expect((await redeem(code, roomTarget('stolen-1@chatroom', CONTACT.xicheng))).status).toBe(200);
  });

  // Catches: staff of another community (or the county admin) redeeming a code someone else made.
  it('refuses bound staff who did not make the code, and keeps it for its maker', async () => {
    freshLimits();
    const { code } = await roomCode('xicheng', 'DX-01-02');
    for (const speaker of [CONTACT.dongcheng, CONTACT.admin]) {
      const res = await redeem(code, roomTarget('stolen-2@chatroom', speaker));
      expect([res.status, res.body.error]).toEqual([403, { code: 'FORBIDDEN', message: ROOM_CODE_NOT_YOURS_MESSAGE }]);
    }
    // A deactivated account's WeChat counts for nothing, even the maker's.
    const xichengId = (await s.models.User.findOne({ username: 'xicheng' }).lean())!._id;
    await s.models.User.updateOne({ _id: xichengId }, { $set: { active: false } });
    try {
      expect((await redeem(code, roomTarget('stolen-2@chatroom', CONTACT.xicheng))).body.error?.message).toBe(ROOM_SPEAKER_NOT_STAFF_MESSAGE);
    } finally {
      await s.models.User.updateOne({ _id: xichengId }, { $set: { active: true } });
    }
    expect(await roomOf('stolen-2@chatroom')).toBeNull();
    expect((await redeem(code, roomTarget('stolen-2@chatroom', CONTACT.xicheng))).status).toBe(200);
  });

  // Catches: a bound group silently moved to another community (its appeals and notices with it).
  it('refuses to move a group bound to another community, naming who must unbind first; the code stays valid', async () => {
    freshLimits();
    const before = await roomOf('dongcheng-neighbours@chatroom');
    expect(before).not.toBeNull();
    const { code } = await roomCode('xicheng', 'DX-01-02');
    const res = await redeem(code, roomTarget('dongcheng-neighbours@chatroom', CONTACT.xicheng));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('本群已关联到「东城社区」，不能直接改绑到「西城社区」：请先由「东城社区」的工作人员在本群发送「解绑」，再发送绑定码');
    expect(await roomOf('dongcheng-neighbours@chatroom')).toEqual(before);
    expect((await s.models.BindingCode.findOne({ code }).lean())?.usedAt).toBeNull();
    // Bound again to its own community (here by the admin, with a new topic): no move, allowed.
    const own = await roomCode('admin', 'DX-01-01');
    const again = await redeem(own.code, { ...roomTarget('dongcheng-neighbours@chatroom', CONTACT.admin), topic: '东城社区邻里群（新）' });
    expect(again.status).toBe(200);
    expect(await roomOf('dongcheng-neighbours@chatroom')).toMatchObject({ regionId: before!.regionId, topic: '东城社区邻里群（新）' });
    // The refused code still binds another group for its maker.
    expect((await redeem(code, roomTarget('xicheng-elsewhere@chatroom', CONTACT.xicheng))).status).toBe(200);
  });
});

// Catches: unlimited tries (a script saying 绑定 00000000 ... 绑定 99999999).
describe('attempt limits', () => {
  const expectLimited = (res: { status: number; body: any; headers: Headers }) => {
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(res.body.error.message).toMatch(/^绑定码尝试次数过多，请 \d+ (分钟|小时)后再试$/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('per speaker: the sixth try in 10 minutes is refused, even with a good code, in any chat', async () => {
    freshLimits();
    const speaker = 'wxid_guesser_1';
    for (let n = 0; n < ATTEMPT_LIMITS.speaker[0].limit; n++) {
      // Not bound staff: refused before any code is looked at, and still counted.
      expect((await redeem(await unusedCode(100 + n), roomTarget(`room-${n}@chatroom`, speaker))).status).toBe(403);
    }
    const good = (await roomCode('xicheng', 'DX-01-02')).code;
    expectLimited(await redeem(good, roomTarget('fresh@chatroom', speaker)));
    expectLimited(await redeem(good, { type: 'contact', contactId: speaker, name: 'x' }));
    // The good code was never looked at: its maker may still use it.
    expect((await redeem(good, roomTarget('fresh@chatroom', CONTACT.xicheng))).status).toBe(200);
  });

  it('per room: the eleventh try in one group in 10 minutes is refused, whoever speaks', async () => {
    freshLimits();
    const room = 'busy-room@chatroom';
    for (let n = 0; n < ATTEMPT_LIMITS.room[0].limit; n++) {
      expect((await redeem(await unusedCode(200 + n), roomTarget(room, `wxid_member_${n}`))).status).toBe(403);
    }
    expectLimited(await redeem(await unusedCode(300), roomTarget(room, 'wxid_member_new')));
    // Another group is not affected.
    expect((await redeem(await unusedCode(301), roomTarget('quiet-room@chatroom', 'wxid_member_new'))).status).toBe(403);
  });

  it('globally per bot: after 60 tries in an hour from anyone anywhere, everything waits', async () => {
    freshLimits();
    const { limit } = ATTEMPT_LIMITS.global[0];
    for (let n = 0; n < limit; n++) {
      // Each from its own speaker and group: only the global limit can stop them.
      expect((await redeem(await unusedCode(400 + n), roomTarget(`g-${n}@chatroom`, `wxid_g_${n}`))).status).toBe(403);
    }
    const good = (await roomCode('xicheng', 'DX-01-02')).code;
    expectLimited(await redeem(good, roomTarget('g-new@chatroom', CONTACT.xicheng)));
    // The next hour has a new budget, and the refused attempts did not spend the code (2 h life).
    clock += HOUR;
    expect((await redeem(good, roomTarget('g-new@chatroom', CONTACT.xicheng))).status).toBe(200);
  });
});

describe('bot gateway: contacts and unbinding', () => {
  it('binds a staff member’s WeChat contact, which then may unbind their community’s room', async () => {
    freshLimits();
    const staff = await s.staffToken('yangliu');
    const { code } = (await s.api('POST', '/api/v1/binding-codes', { token: staff, body: { type: 'contact' } })).body;
    const bound = await redeem(code, { type: 'contact', contactId: 'wxid_demo_yangliu_staff', name: '杨柳' });
    expect(bound.status).toBe(200);
    expect(bound.body.user.id).toBeTruthy();

    const room = await roomCode('yangliu', 'DX-02-02');
    expect((await redeem(room.code, roomTarget('yangliu-neighbours@chatroom', 'wxid_demo_yangliu_staff'))).status).toBe(200);

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
    freshLimits();
    const { code } = await contactCode('qingshi_grid2');
    // wxid_demo_qingshi_grid1 is bound to the first grid worker by the seed.
    const res = await redeem(code, { type: 'contact', contactId: 'wxid_demo_qingshi_grid1', name: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('其他账号');
    // The code was not spent by the refusal.
    expect((await redeem(code, { type: 'contact', contactId: 'wxid_demo_qingshi_grid2', name: 'x' })).status).toBe(200);
  });

  it('rejects a contact id with @', async () => {
    expect((await redeem('12345678', { type: 'contact', contactId: 'a@b', name: 'x' })).status).toBe(400);
  });
});

// Catches: binds, rebinds and unbinds that leave no trace of who did it and from which chat.
describe('audit log', () => {
  const entries = (targetType: string, targetId: string) => s.models.Audit.find({ targetType, targetId }).sort({ createdAt: 1, _id: 1 }).lean();
  const userId = async (username: string) => String((await s.models.User.findOne({ username }).lean())!._id);

  it('records bind, unbind and bind to another community of a group with who and which chat', async () => {
    freshLimits();
    const roomId = 'audit-room@chatroom';
    const first = await roomCode('xicheng', 'DX-01-02');
    expect((await redeem(first.code, roomTarget(roomId, CONTACT.xicheng))).status).toBe(200);
    const second = await roomCode('dongcheng', 'DX-01-01');
    // Bound to 西城社区: 东城社区 gets it only after 西城社区's staff unbind it.
    expect((await redeem(second.code, roomTarget(roomId, CONTACT.dongcheng))).status).toBe(409);
    expect((await s.api('POST', '/api/v1/bot/rooms/unbind', { token: bot, body: { roomId, byContactId: CONTACT.xicheng } })).status).toBe(200);
    expect((await redeem(second.code, roomTarget(roomId, CONTACT.dongcheng))).status).toBe(200);
    expect((await s.api('POST', '/api/v1/bot/rooms/unbind', { token: bot, body: { roomId, byContactId: CONTACT.dongcheng } })).status).toBe(200);

    const [xicheng, dongcheng] = [await userId('xicheng'), await userId('dongcheng')];
    const [westId, eastId] = [await s.regionId('DX-01-02'), await s.regionId('DX-01-01')];
    expect((await entries('room', roomId)).map((e) => ({ actorId: String(e.actorId), action: e.action, actorContactId: e.actorContactId, chatId: e.chatId, details: e.details }))).toEqual([
      { actorId: xicheng, action: 'bind_room', actorContactId: CONTACT.xicheng, chatId: roomId, details: { regionId: westId } },
      { actorId: xicheng, action: 'unbind_room', actorContactId: CONTACT.xicheng, chatId: roomId, details: { regionId: westId } },
      { actorId: dongcheng, action: 'bind_room', actorContactId: CONTACT.dongcheng, chatId: roomId, details: { regionId: eastId } },
      { actorId: dongcheng, action: 'unbind_room', actorContactId: CONTACT.dongcheng, chatId: roomId, details: { regionId: eastId } },
    ]);
  });

  it('records bind and rebind of a staff member’s WeChat with the contact and the private chat', async () => {
    freshLimits();
    const id = await userId('taoyuan');
    expect((await redeem((await contactCode('taoyuan')).code, { type: 'contact', contactId: 'wxid_audit_a', name: 'a' })).status).toBe(200);
    expect((await redeem((await contactCode('taoyuan')).code, { type: 'contact', contactId: 'wxid_audit_b', name: 'b' })).status).toBe(200);
    expect((await entries('user', id)).filter((e) => e.action.endsWith('_contact')).map((e) => ({ actorId: String(e.actorId), action: e.action, actorContactId: e.actorContactId, chatId: e.chatId, details: e.details }))).toEqual([
      { actorId: id, action: 'bind_contact', actorContactId: 'wxid_audit_a', chatId: 'wxid_audit_a', details: null },
      { actorId: id, action: 'rebind_contact', actorContactId: 'wxid_audit_b', chatId: 'wxid_audit_b', details: { previousContactId: 'wxid_audit_a' } },
    ]);
  });

  it('records nothing for a refused attempt', async () => {
    freshLimits();
    const before = await s.models.Audit.countDocuments();
    expect((await redeem(await unusedCode(900), roomTarget('nothing@chatroom', CONTACT.admin))).status).toBe(404);
    expect((await redeem(await unusedCode(901), roomTarget('nothing@chatroom'))).status).toBe(403);
    expect(await s.models.Audit.countDocuments()).toBe(before);
  });
});

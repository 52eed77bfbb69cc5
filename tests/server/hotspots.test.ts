/**
 * Hot spots (高频诉求) over HTTP on a seeded server with the real embedded database and a fixed
 * clock: similar appeals of one community within the window become one hot spot, flagged once per
 * step through the outbox; the group is listed in its staff's scope, merged into one appeal in one
 * call (a retry changes nothing) or dismissed; admins set the thresholds (versioned).
 */
import { DAY, HOUR, MINUTE, demoIds, fileAppeal, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';
import { flagStep, hotspotDetector } from '../../server/hotspots';
import { bigrams, jaccard, similarGroups } from '../../server/hotspots/similarity';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const t: Record<string, string> = {};
let resident = '';

const detect = () => hotspotDetector(s.ctx).run();
const file = (regionCode: string, description: string, categoryCode: string | null = 'other') =>
  fileAppeal(s, resident, { regionId: ids.region[regionCode], description, categoryId: categoryCode ? ids.category[categoryCode] : null });
const flagsOf = (hotspotId: string) => s.models.Outbox.find({ ref: `hotspot:${hotspotId}` }).lean();
const memberIds = async (hotspotId: string) => (await s.models.HotspotMember.find({ hotspotId }).lean()).map((m) => String(m._id));
async function hotspotOf(appealId: string): Promise<string | null> {
  const m = await s.models.HotspotMember.findById(appealId).lean();
  return m ? String(m.hotspotId) : null;
}

beforeAll(async () => {
  env = await startAppealsServer(testClock('2026-11-20T02:00:00Z'));
  s = env.server;
  ids = await demoIds(s);
  for (const u of ['admin', 'dispatcher', 'chengguan', 'xicheng', 'qingshi', 'dongcheng']) t[u] = await s.staffToken(u);
  resident = await s.residentToken('demo-resident-03');
  // The seed's appeals lie days behind: none of them is within any window from here.
  env.clock.advance(3 * DAY);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('detection', () => {
  let xichengSpot = '';
  const burst: string[] = [];

  it('groups a burst of 3 similar appeals in one community into one hot spot and flags it once through the outbox', async () => {
    // Catches: no grouping at all, a grid's appeal not counted for its community, or a flag per appeal instead of per step.
    burst.push((await file('DX-01-02', '小区东门路灯不亮，晚上很黑')).id);
    env.clock.advance(20 * MINUTE);
    burst.push((await file('DX-01-02-01', '东门的路灯坏了，好几天不亮了')).id);
    env.clock.advance(20 * MINUTE);
    expect((await detect()).created).toBe(0);
    burst.push((await file('DX-01-02', '东门口路灯不亮')).id);
    const run = await detect();
    expect(run).toMatchObject({ created: 1, flagged: 1 });
    xichengSpot = (await hotspotOf(burst[0]))!;
    expect(xichengSpot).toBeTruthy();
    expect((await memberIds(xichengSpot)).sort()).toEqual([...burst].sort());
    const flags = await flagsOf(xichengSpot);
    const recipients = flags.map((f) => f.recipient).sort();
    // The county's and the township's dispatchers and 西城社区's staff, once each.
    expect(recipients).toEqual([await ids.user('chengguan'), await ids.user('dispatcher'), await ids.user('xicheng')].sort());
    expect(flags[0].channel).toBe('wechat_subscribe');
    expect((flags[0].payload as { data: { note: string } }).data.note).toContain('高频诉求');
    const detail = await s.api('GET', `/api/v1/hotspots/${xichengSpot}`, { token: t.xicheng });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ regionName: '西城社区', size: 3, windowHours: 6, label: '其他问题', state: 'open' });
    expect(detail.body.appeals.map((a: { appeal: { id: string } }) => a.appeal.id)).toEqual(burst);
  });

  it('runs again without a second hot spot or a second flag (idempotent, as a second process would)', async () => {
    // Catches: a rerun (or a second server process) creating a duplicate or re-sending the flag.
    const [a, b] = await Promise.all([detect(), detect()]);
    expect(a.created + b.created).toBe(0);
    expect(await flagsOf(xichengSpot)).toHaveLength(3);
    expect(await s.models.Hotspot.countDocuments({ regionPath: new RegExp(`/${ids.region['DX-01-02']}/$`) })).toBe(1);
  });

  it('sends nothing twice when a run died after enqueueing the flag and before recording it', async () => {
    // Catches: a crash between the outbox write and `flaggedStep` making the next run flag the same step again.
    await s.models.Hotspot.updateOne({ _id: xichengSpot }, { $set: { flaggedStep: 0 } });
    expect((await detect()).flagged).toBe(1);
    expect(await flagsOf(xichengSpot)).toHaveLength(3);
    expect((await s.models.Hotspot.findById(xichengSpot).lean())!.flaggedStep).toBe(3);
  });

  it('leaves out appeals of another community and appeals older than the window', async () => {
    // Catches: grouping across communities, or a window that is not applied.
    const elsewhere = await file('DX-01-01', '东门路灯不亮，晚上很黑');
    env.clock.advance(-7 * HOUR);
    const old = await file('DX-01-02', '东门路灯不亮，晚上很黑');
    env.clock.advance(7 * HOUR);
    await detect();
    expect(await hotspotOf(elsewhere.id)).toBeNull();
    expect(await hotspotOf(old.id)).toBeNull();
    expect(await memberIds(xichengSpot)).toHaveLength(3);
  });

  it('joins near-identical texts of different categories and the same category with other text; leaves unrelated text out', async () => {
    // Catches: a similarity that compares categories only, texts only, or joins everything of a village.
    const a = await file('DX-02-01', '村口桥边的路灯坏了，晚上很黑', 'other');
    const b = await file('DX-02-01', '村口桥边的路灯坏了 晚上很黑！', 'street-lights');
    const c = await file('DX-02-01', '垃圾桶满了好几天没人清运', 'other');
    const d = await file('DX-02-01', '想咨询一下社保卡怎么补办', null);
    await detect();
    const spot = await hotspotOf(a.id);
    expect(spot).toBeTruthy();
    expect(await hotspotOf(b.id)).toBe(spot);
    expect(await hotspotOf(c.id)).toBe(spot);
    expect(await hotspotOf(d.id)).toBeNull();
  });

  it('flags again at a notable step (twice the threshold), not on every appeal', async () => {
    // Catches: a flag on every new appeal of the group, or none when it doubles.
    const first = await file('DX-02-02', '自来水发黄有异味', 'other');
    await file('DX-02-02', '自来水发黄，有股味道', 'other');
    await file('DX-02-02', '家里自来水发黄', 'other');
    await detect();
    const spot = (await hotspotOf(first.id))!;
    const once = (await flagsOf(spot)).length;
    expect(once).toBeGreaterThan(0);
    await file('DX-02-02', '水龙头出来的水是黄的', 'other');
    await file('DX-02-02', '自来水发黄好几天了', 'other');
    await detect();
    expect(await flagsOf(spot)).toHaveLength(once);
    await file('DX-02-02', '自来水又发黄了', 'other');
    await detect();
    const flags = await flagsOf(spot);
    expect(flags).toHaveLength(2 * once);
    expect(flags.some((f) => (f.payload as { data: { note: string } }).data.note.includes('6 件'))).toBe(true);
  });

  describe('merge and dismiss', () => {
    it('merges every other open appeal of the group into the earliest in one call; a retry changes nothing', async () => {
      // Catches: a merge that leaves appeals behind, merges the target into itself, or merges twice on a retry.
      const before = await s.api('GET', `/api/v1/hotspots/${xichengSpot}`, { token: t.chengguan });
      expect(before.body.canDecide).toBe(true);
      const body = { version: before.body.version };
      const merged = await s.api('POST', `/api/v1/hotspots/${xichengSpot}/merge`, { token: t.chengguan, body });
      expect(merged.status).toBe(200);
      expect(merged.body.outcomes.map((o: { result: string }) => o.result)).toEqual(['merged', 'merged']);
      expect(merged.body.hotspot.state).toBe('merged');
      for (const id of burst.slice(1)) {
        const a = await s.models.Appeal.findById(id).lean();
        expect(a).toMatchObject({ state: 'merged', duplicateOfNumber: expect.any(String) });
        expect(String(a!.duplicateOfId)).toBe(burst[0]);
      }
      const target = await s.models.Appeal.findById(burst[0]).lean();
      const retry = await s.api('POST', `/api/v1/hotspots/${xichengSpot}/merge`, { token: t.chengguan, body });
      expect(retry.status).toBe(200);
      expect(retry.body.outcomes).toEqual(merged.body.outcomes);
      expect((await s.models.Appeal.findById(burst[0]).lean())!.eventCount).toBe(target!.eventCount);
    });

    it('keeps merged appeals out of later hot spots', async () => {
      // Catches: the detector re-grouping a merged group's appeals into a new hot spot.
      await detect();
      expect(await s.models.Hotspot.countDocuments({ regionPath: new RegExp(`/${ids.region['DX-01-02']}/$`) })).toBe(1);
    });

    it('dismisses with a reason on the current version: 428 without one, 409 stale, 403 for community staff', async () => {
      // Catches: a dismiss that overwrites a newer state, or one community staff may make.
      const a = await file('DX-02-03', '桃源村小学门口占道经营', 'street-vending');
      await file('DX-02-03', '小学门口有人占道摆摊', 'street-vending');
      await file('DX-02-03', '学校门口摆摊堵路', 'street-vending');
      await detect();
      const spot = (await hotspotOf(a.id))!;
      const { version } = (await s.api('GET', `/api/v1/hotspots/${spot}`, { token: t.dispatcher })).body;
      expect((await s.api('POST', `/api/v1/hotspots/${spot}/dismiss`, { token: t.dispatcher, body: { reason: '不是同一件事' } })).status).toBe(428);
      expect((await s.api('POST', `/api/v1/hotspots/${spot}/dismiss`, { token: t.dispatcher, body: { version: version + 1, reason: '不是同一件事' } })).status).toBe(409);
      expect((await s.api('POST', `/api/v1/hotspots/${spot}/dismiss`, { token: t.qingshi, body: { version, reason: '不是同一件事' } })).status).toBe(403);
      const done = await s.api('POST', `/api/v1/hotspots/${spot}/dismiss`, { token: t.dispatcher, body: { version, reason: '不是同一件事' } });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ state: 'dismissed', dismissal: { reason: '不是同一件事' }, canDecide: false });
      const again = await s.api('POST', `/api/v1/hotspots/${spot}/dismiss`, { token: t.dispatcher, body: { version, reason: '不是同一件事' } });
      expect(again.status).toBe(200);
      expect(again.body.version).toBe(done.body.version);
    });
  });

  describe('scope', () => {
    it("shows a community's staff only their community's hot spots; dispatchers their regions'", async () => {
      // Catches: a list or detail that ignores the caller's regions.
      const qingshiSpot = (await s.models.Hotspot.findOne({ regionPath: new RegExp(`/${ids.region['DX-02-01']}/$`) }).lean())!;
      const mine = await s.api('GET', '/api/v1/hotspots?state=merged', { token: t.xicheng });
      expect(mine.body.items.map((h: { id: string }) => h.id)).toEqual([xichengSpot]);
      const open = await s.api('GET', '/api/v1/hotspots', { token: t.xicheng });
      expect(open.body.items).toEqual([]);
      expect((await s.api('GET', `/api/v1/hotspots/${qingshiSpot._id}`, { token: t.xicheng })).status).toBe(404);
      const theirs = await s.api('GET', '/api/v1/hotspots', { token: t.qingshi });
      expect(theirs.body.items.map((h: { id: string }) => h.id)).toEqual([String(qingshiSpot._id)]);
      expect((await s.api('GET', '/api/v1/hotspots/count', { token: t.qingshi })).body).toEqual({ open: 1 });
      // 城关镇's dispatcher does not see 青石村 (another township); the county's does.
      expect((await s.api('GET', '/api/v1/hotspots', { token: t.chengguan })).body.items).toEqual([]);
      expect((await s.api('GET', '/api/v1/hotspots/count', { token: t.dispatcher })).body.open).toBe(2);
    });
  });
});

describe('a merge that cannot merge every appeal', () => {
  it('merges what it can and reports each appeal it could not, with the reason', async () => {
    // Catches: one refused appeal (already dispatched: merge is only from 待受理/已受理) failing the whole group, or failing silently.
    const spot = (await s.models.Hotspot.findOne({ regionPath: new RegExp(`/${ids.region['DX-02-01']}/$`) }).lean())!;
    const members = await memberIds(String(spot._id));
    const states = new Map((await s.models.Appeal.find({ _id: { $in: members } }).lean()).map((a) => [String(a._id), a.state]));
    const dispatched = members.filter((id) => states.get(id) === 'assigned');
    expect(dispatched).toHaveLength(1); // the street-lights one, directly dispatched to its department
    const res = await s.api('POST', `/api/v1/hotspots/${spot._id}/merge`, { token: t.dispatcher, body: { version: spot.version } });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.outcomes.map((o: { appealId: string }) => [o.appealId, o]));
    expect(byId.get(dispatched[0])).toMatchObject({ result: 'failed', message: expect.stringContaining('不能合并') });
    expect(res.body.outcomes.filter((o: { result: string }) => o.result === 'merged')).toHaveLength(1);
  });
});

describe('thresholds', () => {
  it('are the defaults until an admin edits them with a version: 428 without, 409 stale, 403 for others', async () => {
    // Catches: an unversioned overwrite, an edit by non-admins, or a cached value that outlives the edit.
    const first = await s.api('GET', '/api/v1/hotspots/settings', { token: t.dispatcher });
    expect(first.body).toEqual({ windowHours: 6, minCount: 3, similarity: 0.6, version: 0 });
    const edit = { windowHours: 4, minCount: 5, similarity: 0.7 };
    expect((await s.api('PUT', '/api/v1/hotspots/settings', { token: t.admin, body: edit })).status).toBe(428);
    expect((await s.api('PUT', '/api/v1/hotspots/settings', { token: t.dispatcher, body: { ...edit, version: 0 } })).status).toBe(403);
    const saved = await s.api('PUT', '/api/v1/hotspots/settings', { token: t.admin, body: { ...edit, version: 0 } });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ...edit, version: 1 });
    expect((await s.api('PUT', '/api/v1/hotspots/settings', { token: t.admin, body: { ...edit, version: 0 } })).status).toBe(409);
    expect((await s.api('GET', '/api/v1/hotspots/settings', { token: t.xicheng })).body).toEqual({ ...edit, version: 1 });
    expect((await s.api('PUT', '/api/v1/hotspots/settings', { token: t.admin, body: { windowHours: 6, minCount: 1, similarity: 0.6, version: 1 } })).status).toBe(400);
  });

  it('apply at the next run: below the new minimum count no hot spot forms', async () => {
    // Catches: a detector that reads its thresholds once at start (or from constants).
    const a = await file('DX-01-03', '菜市场门口污水横流', 'pollution');
    await file('DX-01-03', '菜市场污水', 'pollution');
    await file('DX-01-03', '市场门口排污', 'pollution');
    await detect();
    expect(await hotspotOf(a.id)).toBeNull();
  });
});

describe('the pieces', () => {
  it('reads 「3号楼路灯不亮！」 and 「5号楼 路灯不亮」 as one text, and unrelated texts apart', () => {
    // Catches: punctuation, spaces or house numbers keeping near-identical texts apart, or a similarity that joins everything.
    expect(jaccard(bigrams('3号楼路灯不亮！'), bigrams('5号楼 路灯不亮'))).toBe(1);
    expect(jaccard(bigrams('东门路灯不亮'), bigrams('想咨询社保卡补办'))).toBe(0);
    const groups = similarGroups(
      [
        { categoryId: 'a', grams: bigrams('路灯不亮') },
        { categoryId: null, grams: bigrams('垃圾没人清运') },
        { categoryId: 'a', grams: bigrams('井盖丢了') },
      ],
      0.6,
    );
    expect(groups).toEqual([[0, 2], [1]]);
  });

  it('flags at the threshold and at each doubling only', () => {
    // Catches: a flag on every appeal past the threshold, or none below it.
    expect([2, 3, 4, 5, 6, 11, 12, 30].map((n) => flagStep(n, 3))).toEqual([0, 3, 3, 3, 6, 6, 12, 24]);
  });
});

/**
 * "My appeals" paged per branch (appeals/mine.ts): the reporter's, the submitter's and the
 * follower's appeals each read on an index of their own and merged, the follower's through the
 * follow rows (appeals/follows.ts) instead of `{followerIds: me}`, which the embedded database
 * answers by reading every joined appeal. The answer must stay the `$or`'s (scope.ts ownFilter):
 * same rows, order and cursor, each appeal once.
 */
import { Types } from 'mongoose';
import { backfillAppealFollows } from '../../server/appeals';
import type { AppealDoc } from '../../server/appeals/model';
import { ownFilter } from '../../server/appeals/scope';
import type { AuthUser } from '../../server/core/route';
import { bumpStamp } from '../../server/core/cache/stamps';
import { APPEAL_COUNTS_CACHE } from '../../server/appeals/model';
import type { TestServer } from '../helpers/server';
import { demoIds, fileAppeal, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { describeShape, indexesOf, recordQueryShapes, servingIndex } from '../helpers/query-shapes';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};
let me: Types.ObjectId;
let other: Types.ObjectId;

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  tok.me = await s.residentToken('mine-branches-me');
  tok.other = await s.residentToken('mine-branches-other');
  tok.dispatcher = await s.staffToken('dispatcher');
  me = new Types.ObjectId(await ids.user('mine-branches-me'));
  other = new Types.ObjectId(await ids.user('mine-branches-other'));
  const home = ids.region['DX-01-01'];
  // Filed by me (reporter and submitter both: two branches, one row), and by someone else.
  const mine: string[] = [];
  const theirs: string[] = [];
  for (let i = 0; i < 4; i++) mine.push((await fileAppeal(s, tok.me, { regionId: home, description: `我反映的问题第${i}条，路灯不亮` })).id);
  for (let i = 0; i < 6; i++) theirs.push((await fileAppeal(s, tok.other, { regionId: home, description: `邻居反映的问题第${i}条，井盖松动` })).id);
  // Followed through the move (同问): every other one of theirs.
  for (const id of theirs.filter((_, i) => i % 2 === 0)) expect((await s.api('POST', `/api/v1/appeals/${id}/follow`, { token: tok.me, body: {} })).status).toBeLessThan(300);
  // Shapes filing cannot make, written around the models (as an import or an older installation
  // would): submitted by me for someone else, reported by me and followed by me too (an overlap
  // of all three branches), followed by me among others.
  const { Appeal } = s.models;
  const template = (await Appeal.findById(theirs[0]).lean<AppealDoc>())!;
  const copy = (over: Partial<AppealDoc>) => ({ ...template, _id: new Types.ObjectId(), idempotencyKey: `mine-branches-${new Types.ObjectId()}`, number: `DX-MB-${new Types.ObjectId()}`, ...over });
  await Appeal.collection.insertMany([
    copy({ reporterId: other, submittedById: me, followerIds: [], followersCount: 0 }),
    copy({ reporterId: me, submittedById: me, followerIds: [me], followersCount: 1 }),
    copy({ reporterId: other, submittedById: other, followerIds: [other, me], followersCount: 2, state: 'accepted' }),
    copy({ reporterId: other, submittedById: other, followerIds: [other], followersCount: 1 }),
    copy({ reporterId: me, submittedById: other, followerIds: [], followersCount: 0, state: 'accepted' }),
  ] as never[]);
  await backfillAppealFollows(s.ctx, { full: true });
  await bumpStamp(s.ctx.conn, APPEAL_COUNTS_CACHE);
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const asUser = (id: Types.ObjectId): AuthUser => ({ id: String(id), name: '居民', roles: ['resident'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null });
/** The answer of the `$or` the list used to send (scope.ts ownFilter), newest first. */
const byOr = async (user: Types.ObjectId, extra: Record<string, unknown> = {}) =>
  (await s.models.Appeal.find({ $or: ownFilter(asUser(user)), ...extra }, { _id: 1 }).sort({ _id: -1 }).lean<{ _id: Types.ObjectId }[]>()).map((a) => String(a._id));

async function allPages(token: string, query: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res: { status: number; body: any } = await s.api('GET', `/api/v1/appeals?view=mine&limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    out.push(...(res.body.items as { id: string }[]).map((a) => a.id));
    expect((res.body.items as unknown[]).length).toBeLessThanOrEqual(limit);
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('the cursor never ended');
}

it('pages the same rows as the $or, in its order, each once, across page sizes and a filter', async () => {
  // Catches: a branch left out (the submitter's, the follower's), an appeal listed twice when it
  // is in two branches, a merge out of `_id` order, a cursor that skips or repeats a row at a
  // page's edge, and a filter applied to some branches only.
  const expected = await byOr(me);
  expect(expected.length).toBe(4 + 3 + 4);
  for (const limit of [1, 2, 3, 5, 50]) expect(await allPages(tok.me, '', limit)).toEqual(expected);
  const accepted = await byOr(me, { state: 'accepted' });
  expect(accepted.length).toBe(2);
  expect(await allPages(tok.me, '&state=accepted', 1)).toEqual(accepted);
  // Someone else's list is theirs: their own filings and the one they follow.
  expect(await allPages(tok.other, '', 4)).toEqual(await byOr(other));
});

it("a resident's badges count the same appeals as the $or", async () => {
  // Catches: the badges' follower branch missing rows, counting an appeal of two branches twice,
  // or going back to `{followerIds: me}` (every joined appeal read, per badge).
  await bumpStamp(s.ctx.conn, APPEAL_COUNTS_CACHE);
  const rec = recordQueryShapes(s.ctx.conn);
  let res: { status: number; body: any };
  try {
    res = await s.api('GET', '/api/v1/appeals/counts', { token: tok.me });
  } finally {
    rec.stop();
  }
  expect(res.status).toBe(200);
  expect(rec.shapes().map((r) => describeShape(r.shape)).filter((l) => l.includes('followerIds'))).toEqual([]);
  expect(res.body.overdue).toBe(await s.models.Appeal.countDocuments({ $or: ownFilter(asUser(me)), overdue: true }));
  const byState: Record<string, number> = {};
  for (const a of await s.models.Appeal.find({ $or: ownFilter(asUser(me)) }, { state: 1 }).lean<{ state: string }[]>()) byState[a.state] = (byState[a.state] ?? 0) + 1;
  for (const [state, n] of Object.entries(res.body.byState as Record<string, number>)) expect([state, n]).toEqual([state, byState[state] ?? 0]);
});

it('reads the follower branch through the follow rows index, never `followerIds` on the appeals', async () => {
  // Catches: the list going back to `{followerIds: me}` (every joined appeal read on the embedded
  // database), or a follow-rows query no declared index serves.
  await bumpStamp(s.ctx.conn, APPEAL_COUNTS_CACHE);
  const rec = recordQueryShapes(s.ctx.conn);
  try {
    await allPages(tok.me, '', 3);
  } finally {
    rec.stop();
  }
  const shapes = rec.shapes().map((r) => r.shape);
  const lines = shapes.map(describeShape);
  expect(lines).toContain('appealfollows find {appealId:upper, userId:eq} sort {appealId:-1}');
  expect(lines.filter((l) => l.startsWith('appeals ') && l.includes('followerIds'))).toEqual([]);
  const declared = indexesOf(s.models as never);
  for (const shape of shapes.filter((sh) => sh.collection === 'appeals' || sh.collection === 'appealfollows')) {
    const c = declared.get(shape.collection)!;
    expect([describeShape(shape), servingIndex(c.indexes, shape, c.flags) !== null]).toEqual([describeShape(shape), true]);
  }
});

it('the follow and the merge keep the follow rows true; a retried follow writes a lost row again', async () => {
  const { AppealFollow } = s.models;
  const home = ids.region['DX-01-01'];
  const target = (await fileAppeal(s, tok.other, { regionId: home, description: '小区北门的路面塌了一个坑' })).id;
  const rows = (appealId: string) => AppealFollow.find({ appealId: new Types.ObjectId(appealId) }, { userId: 1 }).lean();
  // Catches: the follow not writing its row (the appeal missing from "my appeals").
  expect((await s.api('POST', `/api/v1/appeals/${target}/follow`, { token: tok.me, body: {} })).status).toBeLessThan(300);
  expect((await rows(target)).map((r) => String(r.userId))).toEqual([String(me)]);
  // Catches: a retry writing a second row (the unique pair).
  expect((await s.api('POST', `/api/v1/appeals/${target}/follow`, { token: tok.me, body: {} })).status).toBeLessThan(300);
  expect(await rows(target)).toHaveLength(1);
  // A crash between the appeal's update and the row: the resident's retry brings it back.
  await AppealFollow.deleteMany({ appealId: new Types.ObjectId(target) });
  expect((await s.api('POST', `/api/v1/appeals/${target}/follow`, { token: tok.me, body: {} })).status).toBeLessThan(300);
  expect(await rows(target)).toHaveLength(1);
  // Catches: the merge's join (the merged appeal's reporter follows the target) without its row.
  const third = await s.residentToken('mine-branches-third');
  const thirdId = await ids.user('mine-branches-third');
  const dup = (await fileAppeal(s, third, { regionId: home, description: '北门路面塌陷，很危险' })).id;
  expect((await s.api('POST', `/api/v1/appeals/${dup}/accept`, { token: tok.dispatcher, body: {} })).status).toBeLessThan(300);
  const merged = await s.api('POST', `/api/v1/appeals/${dup}/merge`, { token: tok.dispatcher, body: { intoId: target } });
  expect(merged.status).toBeLessThan(300);
  expect((await rows(target)).map((r) => String(r.userId)).sort()).toEqual([String(me), thirdId].sort());
  expect((await allPages(third, '', 2)).slice(0, 2).sort()).toEqual([target, dup].sort());
});

it('the backfill writes the rows of every follower the appeals hold, and nothing more when run again', async () => {
  const { Appeal, AppealFollow } = s.models;
  const pairs = async () => (await AppealFollow.find({}, { appealId: 1, userId: 1 }).lean()).map((r) => `${r.appealId}:${r.userId}`).sort();
  const held = (await Appeal.find({ followersCount: { $gt: 0 } }, { followerIds: 1 }).lean<AppealDoc[]>()).flatMap((a) => a.followerIds.map((u) => `${a._id}:${u}`)).sort();
  // Catches: rows lost (an older installation, a crash) never written, or rows for non-followers.
  await AppealFollow.deleteMany({ userId: me });
  const first = await backfillAppealFollows(s.ctx, { full: true });
  expect(first.rows).toBeGreaterThan(0);
  expect(await pairs()).toEqual(held);
  // Catches: a second run (a restart, a second process) writing duplicates or failing on them.
  const again = await backfillAppealFollows(s.ctx, { full: true });
  expect(again.rows).toBe(0);
  expect(await pairs()).toEqual(held);
  // The start-up run after the first: only recently written joined appeals, still nothing to add.
  expect((await backfillAppealFollows(s.ctx)).rows).toBe(0);
  expect(await allPages(tok.me, '', 4)).toEqual(await byOr(me));
});

/**
 * A resident's workbench badges (`GET /appeals/counts`, server/appeals/counts.ts ownCounts) from
 * exact counts per badge instead of reading the resident's appeals (issue 16): what they reported,
 * what they submitted and what they follow, each appeal once per badge, the same numbers as
 * "my appeals" (`view=mine`) lists. The appeals that filing cannot make (filed for the resident by
 * another account, followed by their own reporter, submitted for someone else by an account that
 * is a resident now) are written around the models, as an import or an older installation would.
 */
import { Types } from 'mongoose';
import { backfillAppealFollows } from '../../server/appeals';
import { APPEAL_COUNTS_CACHE, type AppealDoc } from '../../server/appeals/model';
import { APPEAL_STATES } from '../../server/appeals/state-machine';
import { bumpStamp } from '../../server/core/cache/stamps';
import type { TestServer } from '../helpers/server';
import { demoIds, fileAppeal, move, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { describeShape, indexesOf, recordQueryShapes, servingIndex, type QueryShape } from '../helpers/query-shapes';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};
const uid: Record<string, Types.ObjectId> = {};

type Badges = { byState: Record<string, number>; overdue: number; queue: number; direct: number };

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  for (const name of ['me', 'other', 'former']) {
    tok[name] = await s.residentToken(`counts-own-${name}`);
    uid[name] = new Types.ObjectId(await ids.user(`counts-own-${name}`));
  }
  tok.dispatcher = await s.staffToken('dispatcher');
  const grid = new Types.ObjectId(await ids.user('dongcheng_grid1'));
  const home = ids.region['DX-01-01'];
  // Reported and submitted by me (one appeal, two branches): one accepted, two still submitted.
  const mine: string[] = [];
  for (let i = 0; i < 3; i++) mine.push((await fileAppeal(s, tok.me, { regionId: home, description: `我反映的第${i}件事，楼道灯不亮` })).id);
  await move(s, tok.dispatcher, mine[0], 'accept');
  // Someone else's, two of them followed by me (同问), one of those accepted.
  const theirs: string[] = [];
  for (let i = 0; i < 3; i++) theirs.push((await fileAppeal(s, tok.other, { regionId: home, description: `邻居反映的第${i}件事，垃圾没人清` })).id);
  for (const id of theirs.slice(0, 2)) expect((await s.api('POST', `/api/v1/appeals/${id}/follow`, { token: tok.me, body: {} })).status).toBeLessThan(300);
  await move(s, tok.dispatcher, theirs[1], 'accept');
  // The follow route refuses one's own appeal.
  expect((await s.api('POST', `/api/v1/appeals/${mine[1]}/follow`, { token: tok.me, body: {} })).status).toBe(400);
  // The former grid worker files for themselves too.
  await fileAppeal(s, tok.former, { regionId: home, description: '我自己反映：路面有坑' });

  const { Appeal } = s.models;
  const template = (await Appeal.findById(theirs[2]).lean<AppealDoc>())!;
  const copy = (over: Partial<AppealDoc>) => ({ ...template, _id: new Types.ObjectId(), idempotencyKey: `counts-own-${new Types.ObjectId()}`, number: `DX-CO-${new Types.ObjectId()}`, followerIds: [], followersCount: 0, overdue: false, ...over });
  await Appeal.collection.insertMany([
    // 代报 for me: reported by me, submitted by a grid worker (the bot's group intake is the same shape).
    copy({ reporterId: uid.me, submittedById: grid, state: 'assigned' }),
    // Mine and followed by me too (three branches), overdue: one appeal in both badges it has.
    copy({ reporterId: uid.me, submittedById: uid.me, followerIds: [uid.me], followersCount: 1, state: 'accepted', overdue: true }),
    // Submitted by the former grid worker for someone else (before their staff role was taken
    // away) and followed by them: in their submitter and follower branches, overdue.
    copy({ reporterId: uid.other, submittedById: uid.former, followerIds: [uid.former], followersCount: 1, state: 'in_progress', overdue: true }),
  ] as never[]);
  // A followed appeal becomes overdue (the scheduler's flag).
  await Appeal.collection.updateOne({ _id: new Types.ObjectId(theirs[0]) }, { $set: { overdue: true } });
  await backfillAppealFollows(s.ctx, { full: true });
  await bumpStamp(s.ctx.conn, APPEAL_COUNTS_CACHE);
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

async function badgesOf(token: string): Promise<Badges> {
  const res = await s.api('GET', '/api/v1/appeals/counts', { token });
  expect(res.status).toBe(200);
  return res.body;
}

/** Every row of "my appeals", page by page, tallied per state and overdue as the badges count them. */
async function listed(token: string): Promise<{ byState: Record<string, number>; overdue: number; ids: string[] }> {
  const rows: { id: string; state: string; overdue: boolean }[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res: { status: number; body: any } = await s.api('GET', `/api/v1/appeals?view=mine&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    rows.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  const byState = Object.fromEntries(APPEAL_STATES.map((st) => [st, rows.filter((r) => r.state === st).length]));
  return { byState, overdue: rows.filter((r) => r.overdue === true).length, ids: rows.map((r) => r.id) };
}

const states = (counts: Partial<Record<string, number>>) => Object.fromEntries(APPEAL_STATES.map((st) => [st, counts[st] ?? 0]));

it("counts each of a resident's appeals once per badge, as view=mine lists them", async () => {
  // Catches: an appeal reported and submitted by the resident counted twice (|R| + |S| without
  // |R ∩ S|), 代报 for them left out, a followed appeal left out, an appeal they both report and
  // follow counted twice (in a state and in overdue), and the overdue badge missing a followed one.
  const list = await listed(tok.me);
  expect(new Set(list.ids).size).toBe(list.ids.length);
  expect(list.ids).toHaveLength(7);
  const badges = await badgesOf(tok.me);
  expect(badges).toEqual({ byState: states({ submitted: 3, accepted: 3, assigned: 1 }), overdue: 2, queue: 0, direct: 0 });
  expect({ byState: badges.byState, overdue: badges.overdue }).toEqual({ byState: list.byState, overdue: list.overdue });
});

it('counts what an account submitted for others, once when it also follows it', async () => {
  // Catches: the submitter branch dropped when it is not inside the reporter's (an account that
  // filed for others), or such an appeal counted again through the follow row.
  const badges = await badgesOf(tok.former);
  expect(badges).toEqual({ byState: states({ submitted: 1, in_progress: 1 }), overdue: 1, queue: 0, direct: 0 });
  const list = await listed(tok.former);
  expect({ byState: badges.byState, overdue: badges.overdue }).toEqual({ byState: list.byState, overdue: list.overdue });
  // The neighbour: their own three and the one filed for them; no follows.
  const theirs = await badgesOf(tok.other);
  expect(theirs).toEqual({ byState: states({ submitted: 2, accepted: 1, in_progress: 1 }), overdue: 2, queue: 0, direct: 0 });
  const theirList = await listed(tok.other);
  expect({ byState: theirs.byState, overdue: theirs.overdue }).toEqual({ byState: theirList.byState, overdue: theirList.overdue });
});

it('follows a move: the appeal leaves one state badge for the next, in every branch', async () => {
  // Catches: a branch counted from a stale read, or the follower branch not following the appeal's state.
  const before = await badgesOf(tok.me);
  const followed = (await listed(tok.other)).ids;
  const { Appeal } = s.models;
  const target = (await Appeal.findOne({ _id: { $in: followed.map((id) => new Types.ObjectId(id)) }, followerIds: uid.me, state: 'accepted' }, { _id: 1 }).lean<{ _id: Types.ObjectId }>())!;
  await move(s, tok.dispatcher, String(target._id), 'assign', { departmentId: ids.department.urban });
  const after = await badgesOf(tok.me);
  expect(after.byState).toEqual({ ...before.byState, accepted: before.byState.accepted - 1, assigned: before.byState.assigned + 1 });
  expect(after.overdue).toBe(before.overdue);
  const list = await listed(tok.me);
  expect({ byState: after.byState, overdue: after.overdue }).toEqual({ byState: list.byState, overdue: list.overdue });
});

it("reads a resident's badges as exact counts on declared indexes, not their appeals", async () => {
  // Catches: going back to reading the resident's appeals (find by reporter or submitter: every
  // one of them decoded on the embedded database), a count with a condition the embedded database
  // cannot count in SQL ($ne, $exists, a range: it then reads every matching appeal), or a query
  // shape no declared index serves.
  await bumpStamp(s.ctx.conn, APPEAL_COUNTS_CACHE);
  const rec = recordQueryShapes(s.ctx.conn);
  try {
    await badgesOf(tok.me);
  } finally {
    rec.stop();
  }
  const shapes: QueryShape[] = rec.shapes().map((r) => r.shape).filter((sh) => sh.collection === 'appeals');
  const lines = shapes.map(describeShape);
  expect(lines).toContain('appeals countDocuments {reporterId:eq, state:eq}');
  expect(lines).toContain('appeals countDocuments {overdue:flag, reporterId:eq}');
  expect(lines).toContain('appeals countDocuments {_id:eq, state:eq}');
  for (const sh of shapes) {
    const exact = Object.values(sh.fields).every((k) => k === 'eq' || k === 'flag');
    // The only appeals read: the followed ones the resident also reported or submitted (by `_id`).
    expect([describeShape(sh), exact && (sh.op === 'countDocuments' || (sh.op === 'find' && sh.fields._id === 'eq'))]).toEqual([describeShape(sh), true]);
  }
  const declared = indexesOf(s.models as never).get('appeals')!;
  for (const sh of shapes) expect([describeShape(sh), servingIndex(declared.indexes, sh, declared.flags) !== null]).toEqual([describeShape(sh), true]);
});

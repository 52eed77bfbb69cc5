/**
 * Every query on a growing collection has a declared index that serves it on MongoDB.
 *
 * The suite drives the platform's main flows over HTTP (residents, the bot, dispatchers,
 * departments, grid workers, community staff, the newsroom, notices) and runs every background
 * job once, while tests/helpers/query-shapes.ts records the shape of each database call. Each
 * shape is then checked against the indexes the models declare (schema.indexes() and `_id`):
 * the embedded database forgives a missing index on demo data, a county's MongoDB with a few
 * hundred thousand appeals does not.
 */
import { runCleanup } from '../../server/maintenance/cleanup';
import { appealDeadlines } from '../../server/appeals/scheduler';
import { publishDueArticles } from '../../server/news/scheduler';
import { newsDigest } from '../../server/news/digest';
import { sweepNoticeFanOut } from '../../server/notices/fan-out-sweep';
import { startOutboxDeliverer } from '../../server/outbox/deliverer';
import { loggingSubscribeSender } from '../../server/outbox/wechat-subscribe';
import { DAY, HOUR, TEST_BOT_TOKEN, demoIds, fileAppeal, move, newKey, startAppealsServer, uploadPhoto, type AppealsTestServer } from '../helpers/appeals';
import { clientKey, newsStaff, publishArticle } from '../helpers/news';
import { describeIndex, describeShape, indexesOf, recordQueryShapes, serves, servingIndex, shapesOf, type DeclaredIndex, type QueryShape } from '../helpers/query-shapes';
import type { TestServer } from '../helpers/server';

/**
 * Collections whose size the county fixes (they never grow with use), read whole or by any field:
 * a collection scan of a few dozen documents is cheaper than an index to keep.
 */
const SMALL_COLLECTIONS: Record<string, string> = {
  regions: 'the county tree: one county, its townships, communities and grids (hundreds at most)',
  categories: 'the dispatch catalogue: a few dozen categories',
  departments: 'the county departments: dozens',
  columns: 'the news columns: a handful',
  serviceentries: 'the services directory: dozens of entries kept by the admin',
  cachestamps: 'one document, read by _id',
  counters: 'one ticket-number counter per day, read by _id',
  seedrecords: 'one record per demo seed section',
  rooms: 'bound group chats: one or a few per community (hundreds), read whole by the digest',
};

/**
 * Shapes on growing collections that no index can serve and that are right as they are, each
 * with why (a line of describeShape's output).
 */
const ACCEPTED_SHAPES: Record<string, string> = {
  'appeals aggregate {}': "an admin's inbox badges count every appeal by state: no index narrows a count of the whole county",
  'users countDocuments {}': "the admin's user list shows the total of all accounts: a count of the whole collection, admin only",
  'articles find {searchTerms:eq} sort {_id:-1}':
    "the newsroom's search, newest written first: bounded by the first term's postings and sorted in memory; another index on the long searchTerms arrays would add hundreds of keys to every article write",
};

let env: AppealsTestServer;
let s: TestServer;
let recorded: { shape: QueryShape; calls: number }[] = [];

const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const res = await p;
  if (res.status >= 400) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  const ids = await demoIds(s);
  // The newsroom's extra reviewers are made (and looked up by the test) before recording starts.
  await newsStaff(s);
  const recorder = recordQueryShapes(s.ctx.conn);
  try {
    await driveFlows(ids);
  } finally {
    recorder.stop();
  }
  recorded = recorder.shapes();
}, 240_000);
afterAll(() => env?.stop());

async function driveFlows(ids: Awaited<ReturnType<typeof demoIds>>) {
  const api = s.api;
  const get = (token: string | undefined, path: string) => ok(api('GET', `/api/v1${path}`, { token }), `GET ${path}`);
  const post = (token: string | undefined, path: string, body: unknown = {}) => ok(api('POST', `/api/v1${path}`, { token, body }), `POST ${path}`);
  const bot = (method: string, path: string, body?: unknown) => ok(api(method, `/api/v1/bot${path}`, { token: TEST_BOT_TOKEN, body }), `${method} /bot${path}`);

  // Sign-ins: password (staff), development login (residents), refresh and logout.
  const login = await ok(api('POST', '/api/v1/auth/password-login', { body: { username: 'dispatcher', password: 'xianrong123' } }), 'login');
  const refreshed = await post(undefined, '/auth/refresh', { refreshToken: login.refreshToken });
  await ok(api('POST', '/api/v1/auth/logout', { body: { refreshToken: refreshed.refreshToken } }), 'logout');
  const t: Record<string, string> = {};
  for (const u of ['admin', 'dispatcher', 'chengguan', 'dongcheng', 'dongcheng_grid1', 'dept_water', 'editor', 'reviewer']) t[u] = await s.staffToken(u);
  const resident = await s.residentToken('demo-resident-01');
  const neighbour = await s.residentToken('demo-resident-02');
  await get(resident, '/me');
  await ok(api('PATCH', '/api/v1/me', { token: neighbour, body: { regionId: ids.region['DX-01-01'] } }), 'PATCH /me');

  // Residents file (with a photo, anonymously), read, follow, remind.
  const photo = await uploadPhoto(s, resident);
  const mine = await fileAppeal(s, resident, { regionId: ids.region['DX-01-01'], photoIds: [photo], categoryId: ids.category['street-lights'] });
  const open = await fileAppeal(s, resident, { regionId: ids.region['DX-01-01'], isAnonymous: true, description: '楼道里的消防通道被杂物堵住了' });
  const waterIssue = await fileAppeal(s, resident, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'], description: '小区从早上开始停水了' });
  for (const view of ['mine', 'public']) {
    await get(resident, `/appeals?view=${view}`);
    await get(neighbour, `/appeals?view=${view}`);
  }
  await get(resident, '/appeals/counts');
  await get(neighbour, `/appeals/similar?categoryId=${ids.category['street-lights']}&regionId=${ids.region['DX-01-01']}`);
  await get(neighbour, `/appeals/${mine.id}`);
  await post(neighbour, `/appeals/${mine.id}/follow`);
  await get(neighbour, '/appeals?view=mine');
  await get(neighbour, '/appeals/counts');
  await post(resident, `/appeals/${open.id}/remind`);

  // A grid worker files for a resident (代报) and reads the grid's lists.
  await fileAppeal(s, t.dongcheng_grid1, { regionId: ids.region['DX-01-01-01'] ?? ids.region['DX-01-01'], channel: 'grid_worker', reporter: { name: '赵大爷', phone: '13800000001' } });

  // Staff lists in every view, with the filters the workbench offers, and the badges.
  const staffViews: Record<string, string[]> = {
    admin: ['inbox', 'queue', 'direct', 'overdue', 'mine', 'public'],
    dispatcher: ['inbox', 'queue', 'direct', 'overdue', 'mine'],
    chengguan: ['inbox', 'queue', 'direct', 'overdue'],
    dongcheng: ['inbox', 'overdue', 'mine'],
    dongcheng_grid1: ['inbox', 'overdue', 'mine'],
    dept_water: ['inbox', 'overdue'],
  };
  for (const [who, views] of Object.entries(staffViews)) {
    for (const view of views) await get(t[who], `/appeals?view=${view}&limit=5`);
    await get(t[who], '/appeals/counts');
  }
  await get(t.dispatcher, '/appeals?view=inbox&state=submitted');
  await get(t.dispatcher, `/appeals?view=inbox&state=assigned,in_progress&regionId=${ids.region['DX-01']}`);
  // A second page: the cursor's `_id` bound.
  const first = await get(t.dispatcher, '/appeals?view=inbox&limit=2');
  if (first.nextCursor) await get(t.dispatcher, `/appeals?view=inbox&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);

  // The dispatcher accepts and assigns; the department starts and replies; the resident rates and reopens.
  await get(t.dispatcher, `/appeals/${open.id}`);
  await post(t.dispatcher, `/appeals/${open.id}/accept`, { categoryId: ids.category['water-supply'] });
  await post(t.dispatcher, `/appeals/${open.id}/assign`, { departmentId: ids.department.water });
  await post(t.dispatcher, `/appeals/${waterIssue.id}/review`, {});
  await get(t.dept_water, `/appeals/${open.id}`);
  await move(s, t.dept_water, open.id, 'start', {});
  await move(s, t.dept_water, open.id, 'reply', { answer: '已安排维修人员上门处理' });
  await post(resident, `/appeals/${open.id}/rate`, { resolved: false, satisfaction: 'dissatisfied' }).catch(() => post(resident, `/appeals/${open.id}/reopen`, { reason: '问题还没有解决' }));
  await post(t.dispatcher, `/appeals/${mine.id}/reject`, { reason: '重复提交，已合并处理' }).catch(() => undefined);

  // The bot: group intake, a photo that joins it, lookups, binding, outbox, services.
  const receipt = await bot('POST', '/appeals', { idempotencyKey: newKey('msg'), channel: 'group_chat', roomId: 'dongcheng-neighbours@chatroom', contact: { id: 'wxid_demo_resident_01', name: '王建国' }, text: '#报事 小区东门的井盖丢了' });
  const botPhoto = await uploadPhoto(s, TEST_BOT_TOKEN, '/api/v1/bot/photos');
  await bot('POST', '/appeals/photos', { roomId: 'dongcheng-neighbours@chatroom', contactId: 'wxid_demo_resident_01', photoIds: [botPhoto] });
  await bot('GET', `/appeals/by-number/${receipt.number}`);
  await bot('GET', '/contacts/wxid_demo_dongcheng_grid1');
  await bot('POST', '/appeals', { idempotencyKey: newKey('fwd'), channel: 'grid_worker', contact: { id: 'wxid_demo_dongcheng_grid1', name: '网格员' }, text: '居民反映：路灯不亮' }).catch(() => undefined);
  const code = await post(t.dongcheng, '/binding-codes', { type: 'room', regionId: ids.region['DX-01-01'] });
  await bot('POST', '/bindings/redeem', { code: code.code, target: { type: 'room', roomId: 'new-group@chatroom', topic: '东城新群', byContactId: 'wxid_demo_dongcheng_staff' } }).catch(() => undefined);
  await get(t.dongcheng, '/rooms');
  await bot('GET', '/rooms');
  await bot('GET', '/services');
  const claimed = await bot('POST', '/outbox/claim', { owner: 'bot-test', limit: 5, leaseSeconds: 60 });
  for (const item of claimed.items ?? claimed) await bot('POST', `/outbox/${item.id}/complete`, { owner: 'bot-test', ok: true });

  // The newsroom: write, review, publish, the workbench lists; readers: feed, search, detail, like, comments.
  const staff = await newsStaff(s);
  const articleId = await publishArticle(s, { columnCode: 'livelihood', title: '县城新增三处便民服务点' });
  for (const q of ['', '?state=review', '?mine=true', '?state=published&column=livelihood', '?q=便民']) await get(staff.editor, `/articles${q}`);
  await get(staff.reviewers[0], '/articles?state=review&level=1');
  await get(staff.editor, '/articles/counts');
  await get(staff.editor, `/articles/${articleId}`);
  const feed = await get(undefined, '/news/feed');
  if (feed.nextCursor) await get(undefined, `/news/feed?cursor=${encodeURIComponent(feed.nextCursor)}`);
  await get(undefined, '/news/feed?column=livelihood');
  await get(undefined, `/news/feed?regionId=${ids.region['DX-01-01']}`);
  await get(undefined, `/news/search?q=${encodeURIComponent('便民服务')}`);
  await get(undefined, `/news/articles/${articleId}`);
  await get(resident, `/news/articles/${articleId}`);
  await ok(api('PUT', `/api/v1/news/articles/${articleId}/like`, { token: resident }), 'like');
  await ok(api('DELETE', `/api/v1/news/articles/${articleId}/like`, { token: resident }), 'unlike');
  const comment = await post(resident, '/comments', { articleId, text: '这个服务点开在哪里？', idempotencyKey: clientKey() });
  await get(undefined, `/comments?articleId=${articleId}`);
  await post(neighbour, `/comments/${comment.id}/report`, { reason: '广告' });
  await get(staff.editor, '/comments/moderation?state=all');
  await get(staff.editor, '/comments/moderation?state=held');
  await post(staff.editor, `/comments/${comment.id}/decision`, { decision: 'approve' }).catch(() => undefined);
  const scheduled = await publishArticle(s, { columnCode: 'culture', title: '周末文化节活动预告' }).catch(() => null);
  if (scheduled) await post(staff.editor, `/articles/${scheduled}/withdraw`, { reason: '活动延期' }).catch(() => undefined);

  // Notices: a community's staff writes and publishes; readers and writers list; deliveries.
  const notice = await post(t.dongcheng, '/notices', { title: '停水通知', body: '明天上午九点到十二点停水检修', level: 'important', regionIds: [ids.region['DX-01-01']], idempotencyKey: clientKey() });
  await ok(api('PATCH', `/api/v1/notices/${notice.id}`, { token: t.dongcheng, body: { body: '明天上午九点到下午一点停水检修' } }), 'PATCH notice');
  await post(t.dongcheng, `/notices/${notice.id}/publish`);
  await get(undefined, '/notices');
  await get(undefined, `/notices?regionId=${ids.region['DX-01-01']}`);
  await get(undefined, `/notices?q=${encodeURIComponent('停水')}`);
  await get(undefined, `/notices/${notice.id}`);
  await get(t.dongcheng, '/notices/manage');
  await get(t.dongcheng, `/notices/manage/${notice.id}`);
  await get(t.dongcheng, `/notices/${notice.id}/deliveries`);

  // Reference data and admin lists.
  for (const p of ['/regions', `/regions?parentId=${ids.region.DX}`, '/categories', '/departments', '/columns', '/services', '/users']) await get(t.admin, p);

  // Every background job once: deadlines a day and more later, the cleanup after sessions expired.
  env.clock.advance(3 * DAY);
  const deadlines = appealDeadlines(s.ctx);
  await deadlines.run();
  await deadlines.relay.idle();
  await publishDueArticles(s.ctx);
  env.clock.advance(12 * HOUR);
  await newsDigest(s.ctx).run();
  await sweepNoticeFanOut(s.ctx);
  const deliverer = startOutboxDeliverer(s.ctx, { sender: loggingSubscribeSender(s.ctx.logger), schedule: () => ({ cancel() {} }) });
  try {
    await deliverer.runOnce();
  } finally {
    await deliverer.stop();
  }
  env.clock.advance(40 * DAY);
  await runCleanup(s.ctx);
}

describe('indexes for the real database', () => {
  it('records the shapes of the flows (the recorder sees model queries, aggregates and raw collection calls)', () => {
    // Catches: a recorder that silently records nothing (then every check below passes vacuously).
    const collections = new Set(recorded.map((r) => r.shape.collection));
    for (const c of ['appeals', 'articles', 'comments', 'outboxes', 'sessions', 'ratewindows', 'notices', 'photos', 'users', 'identities', 'cachestamps']) expect(collections).toContain(c);
    expect(recorded.some((r) => r.shape.op === 'aggregate')).toBe(true);
  });

  it('serves every query on a growing collection with a declared index', () => {
    // Catches: a query on a growing collection (a `$or` branch such as `followerIds` of "my
    // appeals", the bot's photo-attach lookup, a cleanup deleteMany) that MongoDB answers with a
    // collection scan or an in-memory sort because no declared index serves its filter and sort.
    const indexes = indexesOf(s.ctx.models as never);
    const unserved: string[] = [];
    for (const { shape, calls } of recorded) {
      if (SMALL_COLLECTIONS[shape.collection]) continue;
      const line = describeShape(shape);
      if (ACCEPTED_SHAPES[line]) continue;
      const declared = indexes.get(shape.collection);
      if (!declared) {
        unserved.push(`${line}  (${calls}×; no model declares this collection)`);
        continue;
      }
      if (!servingIndex(declared.indexes, shape, declared.flags)) unserved.push(`${line}  (${calls}×; declared: ${declared.indexes.map(describeIndex).join(' ')})`);
    }
    expect(unserved.sort()).toEqual([]);
  });

  it('every allowlisted collection and shape is still seen (the lists do not outlive the code)', () => {
    // Catches: an allowlist entry left behind after its query changed, hiding the next one.
    const lines = new Set(recorded.map((r) => describeShape(r.shape)));
    for (const line of Object.keys(ACCEPTED_SHAPES)) expect(lines).toContain(line);
  });
});

describe('the serving rule (tests/helpers/query-shapes.ts)', () => {
  const ix = (keys: Record<string, 1 | -1>, unique = false): DeclaredIndex => ({ keys: Object.entries(keys) as [string, 1 | -1][], unique });
  const find = (filter: Record<string, unknown>, sort?: Record<string, 1 | -1>) => shapesOf('appeals', 'find', [filter, { sort }]);
  const me = { _bsontype: 'ObjectId', id: 'x' };
  const page = { $lt: { _bsontype: 'ObjectId', id: 'f' } };
  const flags = new Set(['overdue', 'state', 'isPublic']);

  it('splits a $or into branches, each with the conditions around it', () => {
    // Catches: a recorder that checks a $or as one filter, so one indexed branch hides an unindexed one.
    const shapes = find({ $and: [{ $or: [{ reporterId: me }, { followerIds: me }] }, { _id: page }] }, { _id: -1 });
    expect(shapes.map(describeShape)).toEqual(['appeals find {_id:range, reporterId:eq} sort {_id:-1}', 'appeals find {_id:range, followerIds:eq} sort {_id:-1}']);
  });

  it('does not count a page cursor on the sort field as a bound', () => {
    // Catches: `{followerIds, _id < cursor}` passing on the `_id` index, which walks every appeal.
    const [shape] = find({ followerIds: me, _id: page }, { _id: -1 });
    expect(serves(ix({ _id: 1 }, true), shape)).toBe(false);
    expect(serves(ix({ followerIds: 1, _id: -1 }), shape)).toBe(true);
  });

  it('wants the sort right after the equality prefix, or a range that bounds what is sorted', () => {
    // Catches: an index that selects the right documents but leaves them to an in-memory sort of all of them.
    const [shape] = find({ submittedById: me, _id: page }, { _id: -1 });
    expect(serves(ix({ submittedById: 1, idempotencyKey: 1 }, true), shape)).toBe(false);
    expect(serves(ix({ submittedById: 1, _id: -1 }), shape)).toBe(true);
    const [similar] = find({ categoryId: me, regionPath: /^\/a\//, submittedAt: { $gte: new Date(0) } }, { submittedAt: -1 });
    expect(serves(ix({ categoryId: 1, regionPath: 1, submittedAt: -1 }), similar)).toBe(true);
  });

  it('leaves flags to the documents only behind a real bound; a flags-only index must hold every flag', () => {
    // Catches: unreviewed direct dispatches "served" by the {overdue, _id} index, a walk of nearly every appeal.
    const [direct] = find({ directDispatch: true, dispatchReviewed: false, overdue: false, _id: page }, { _id: -1 });
    expect(serves(ix({ overdue: 1, _id: -1 }), direct, flags)).toBe(false);
    expect(serves(ix({ directDispatch: 1, dispatchReviewed: 1, overdue: 1, _id: -1 }), direct, flags)).toBe(true);
    const [dept] = find({ departmentId: me, overdue: true, state: 'assigned' }, { _id: -1 });
    expect(serves(ix({ departmentId: 1, _id: -1 }), dept, flags)).toBe(true);
  });
});

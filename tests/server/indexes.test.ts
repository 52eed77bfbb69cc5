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
import { suggestImportJob, suggestLearner } from '../../server/suggest';
import { consultationCloser } from '../../server/consultations';
import { hotspotDetector } from '../../server/hotspots';
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
  'users countDocuments {}': "the admin's user list shows the total of all accounts: a count of the whole collection, admin only",
  'articles find {searchTerms:eq} sort {_id:-1}':
    "the newsroom's search, newest written first: bounded by the first term's postings and sorted in memory; another index on the long searchTerms arrays would add hundreds of keys to every article write",
};

let env: AppealsTestServer;
let s: TestServer;
let recorded: { shape: QueryShape; calls: number }[] = [];
/** Steps of the flows that failed: reported by the first test, while the shapes recorded still get checked. */
const failedSteps: string[] = [];

const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const res = await p;
  if (res.status >= 400) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
/** Runs one step of the flows; a failure is recorded (and reported) instead of ending the recording. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    failedSteps.push(`${name}: ${(err as Error).message}`);
    return undefined;
  }
}

async function driveFlows(ids: Awaited<ReturnType<typeof demoIds>>) {
  const api = s.api;
  const get = (token: string | undefined, path: string) => ok(api('GET', `/api/v1${path}`, { token }), `GET ${path}`);
  const post = (token: string | undefined, path: string, body: unknown = {}) => ok(api('POST', `/api/v1${path}`, { token, body }), `POST ${path}`);
  const patch = (token: string, path: string, body: unknown) => ok(api('PATCH', `/api/v1${path}`, { token, body }), `PATCH ${path}`);
  const bot = (method: string, path: string, body?: unknown) => ok(api(method, `/api/v1/bot${path}`, { token: TEST_BOT_TOKEN, body }), `${method} /bot${path}`);
  const gets = async (token: string | undefined, paths: string[]) => {
    for (const p of paths) await step(`GET ${p}`, () => get(token, p));
  };
  const home = ids.region['DX-01-01'];
  const ROOM = 'dongcheng-neighbours@chatroom';

  // Sign-ins: password (staff), development login (residents), refresh and logout.
  await step('password login, refresh, logout', async () => {
    const login = await ok(api('POST', '/api/v1/auth/password-login', { body: { username: 'dispatcher', password: 'xianrong123' } }), 'login');
    const refreshed = await post(undefined, '/auth/refresh', { refreshToken: login.refreshToken });
    await post(undefined, '/auth/logout', { refreshToken: refreshed.refreshToken });
  });
  const t: Record<string, string> = {};
  for (const u of ['admin', 'dispatcher', 'chengguan', 'dongcheng', 'dongcheng_grid1', 'dept_water']) t[u] = await s.staffToken(u);
  const resident = await s.residentToken('demo-resident-01');
  const neighbour = await s.residentToken('demo-resident-02');
  await gets(resident, ['/me']);
  await step('PATCH /me', () => patch(neighbour, '/me', { regionId: home }));

  // Residents file (with a photo, anonymously, directly dispatched), read, follow, remind.
  const mine = await step('file with a photo', async () => fileAppeal(s, resident, { regionId: home, photoIds: [await uploadPhoto(s, resident)], categoryId: ids.category['street-lights'] }));
  const open = await step('file anonymously', () => fileAppeal(s, resident, { regionId: home, isAnonymous: true, description: '楼道里的消防通道被杂物堵住了' }));
  const water = await step('file for direct dispatch', () => fileAppeal(s, resident, { regionId: home, categoryId: ids.category['water-supply'], description: '小区从早上开始停水了' }));
  for (const token of [resident, neighbour]) await gets(token, ['/appeals?view=mine', '/appeals?view=public', '/appeals/counts']);
  await gets(neighbour, [`/appeals/similar?categoryId=${ids.category['street-lights']}&regionId=${home}`, ...(mine ? [`/appeals/${mine.id}`] : [])]);
  if (mine) await step('follow (同问)', () => post(neighbour, `/appeals/${mine.id}/follow`));
  await gets(neighbour, ['/appeals?view=mine', '/appeals/counts']);
  if (open) await step('remind', () => post(resident, `/appeals/${open.id}/remind`));

  // A grid worker files for a resident (代报).
  await step('grid worker files', () => fileAppeal(s, t.dongcheng_grid1, { regionId: ids.region['DX-01-01-01'] ?? home, channel: 'grid_worker', reporter: { name: '赵大爷', phone: '13800000001' } }));

  // Staff lists in every view, with the workbench's filters, and the badges.
  const staffViews: Record<string, string[]> = {
    admin: ['inbox', 'queue', 'direct', 'overdue', 'mine', 'public'],
    dispatcher: ['inbox', 'queue', 'direct', 'overdue', 'mine'],
    chengguan: ['inbox', 'queue', 'direct', 'overdue'],
    dongcheng: ['inbox', 'overdue', 'mine'],
    dongcheng_grid1: ['inbox', 'overdue', 'mine'],
    dept_water: ['inbox', 'overdue'],
  };
  for (const [who, views] of Object.entries(staffViews)) await gets(t[who], [...views.map((v) => `/appeals?view=${v}&limit=5`), '/appeals/counts']);
  await gets(t.dispatcher, ['/appeals?view=inbox&state=submitted', `/appeals?view=inbox&state=assigned,in_progress&regionId=${ids.region['DX-01']}`]);
  await step('a second page (the cursor)', async () => {
    const first = await get(t.dispatcher, '/appeals?view=inbox&limit=2');
    if (first.nextCursor) await get(t.dispatcher, `/appeals?view=inbox&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
  });

  // The dispatcher accepts and assigns; the department starts and replies; the resident rates.
  if (open) {
    await gets(t.dispatcher, [`/appeals/${open.id}`]);
    await step('accept', () => post(t.dispatcher, `/appeals/${open.id}/accept`, { categoryId: ids.category['water-supply'] }));
    await step('assign', () => post(t.dispatcher, `/appeals/${open.id}/assign`, { departmentId: ids.department.water }));
    await gets(t.dept_water, [`/appeals/${open.id}`]);
    await step('start', () => move(s, t.dept_water, open.id, 'start', {}));
    await step('reply', () => move(s, t.dept_water, open.id, 'reply', { answer: '已安排维修人员上门处理' }));
    await step('rate', () => post(resident, `/appeals/${open.id}/rate`, { resolved: false, satisfaction: 'unsatisfied' }));
    await step('reopen', () => post(resident, `/appeals/${open.id}/reopen`, { reason: '问题还没有解决' }));
  }
  if (water) await step('review a direct dispatch', () => post(t.dispatcher, `/appeals/${water.id}/review`, {}));
  if (mine) await step('transfer', () => post(t.dispatcher, `/appeals/${mine.id}/transfer`, { departmentId: ids.department.transport, reason: '属于道路设施，转交通部门' }));
  await step('reject', async () => {
    const plain = await fileAppeal(s, neighbour, { regionId: home, description: '想问问社区图书室几点开门' });
    await post(t.dispatcher, `/appeals/${plain.id}/reject`, { reason: '咨询类问题，已电话答复' });
  });

  // The public board (公开诉求): anyone reads it, a page, by category and community, an item; a dispatcher takes one off.
  await step('board, next page', async () => {
    const first = await get(undefined, '/board?limit=2');
    if (first.nextCursor) await get(undefined, `/board?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
  });
  await gets(undefined, [`/board?categoryId=${ids.category['water-supply']}`, `/board?regionId=${home}`, `/board?regionId=${home}&categoryId=${ids.category['water-supply']}`, '/board/rates']);
  await step('board item, 撤下', async () => {
    const on = (await get(undefined, '/board?limit=1')).items[0];
    await get(undefined, `/board/${on.id}`);
    const { version } = await get(t.dispatcher, `/appeals/${on.id}`);
    await post(t.dispatcher, `/appeals/${on.id}/unpublish`, { reason: '测试撤下', version });
  });

  // The bot: group intake, a photo that joins it, lookups, binding, outbox, services.
  const receipt = await step('bot: group intake', () => bot('POST', '/appeals', { idempotencyKey: newKey('msg'), channel: 'group_chat', roomId: ROOM, contact: { id: 'wxid_demo_resident_01', name: '王建国' }, text: '#报事 小区东门的井盖丢了' }));
  await step('bot: a photo joins the appeal', async () => {
    const photoId = await uploadPhoto(s, TEST_BOT_TOKEN, '/api/v1/bot/photos');
    await bot('POST', '/appeals/photos', { roomId: ROOM, contactId: 'wxid_demo_resident_01', photoIds: [photoId] });
  });
  if (receipt) await step('bot: 查询', () => bot('GET', `/appeals/by-number/${receipt.number}?contactId=wxid_demo_resident_01&roomId=${encodeURIComponent(ROOM)}`));
  await step('bot: contact', () => bot('GET', '/contacts/wxid_demo_dongcheng_grid1'));
  await step('bot: grid worker forward', () => bot('POST', '/appeals', { idempotencyKey: newKey('fwd'), channel: 'grid_worker', contact: { id: 'wxid_demo_dongcheng_grid1', name: '网格员' }, text: '居民反映：路灯不亮' }));
  await step('binding code and redeem', async () => {
    const code = await post(t.dongcheng, '/binding-codes', { type: 'room', regionId: home });
    // Whether the redeem is allowed is the binding suite's business; its queries are recorded either way.
    await api('POST', '/api/v1/bot/bindings/redeem', { token: TEST_BOT_TOKEN, body: { code: code.code, target: { type: 'room', roomId: 'new-group@chatroom', topic: '东城新群', byContactId: 'wxid_demo_dongcheng_staff' } } });
  });
  await gets(t.dongcheng, ['/rooms']);
  await step('bot: rooms and services', async () => {
    await bot('GET', '/rooms');
    await bot('GET', '/services');
  });
  await step('bot: outbox claim and complete', async () => {
    const claimed = await bot('POST', '/outbox/claim', { owner: 'bot-test', limit: 5, leaseSeconds: 60 });
    for (const item of claimed.items ?? claimed) await bot('POST', `/outbox/${item.id}/complete`, { owner: 'bot-test', ok: true });
  });

  // The newsroom: write, review, publish, the workbench lists; readers: feed, search, detail, like, comments.
  const staff = await newsStaff(s);
  const articleId = await step('publish an article', () => publishArticle(s, { columnCode: 'livelihood', title: '县城新增三处便民服务点' }));
  await gets(staff.editor, ['/articles', '/articles?state=review', '/articles?mine=true', '/articles?state=published&column=livelihood', `/articles?q=${encodeURIComponent('便民')}`, '/articles/counts']);
  await gets(staff.reviewers[0], ['/articles?state=review&level=1']);
  await step('feed, next page', async () => {
    const feed = await get(undefined, '/news/feed');
    if (feed.nextCursor) await get(undefined, `/news/feed?cursor=${encodeURIComponent(feed.nextCursor)}`);
  });
  await gets(undefined, ['/news/feed?column=livelihood', `/news/feed?regionId=${home}`, `/news/search?q=${encodeURIComponent('便民服务')}`]);
  if (articleId) {
    await gets(staff.editor, [`/articles/${articleId}`]);
    await gets(undefined, [`/news/articles/${articleId}`]);
    await gets(resident, [`/news/articles/${articleId}`]);
    await step('like, unlike', async () => {
      await ok(api('PUT', `/api/v1/news/articles/${articleId}/like`, { token: resident }), 'like');
      await ok(api('DELETE', `/api/v1/news/articles/${articleId}/like`, { token: resident }), 'unlike');
    });
    const comment = await step('comment', () => post(resident, '/comments', { articleId, text: '这个服务点开在哪里？', idempotencyKey: clientKey() }));
    await gets(undefined, [`/comments?articleId=${articleId}`]);
    // Three readers' reports hide a comment until an editor decides.
    for (const reader of [neighbour, await s.residentToken('demo-resident-03'), await s.residentToken('demo-resident-04')]) {
      if (comment) await step('report a comment', () => post(reader, `/comments/${comment.id}/report`, { reason: '广告' }));
    }
    await gets(staff.editor, ['/comments/moderation?state=all', '/comments/moderation?state=held']);
    if (comment) await step('moderate a comment', () => post(staff.editor, `/comments/${comment.id}/decision`, { decision: 'approve' }));
    await step('withdraw an article', () => post(staff.editor, `/articles/${articleId}/withdraw`, { reason: '内容需要更新' }));
  }

  // News tips (爆料): a resident sends one with a photo; the newsroom's queue by state, a move, the photo's original.
  const tipPhoto = await step('tip photo', () => uploadPhoto(s, resident));
  const tip = await step('send a tip', () => post(resident, '/tips', { text: '河边护栏断了一大段', photoIds: tipPhoto ? [tipPhoto] : [], mayContact: true, mayCredit: true, idempotencyKey: clientKey() }));
  await gets(resident, ['/tips?view=mine', ...(tip ? [`/tips/${tip.id}`] : [])]);
  await gets(staff.editor, ['/tips?view=queue', '/tips?view=queue&state=new']);
  if (tip) await step('take a tip', () => post(staff.editor, `/tips/${tip.id}/take`, { version: 0 }));
  if (tipPhoto) await gets(staff.editor, [`/photos/${tipPhoto}/original`]);

  // Consultations (议事): community staff open one; a resident votes in the app, a member in the group; lists and the result.
  const consultation = await step('open a consultation', () => post(t.dongcheng, '/consultations', { title: '老楼加装电梯方案', options: ['同意', '不同意'], regionId: home, closesAt: new Date(env.clock.now().getTime() + 2 * DAY).toISOString(), idempotencyKey: clientKey() }));
  if (consultation) {
    await step('vote in the app', () => ok(api('PUT', `/api/v1/consultations/${consultation.id}/vote`, { token: resident, body: { choices: [1] } }), 'vote'));
    await step('vote in the group', () => bot('POST', '/consultations/votes', { votes: [{ messageId: newKey('msg'), roomId: ROOM, contactId: 'wxid_demo_resident_07', choices: [2] }] }));
    await gets(resident, ['/consultations', '/consultations?state=closed', `/consultations/${consultation.id}`]);
    await gets(t.dongcheng, ['/consultations?state=pending']);
  }

  // Notices: a community's staff writes and publishes; readers and writers list; deliveries.
  const notice = await step('write a notice', () => post(t.dongcheng, '/notices', { title: '停水通知', body: '明天上午九点到十二点停水检修', level: 'important', regionIds: [home], idempotencyKey: clientKey() }));
  if (notice) {
    await step('publish the notice', () => post(t.dongcheng, `/notices/${notice.id}/publish`));
    await gets(undefined, [`/notices/${notice.id}`]);
    await gets(t.dongcheng, [`/notices/manage/${notice.id}`, `/notices/${notice.id}/deliveries`]);
  }
  await gets(undefined, ['/notices', `/notices?regionId=${home}`, `/notices?q=${encodeURIComponent('停水')}`]);
  await gets(t.dongcheng, ['/notices/manage']);

  // Reference data and admin lists.
  await gets(t.admin, ['/regions', `/regions?parentId=${ids.region.DX}`, '/categories', '/departments', '/columns', '/services', '/users']);

  // Open311: an admin issues and lists keys; an outside client files (form-encoded) and reads with each filter.
  const key = await step('open311: issue a key', () => post(t.admin, '/open311/keys', { name: '随手拍', owner: '测试单位' }));
  await gets(t.admin, ['/open311/keys']);
  if (key) {
    const o311 = (path: string, init?: RequestInit) => step(`open311 ${path}`, async () => {
      const res = await fetch(`${s.url}/open311/v2${path}`, init);
      if (res.status >= 400) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    });
    const filed = await o311('/requests.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: key.apiKey, service_code: 'road-damage', lat: '28.9010', long: '118.8705', description: '井盖缺失' }).toString(),
    });
    for (const q of ['', '?service_code=road-damage', '?status=open', '?start_date=2026-01-01T00:00:00Z&end_date=2030-01-01T00:00:00Z', `?service_request_id=${filed?.[0]?.service_request_id}`]) await o311(`/requests.json${q}`);
    await o311(`/requests/${filed?.[0]?.service_request_id}.json`);
    await o311(`/tokens/${filed?.[0]?.token}.json`);
    await o311('/services.json');
  }

  // Hot spots (高频诉求): a burst in one community, the detector, the lists in scope, a merge and the thresholds.
  await step('hot spots', async () => {
    for (const description of ['东门路灯不亮', '东门的路灯坏了不亮', '东门口路灯不亮了']) await fileAppeal(s, resident, { regionId: home, description, categoryId: ids.category.other });
    await hotspotDetector(s.ctx).run();
    await gets(t.chengguan, ['/hotspots/count', '/hotspots/settings', '/hotspots?state=merged']);
    await gets(t.admin, ['/hotspots', '/hotspots/count']);
    const [h] = (await get(t.dongcheng, '/hotspots')).items;
    if (!h) throw new Error('no hot spot formed');
    await get(t.dongcheng, `/hotspots/${h.id}`);
    await post(t.chengguan, `/hotspots/${h.id}/merge`, { version: h.version });
    await ok(api('PUT', '/api/v1/hotspots/settings', { token: t.admin, body: { windowHours: 6, minCount: 3, similarity: 0.6, version: 0 } }), 'PUT /hotspots/settings');
  });

  // Every background job once: deadlines days later, the digest after its hour, the cleanup after sessions expired.
  await step('appeal deadlines', async () => {
    env.clock.advance(3 * DAY);
    const deadlines = appealDeadlines(s.ctx);
    await deadlines.run();
    await deadlines.relay.idle();
  });
  await step('scheduled publishing', () => publishDueArticles(s.ctx));
  // Three days on, the consultation is due: closed with the recount from its ballots.
  await step('consultation closer', () => consultationCloser(s.ctx).run());
  await step('news digest', async () => {
    env.clock.advance(12 * HOUR);
    await newsDigest(s.ctx).run();
  });
  await step('notice fan-out sweep', () => sweepNoticeFanOut(s.ctx));
  // The category suggestion: the learner reads the appeals written since its checkpoint; a suggestion then reads memory only.
  await step('suggestion learner', async () => {
    await suggestLearner(s.ctx).runOnce();
    await post(t.dispatcher, '/categories/suggest', { text: '小区门口的路灯不亮了' });
  });
  // The import of past appeals: preview, mapping, start, the job's batches, the refused rows' pages, delete (unlearn).
  await step('suggestion import', async () => {
    const csv = '内容,分类,日期\n路灯不亮很久了,路灯不亮,2024-01-02\n,路灯不亮,2024-01-03\n';
    const imp = await ok(api('POST', '/api/v1/categories/imports', { token: t.admin, raw: csv, headers: { 'content-type': 'text/csv' } }), 'POST /categories/imports');
    const id = imp.id as string;
    await gets(t.admin, ['/categories/imports', `/categories/imports/${id}/refused`]);
    const mapped = await ok(api('PATCH', `/api/v1/categories/imports/${id}`, { token: t.admin, body: { version: imp.version, mapping: {} } }), 'PATCH import');
    await post(t.admin, `/categories/imports/${id}/start`, { version: mapped.version });
    await suggestImportJob(s.ctx).runOnce();
    await ok(api('DELETE', `/api/v1/categories/imports/${id}`, { token: t.admin }), 'DELETE import');
    await suggestImportJob(s.ctx).runOnce();
  });
  // Direct dispatch by suggestion: the setting saved, its precision measured (recent learned appeals, their texts), a sure filing dispatched.
  await step('direct dispatch by suggestion', async () => {
    await ok(api('PATCH', '/api/v1/categories/suggest/direct-dispatch', { token: t.admin, body: { version: 0, enabled: true, threshold: 0.5 } }), 'PATCH direct dispatch');
    await gets(t.dispatcher, ['/categories/suggest/direct-dispatch']);
    await bot('POST', '/appeals', { idempotencyKey: newKey('msg'), channel: 'group_chat', roomId: ROOM, contact: { id: 'wxid_demo_resident_01', name: '王建国' }, text: '#报事 小区门口的路灯不亮了' });
  });
  await step('subscribe-message deliverer', async () => {
    const deliverer = startOutboxDeliverer(s.ctx, { sender: loggingSubscribeSender(s.ctx.logger), schedule: () => ({ cancel() {} }) });
    try {
      await deliverer.runOnce();
    } finally {
      await deliverer.stop();
    }
  });
  await step('cleanup', async () => {
    env.clock.advance(40 * DAY);
    await runCleanup(s.ctx);
  });
}

describe('indexes for the real database', () => {
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

  it('runs every flow and records their shapes (model queries, aggregates and raw collection calls)', () => {
    // Catches: a recorder that silently records nothing, or flows that stopped running (an API
    // changed): then the check below passes on less than the platform does.
    expect(failedSteps).toEqual([]);
    const collections = new Set(recorded.map((r) => r.shape.collection));
    for (const c of ['appeals', 'articles', 'comments', 'outboxes', 'sessions', 'ratewindows', 'notices', 'photos', 'users', 'identities', 'cachestamps']) expect(collections).toContain(c);
    expect(recorded.some((r) => r.shape.op === 'aggregate')).toBe(true);
  });

  it('serves every query on a growing collection with a declared index', () => {
    // Catches: a query on a growing collection (a `$or` branch such as `followerIds` of "my
    // appeals", the bot's photo-attach lookup, a cleanup deleteMany) that MongoDB answers with a
    // collection scan or an in-memory sort because no declared index serves its filter and sort.
    const indexes = indexesOf(s.models as never);
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
    expect(shapes.map(describeShape)).toEqual(['appeals find {_id:upper, reporterId:eq} sort {_id:-1}', 'appeals find {_id:upper, followerIds:eq} sort {_id:-1}']);
  });

  it('does not count a page cursor on the sort field as a bound', () => {
    // Catches: `{followerIds, _id < cursor}` passing on the `_id` index, which walks every appeal.
    const [shape] = find({ followerIds: me, _id: page }, { _id: -1 });
    expect(serves(ix({ _id: 1 }, true), shape)).toBe(false);
    expect(serves(ix({ followerIds: 1, _id: -1 }), shape)).toBe(true);
    // Where the walk ends is a bound: the oldest orphans first, up to a day ago.
    const [orphans] = find({ attached: false, lastUploadAt: { $lte: new Date(0) } }, { lastUploadAt: 1 });
    expect(serves(ix({ lastUploadAt: 1 }), orphans)).toBe(true);
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

import { describeSeed, isDemoDatabase, isEmpty, NotADemoDatabaseError, resetDatabase, seedCollectionCounts, seedDemoCounty } from '../../server/seed/seed';
import { startTestServer, type TestServer } from '../helpers/server';
import { readStamps } from '../../server/core/cache/stamps';
import type { AppealDoc } from '../../server/appeals/model';
import { appealDeadlines } from '../../server/appeals/scheduler';
import { APPEAL_CHANNELS, APPEAL_STATES, assertMove, MOVES, OPEN_STATES, type Move } from '../../server/appeals/state-machine';
import type { ArticleDoc } from '../../server/news/model';
import { feedKeyOf } from '../../server/news/feed-key';
import { queryTerms } from '../../server/news/search-terms';
import { photoStorage } from '../../server/photos/storage';

// Several tests here run two or three whole seeds (about 5 s each on a quiet machine, several times
// that on a busy one); the suite-wide limit is sized for single requests.
jest.setTimeout(120_000);

let s: TestServer;
/** The moment the demo appeals are seeded at, and the server's clock: appeals filed in a test land on a seeded day. */
const SEEDED_AT = new Date('2026-11-26T06:30:00Z');
beforeAll(async () => {
  s = await startTestServer({ seed: false, now: () => SEEDED_AT });
});
afterAll(() => s?.stop());

describe('the demo county seed', () => {
  it('fills an empty database once, and adds only what a demo database lacks later', async () => {
    const { models } = s;
    expect(await isEmpty(models)).toBe(true);
    const first = await seedDemoCounty(models, SEEDED_AT);
    expect(first.applied.map((a) => a.name)).toEqual(['regions', 'departments', 'categories', 'people', 'group chats', 'appeals', 'news']);
    expect(describeSeed(first)).toContain('27 regions');
    expect(await isDemoDatabase(models)).toBe(true);
    expect((await seedDemoCounty(models, SEEDED_AT)).applied).toEqual([]);

    // As if the database had been made before categories existed.
    await models.Category.deleteMany({});
    await models.SeedRecord.deleteOne({ _id: 'categories' });
    const users = await models.User.countDocuments();
    const later = await seedDemoCounty(models, SEEDED_AT);
    expect(later.applied).toEqual([{ name: 'categories', count: 17 }]);
    expect(await models.User.countDocuments()).toBe(users);
    const water = await models.Category.findOne({ code: 'water-supply' }).lean();
    const waterDept = await models.Department.findOne({ code: 'water' }).lean();
    expect(String(water!.defaultDepartmentId)).toBe(String(waterDept!._id));
  });

  it('binds the seeded group chats to their communities, by their community staff', async () => {
    await seedDemoCounty(s.models, SEEDED_AT); // whatever ran before: seeding is idempotent
    const room = await s.models.Room.findOne({ roomId: 'dongcheng-neighbours@chatroom' }).lean();
    const staff = await s.models.User.findOne({ username: 'dongcheng' }).lean();
    expect(String(room!.boundBy)).toBe(String(staff!._id));
    expect(await s.models.Room.countDocuments({ roomId: 'xicheng-neighbours@chatroom' })).toBe(0);
  });
});

describe('the demo appeals', () => {
  const now = SEEDED_AT;
  let appeals: AppealDoc[];
  beforeAll(async () => {
    await resetDatabase(s.models);
    await seedDemoCounty(s.models, now);
    appeals = await s.models.Appeal.find().sort({ _id: 1 }).lean<AppealDoc[]>();
  });

  // Bug caught: a demo missing a state, a channel, a satisfaction or the dispatcher's queues,
  // so a screen of the workbench or the mini-program shows nothing on first start.
  it('covers every state, channel, rating and queue', () => {
    expect(appeals.length).toBeGreaterThanOrEqual(35);
    expect(new Set(appeals.map((a) => a.state))).toEqual(new Set(APPEAL_STATES));
    expect(new Set(appeals.map((a) => a.channel))).toEqual(new Set(APPEAL_CHANNELS.filter((c) => c !== 'open311')));
    expect(new Set(appeals.map((a) => a.rating?.satisfaction).filter(Boolean))).toEqual(new Set(['satisfied', 'basically', 'unsatisfied']));
    expect(appeals.filter((a) => a.state === 'closed' && !a.rating).length).toBeGreaterThan(0);
    const direct = appeals.filter((a) => a.directDispatch);
    expect([direct.some((a) => a.dispatchReviewed), direct.some((a) => !a.dispatchReviewed)]).toEqual([true, true]);
    expect(appeals.filter((a) => a.overdue).length).toBeGreaterThanOrEqual(3);
    expect(new Set(appeals.map((a) => a.regionPath.split('/')[3])).size).toBe(6); // every community
    for (const a of appeals.filter((x) => x.channel === 'group_chat')) expect([a.roomId, a.reporterContactId]).toEqual([expect.stringMatching(/@chatroom$/), expect.stringMatching(/^wxid_demo_resident_/)]);
  });

  // Bug caught: seeded history that the deadline scheduler then "catches up" on at the first
  // start (督办 and auto-close events, notifications to residents for old appeals), or open
  // appeals marked overdue whose deadline has not passed.
  it('is what the scheduler leaves: nothing to flag, close or notify', async () => {
    for (const a of appeals) {
      expect([a.eventCount, a.notifiedCount, a.notifyPending]).toEqual([a.timeline.length, a.timeline.length, false]);
      expect(a.overdueCount).toBe(a.timeline.filter((e) => e.action === 'overdue').length);
      expect(a.timeline.map((e) => e.at.getTime())).toEqual([...a.timeline.map((e) => e.at.getTime())].sort((x, y) => x - y));
      expect(a.timeline.at(-1)!.at.getTime()).toBeLessThan(now.getTime());
      if (OPEN_STATES.includes(a.state)) expect([a.state, a.overdue]).toEqual([a.state, a.dueAt! <= now]);
      if (a.state === 'replied') expect(a.dueAt!.getTime()).toBeGreaterThan(now.getTime());
      if (['closed', 'rejected', 'merged'].includes(a.state)) expect(a.dueAt).toBeNull();
    }
    const run = await appealDeadlines({ ...s.ctx, now: () => now }).run();
    expect([run.flagged, run.closed]).toEqual([0, 0]);
  });

  // Bug caught: seeded numbers past the day's counter, so the next appeal filed that day got a
  // number already taken (unique index error on filing).
  it('numbers each day from its counter, and a new appeal continues after them', async () => {
    expect(new Set(appeals.map((a) => a.number)).size).toBe(appeals.length);
    for (const a of appeals) {
      const [, day, seq] = a.number.split('-');
      expect(day).toBe(a.day);
      const counter = await s.models.Counter.findById(`appeal:${day}`).lean();
      expect(counter!.seq).toBeGreaterThanOrEqual(Number(seq));
    }
    const token = await s.residentToken('demo-resident-01');
    const region = await s.regionId('DX-01-01');
    const res = await s.api('POST', '/api/v1/appeals', { token, body: { idempotencyKey: 'after-seed-0001', kind: 'help', description: '测试种子之后的新诉求编号', regionId: region } });
    expect(res.status).toBe(201);
    // Catches: the test filing on the real clock's day, which the seed never numbered, so a counter
    // left behind the seeded numbers went unseen on every day but the seeded ones.
    const seededToday = appeals.filter((a) => a.day === '20261126').map((a) => Number(a.number.split('-')[2]));
    expect(seededToday.length).toBeGreaterThan(0);
    expect(res.body.number).toMatch(/^DX-20261126-\d{4}$/);
    expect(Number(res.body.number.split('-')[2])).toBeGreaterThan(Math.max(...seededToday));
  });

  // Catches: seeded history the state machine cannot produce (a move from a state that does not
  // allow it, a timeline hand-written beside the moves), so the demo shows what the product never does.
  it('moves only as the state machine allows, each event after the one before', () => {
    for (const a of appeals) {
      let state: string | null = null;
      for (const e of a.timeline) {
        if (e.from === null) continue;
        expect([a.number, e.action, e.from]).toEqual([a.number, e.action, state ?? 'submitted']);
        expect([a.number, e.action in MOVES ? assertMove(e.action as Move, e.from) : null]).toEqual([a.number, e.to]);
        state = e.to;
      }
      expect([a.number, state ?? 'submitted']).toEqual([a.number, a.state]);
      // Filing (appeals/create.ts) keeps the hash of what was filed; a hand-built document has none.
      expect(a.requestHash).toEqual(expect.any(String));
    }
  });

  // Catches: the seed's scratch database (server/seed/sandbox.ts) left behind in the database
  // server at every seed, or its outbox (the history's notifications) copied into the demo's.
  it('leaves no scratch database and sends no notification for its history', async () => {
    const { databases } = await s.ctx.conn.db!.admin().listDatabases();
    expect(databases.map((d) => d.name).filter((n) => n.endsWith('_seed_play'))).toEqual([]);
    expect(await s.models.Outbox.countDocuments({ dedupeKey: /^appeal:/ })).toBe(0);
  });

  // Bug caught: random data (Math.random, new ObjectId) making two demo databases of the same
  // moment differ, so a screenshot or a bug report cannot be reproduced. Timeline events carry the
  // ids the moves give them (appeals/events.ts), new each run: compared by content.
  it('is the same for the same moment', async () => {
    const shape = (list: AppealDoc[]) => list.map((a) => [String(a._id), a.number, a.state, a.description, a.dueAt?.toISOString(), a.timeline.map((e) => [e.action, e.at.toISOString(), e.byName, e.note])]);
    await resetDatabase(s.models);
    await seedDemoCounty(s.models, now);
    expect(shape(await s.models.Appeal.find().sort({ _id: 1 }).lean<AppealDoc[]>())).toEqual(shape(appeals));
  });
});

describe('a reset', () => {
  // Bug caught: a reset made with the driver (past the models' stamp plugin) leaving a running
  // server's read cache valid, so it keeps serving badges, lists and people that were deleted.
  it('gives every process\'s read cache a new epoch', async () => {
    const before = await readStamps(s.ctx.conn);
    await resetDatabase(s.models);
    expect((await readStamps(s.ctx.conn)).epoch).not.toBe(before.epoch);
    await seedDemoCounty(s.models, SEEDED_AT);
  });
});

describe('the demo news section', () => {
  const now = new Date('2026-11-26T06:30:00Z');
  beforeAll(async () => {
    await resetDatabase(s.models);
    await seedDemoCounty(s.models, now, { dataDir: s.ctx.config.dataDir });
  });

  // Bug caught: a news section that writes too little (an empty collection means an empty screen in
  // the demo) or duplicates a kind of document.
  it('writes columns, articles, counters, comments, notices, deliveries and services', async () => {
    const counts = await seedCollectionCounts(s.models);
    expect([counts.Column, counts.Article, counts.ArticleStats, counts.Comment, counts.Notice, counts.ServiceEntry]).toEqual([6, 21, 18, 9, 4, 12]);
    // Four bound rooms: three county-wide notices reach all four, the 城关镇 one its two.
    expect(counts.Outbox).toBe(3 * 4 + 2);
    const columns = await s.models.Column.find().sort({ sort: 1 }).lean();
    expect(columns.map((c) => [c.code, c.name, c.reviewLevels, c.emergency])).toEqual([
      ['local', '本地新闻', 2, false],
      ['livelihood', '民生', 1, false],
      ['government', '政务', 3, false],
      ['rural', '乡村振兴', 1, false],
      ['culture', '文旅', 1, false],
      ['emergency', '应急', 1, true],
    ]);
  });

  // Bug caught: published articles whose history the review rules could not have produced (a level
  // skipped, one reviewer approving two levels), or whose feed key or search terms do not match them,
  // so the feed misorders them or search misses them.
  it('publishes at least three articles per column, each as the review would have', async () => {
    const published = await s.models.Article.find({ state: 'published' }).lean<ArticleDoc[]>();
    const columns = await s.models.Column.find().lean();
    for (const c of columns) expect(published.filter((a) => a.columnCode === c.code).length).toBeGreaterThanOrEqual(3);
    expect(published.filter((a) => a.pinned)).toHaveLength(1);
    for (const a of published) {
      const approvals = a.history.filter((e) => e.action === 'approve');
      expect(approvals.map((e) => e.level)).toEqual(Array.from({ length: a.reviewLevels }, (_, i) => i + 1));
      expect(approvals.map((e) => String(e.byId))).toEqual(a.approvedByIds.map(String));
      expect(new Set(a.approvedByIds.map(String)).size).toBe(a.reviewLevels);
      expect(a.history.map((e) => e.action).slice(0, 2)).toEqual(['create', 'submit']);
      // Catches: an article written by hand beside the news feature (articles.ts keeps the hash of the draft it created).
      expect(a.createHash).toEqual(expect.any(String));
      expect(a.history.find((e) => e.action === 'publish')!.at.getTime()).toBe(a.publishedAt!.getTime());
      expect(a.history.some((e) => e.action === 'publish')).toBe(true);
      expect(a.history.map((e) => e.at.getTime())).toEqual([...a.history.map((e) => e.at.getTime())].sort((x, y) => x - y));
      expect(a.publishedAt!.getTime()).toBeLessThan(now.getTime());
      expect(a.publishedAt!.getTime()).toBeGreaterThan(now.getTime() - 10 * 24 * 3600_000);
      expect(a.feedKey).toBe(feedKeyOf({ _id: a._id, publishedAt: a.publishedAt!, pinned: a.pinned, emergency: a.emergency }));
      expect(a.searchTerms).toEqual(expect.arrayContaining(queryTerms(a.title)));
      expect(a.bodyHtml).toMatch(/^<p>.*<h3>.*<\/h3>.*<\/p>$/);
      expect(await s.models.ArticleStats.countDocuments({ _id: a._id })).toBe(1);
    }
    const review = await s.models.Article.find({ state: 'review' }).lean<ArticleDoc[]>();
    expect(review.map((a) => [a.reviewLevel, a.approvedByIds.length, a.history.at(-1)!.action])).toEqual([[1, 0, 'submit']]);
    const editor = await s.models.User.findOne({ username: 'editor' }).lean();
    expect(String(review[0].createdById)).toBe(String(editor!._id));
    expect(await s.models.Article.countDocuments({ state: 'draft' })).toBe(1);
    const scheduled = await s.models.Article.find({ state: 'scheduled' }).lean<ArticleDoc[]>();
    expect(scheduled.map((a) => a.publishAt!.getTime() - now.getTime())).toEqual([24 * 3600_000]);
  });

  // Bug caught: covers that point at a photo record without its files (broken images in the feed).
  it('stores the covers as photos with their files', async () => {
    const covered = await s.models.Article.find({ coverPhotoId: { $ne: null } }).lean<ArticleDoc[]>();
    expect(covered.length).toBeGreaterThanOrEqual(18);
    const storage = photoStorage(s.ctx.config.dataDir);
    for (const id of new Set(covered.map((a) => a.coverPhotoId!))) {
      const photo = await s.models.Photo.findById(id).lean();
      expect([photo!.width, photo!.height, photo!.mime]).toEqual([640, 360, 'image/jpeg']);
      for (const file of [storage.pathOf(id, 'original'), storage.pathOf(id, 'display'), storage.pathOf(id, 'thumb')]) expect(await storage.exists(file)).toBe(true);
    }
  });

  // Bug caught: a demo without an emergency notice on top, or whose deliveries the fan-out sweep
  // would post again into the demo groups at every fresh start; county-wide stored unlike the service does.
  it('has one pinned emergency notice county-wide, one township notice, all delivered', async () => {
    const notices = await s.models.Notice.find({ state: 'published' }).sort({ listKey: -1 }).lean();
    expect(notices.map((n) => [n.level, n.pinned, n.regionNames])).toEqual([
      ['emergency', true, ['东溪县']],
      ['important', false, ['城关镇']],
      ['normal', false, ['东溪县']],
      ['normal', false, ['东溪县']],
    ]);
    expect(notices.every((n) => n.fanOutDone)).toBe(true);
    const deliveries = await s.models.Outbox.find({ ref: `notice:${notices[1]._id}` }).lean();
    expect(deliveries.map((d) => [d.state, d.channel]).sort()).toEqual([['sent', 'bot_room'], ['sent', 'bot_room']]);
    const rooms = await s.models.Room.find({ roomId: { $in: deliveries.map((d) => d.recipient) } }).lean();
    expect(rooms.map((r) => r.topic).sort()).toEqual(['东城社区邻里群', '南门社区邻里群']);
  });

  // Bug caught: moderation screens empty in the demo, or counters that count held/hidden comments.
  it('has visible comments on two articles, one held for a word, one hidden by three reports', async () => {
    const comments = await s.models.Comment.find().lean();
    const visible = comments.filter((c) => c.state === 'visible');
    expect(new Set(visible.map((c) => String(c.articleId))).size).toBe(2);
    const held = comments.filter((c) => c.state === 'held');
    expect(held.map((c) => [c.heldFor, c.matchedWords])).toEqual([['sensitive', ['代开发票']]]);
    const hidden = comments.filter((c) => c.state === 'hidden');
    expect(hidden.map((c) => [c.heldFor, c.reports, new Set(c.reporterIds.map(String)).size])).toEqual([['reports', 3, 3]]);
    // Written as played, on the seed's clock: hidden by the third report, after it was written (a
    // write that stamps its own time would show every demo comment as written at seeding).
    expect(hidden[0]!.updatedAt.getTime()).toBeGreaterThan(hidden[0]!.createdAt.getTime());
    expect(hidden[0]!.createdAt.getTime()).toBeLessThan(SEEDED_AT.getTime());
    for (const id of new Set(visible.map((c) => String(c.articleId)))) {
      const stats = await s.models.ArticleStats.findById(id).lean();
      expect(stats!.comments).toBe(visible.filter((c) => String(c.articleId) === id).length);
    }
  });

  // Bug caught: a services directory without the entries the bot's keyword answers need.
  it('lists the county services with phones and keywords', async () => {
    const services = await s.models.ServiceEntry.find().lean();
    for (const word of ['停水', '停电', '燃气', '社保', '医保', '户口', '身份证', '公交', '看病', '办证']) expect([word, services.some((e) => e.keywords.includes(word))]).toEqual([word, true]);
    for (const e of services) expect(e.phone).toMatch(/^(0\d{3}-\d{7}|12345)$/);
  });

  // Bug caught: a demo database made before news (no news, one reviewer) never got the section, or
  // got articles approved by reviewers that do not exist there.
  it('is added to a demo database made before it, with the reviewers it needs', async () => {
    const { models } = s;
    for (const m of [models.Column, models.Article, models.ArticleStats, models.Comment, models.Notice, models.ServiceEntry, models.Outbox] as const) await (m as typeof models.Outbox).deleteMany({});
    const late = await models.User.find({ username: { $in: ['reviewer2', 'reviewer3'] } }).lean();
    await models.User.deleteMany({ _id: { $in: late.map((u) => u._id) } });
    await models.Identity.deleteMany({ userId: { $in: late.map((u) => u._id) } });
    await models.SeedRecord.deleteOne({ _id: 'news' });

    const later = await seedDemoCounty(models, now);
    expect(later.applied).toEqual([{ name: 'news', count: 21 }]);
    const government = await models.Article.findOne({ state: 'published', columnCode: 'government' }).lean<ArticleDoc>();
    const approvers = await models.User.find({ _id: { $in: government!.approvedByIds } }).lean();
    expect(approvers.map((u) => u.username).sort()).toEqual(['reviewer', 'reviewer2', 'reviewer3']);
    expect(await s.staffToken('reviewer3')).toEqual(expect.any(String));
    expect((await seedDemoCounty(models, now)).applied).toEqual([]);
  });
});

class Interrupted extends Error {}
const interruptAfter = (n: number) => ({
  afterWrite: (written: number) => {
    if (written === n) throw new Interrupted(`stopped after ${n} documents`);
  },
});

describe('an interrupted seed', () => {
  // Bug caught: a seed interrupted inside a section left its half-written documents unrecorded;
  // the next run wrote the section again on top of them (duplicate regions, users, identities;
  // or a duplicate-key failure on every later start).
  it('is undone and written again by the next run, ending as a clean seed would', async () => {
    const { models } = s;
    await resetDatabase(models);
    await seedDemoCounty(models, SEEDED_AT);
    const clean = await seedCollectionCounts(models);

    await resetDatabase(models);
    // Regions (27), departments (8) and categories (17) are 52 documents: 60 is inside "people".
    await expect(seedDemoCounty(models, SEEDED_AT, interruptAfter(60))).rejects.toThrow(Interrupted);
    const half = await seedCollectionCounts(models);
    expect(half.User).toBeGreaterThan(0);
    expect(half.User).toBeLessThan(clean.User);
    expect(await isDemoDatabase(models)).toBe(true);

    // Data added to the demo database meanwhile is not the seed's to delete.
    await models.User.create({ name: '后来的居民', roles: ['resident'] });
    const again = await seedDemoCounty(models, SEEDED_AT);
    expect(again.repaired).toEqual(['people']);
    expect(again.applied.map((a) => a.name)).toEqual(['people', 'group chats', 'appeals', 'news']);
    expect(await seedCollectionCounts(models)).toEqual({ ...clean, User: clean.User + 1 });
    expect(await models.SeedRecord.countDocuments({ _id: /^pending:/ })).toBe(0);
    expect((await seedDemoCounty(models, SEEDED_AT)).applied).toEqual([]);
  });

  // Bug caught: a database interrupted in the first section had some regions and no seed record,
  // so it looked like a real county's: never seeded again, and `seed --reset` would refuse it.
  it('is a demo database from its first document on', async () => {
    const { models } = s;
    await resetDatabase(models);
    await expect(seedDemoCounty(models, SEEDED_AT, interruptAfter(1))).rejects.toThrow(Interrupted);
    expect(await models.Region.countDocuments()).toBe(1);
    expect(await isDemoDatabase(models)).toBe(true);
    expect(await isEmpty(models)).toBe(false);
    const again = await seedDemoCounty(models, SEEDED_AT);
    expect(again.repaired).toEqual(['regions']);
    expect(await models.Region.countDocuments()).toBe(27);
  });

  // Bug caught: a database holding only an administrator made by `npm run admin` counted as
  // empty, so a start without NODE_ENV=production seeded admin / xianrong123 into it.
  it('never lands in a database with other data, an administrator alone included', async () => {
    const { models } = s;
    await resetDatabase(models);
    await models.User.create({ name: '管理员', username: 'root', roles: ['admin'] });
    expect(await isEmpty(models)).toBe(false);
    await expect(seedDemoCounty(models, SEEDED_AT)).rejects.toThrow(NotADemoDatabaseError);
    expect(await models.Region.countDocuments()).toBe(0);
  });
});

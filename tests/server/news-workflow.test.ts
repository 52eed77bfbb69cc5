/**
 * The newsroom's workflow over HTTP on the real database: columns, drafts, review per level
 * (different reviewers, never one's own text), send-back, scheduled publishing (the job run by
 * hand on a clock the test moves), withdraw, pin, the workbench lists, and who may do what.
 */
import { Types } from 'mongoose';
import type { AuthUser } from '../../server/core/route';
import type { ArticleDoc } from '../../server/news/model';
import { articleWorkflow } from '../../server/news/workflow';
import { publishDueArticles, startNewsScheduler } from '../../server/news/scheduler';
import { userService } from '../../server/users/service';
import { startTestServer, type TestServer } from '../helpers/server';
import { HOUR, MINUTE, testClock } from '../helpers/appeals';
import { articleMove, clientKey, createDraft, ensureColumn, newsStaff, publishArticle, type NewsStaff } from '../helpers/news';

const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let staff: NewsStaff;
let resident: string;
let deptStaff: string;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  staff = await newsStaff(s);
  resident = await s.residentToken('demo-resident-01');
  deptStaff = await s.staffToken('dept_water');
  for (const code of ['local', 'livelihood', 'government', 'emergency']) await ensureColumn(s, code);
});
afterAll(async () => {
  await s?.stop();
});

const doc = async (id: string) => (await s.models.Article.findById(id).lean<ArticleDoc>())!;
const move = (token: string, id: string, action: string, body: unknown = {}) => s.api('POST', `/api/v1/articles/${id}/${action}`, { token, body });
const get = (token: string, id: string) => s.api('GET', `/api/v1/articles/${id}`, { token });
/** An edit made on the version the editor just read (as the editor page sends it). */
const edit = async (token: string, id: string, body: Record<string, unknown>) => {
  const version = (await get(token, id)).body.version;
  return s.api('PATCH', `/api/v1/articles/${id}`, { token, body: { ...body, version } });
};
async function asUser(username: string): Promise<AuthUser> {
  const u = await s.models.User.findOne({ username }).lean();
  return userService(s.ctx).toAuthUser(u!);
}
let n = 0;
/** A title no other test (or the seed) uses. */
const title = (what: string) => `${what}测试稿${++n}号`;

describe('columns', () => {
  it('lets an admin create and edit columns, refuses a duplicate code with 409, lists active ones publicly in order', async () => {
    // Catches: duplicate codes, non-admins editing the tab bar, an inactive column still shown, a stale cached list.
    const body = { code: 'test_col', name: '测试栏目', reviewLevels: 2, sort: 5 };
    expect((await s.api('POST', '/api/v1/columns', { token: staff.editor, body })).status).toBe(403);
    const made = await s.api('POST', '/api/v1/columns', { token: staff.admin, body });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ code: 'test_col', reviewLevels: 2, emergency: false, active: true, sort: 5 });
    const dup = await s.api('POST', '/api/v1/columns', { token: staff.admin, body: { ...body, name: '另一个栏目' } });
    expect([dup.status, dup.body.error.message]).toEqual([409, '栏目编码「test_col」已存在']);
    expect((await s.api('POST', '/api/v1/columns', { token: staff.admin, body: { ...body, code: 'test_col4', reviewLevels: 4 } })).status).toBe(400);

    const list = await s.api('GET', '/api/v1/columns');
    expect(list.status).toBe(200);
    const sorts = list.body.items.map((c: { sort: number }) => c.sort);
    expect(sorts).toEqual([...sorts].sort((a, b) => a - b));
    expect(list.body.items.map((c: { code: string }) => c.code)).toContain('test_col');

    const off = await s.api('PATCH', `/api/v1/columns/${made.body.id}`, { token: staff.admin, body: { active: false } });
    expect([off.status, off.body.active]).toEqual([200, false]);
    const after = await s.api('GET', '/api/v1/columns');
    expect(after.body.items.map((c: { code: string }) => c.code)).not.toContain('test_col');
    const all = await s.api('GET', '/api/v1/columns?all=true', { token: staff.admin });
    expect(all.body.items.map((c: { code: string }) => c.code)).toContain('test_col');
  });
});

describe('writing', () => {
  it('creates a draft with the column, an automatic summary, region names and search terms', async () => {
    // Catches: a draft without its column copy, an empty summary in the feed, a scope without names, an unsearchable article.
    const xicheng = await s.regionId('DX-01-02');
    const d = await createDraft(s, { columnCode: 'local', title: title('城关镇自来水管网改造'), body: '<p>城关镇自来水管网改造工程今日开工，预计工期三个月，施工期间部分路段将临时封闭，请居民注意绕行。</p>', regionIds: [xicheng] });
    expect(d).toMatchObject({ state: 'draft', stateLabel: '草稿', columnCode: 'local', reviewLevels: 2, reviewLevel: null, publishedAt: null, regionIds: [xicheng], allowedActions: ['edit', 'submit'] });
    expect(d.regionNames).toHaveLength(1);
    expect(d.summary).toBe('城关镇自来水管网改造工程今日开工，预计工期三个月，施工期间部分路段将临时封闭，请居民注意绕行。'.slice(0, 60));
    expect(d.history.map((e: { action: string }) => e.action)).toEqual(['create']);
    const stored = await doc(d.id);
    expect(stored.feedKey).toBeNull();
    expect(stored.searchTerms).toEqual(expect.arrayContaining(['管网', '开工']));
  });

  it('answers a retried save (same key) with the first draft, also when the copies race', async () => {
    // Catches: an editor on a weak network who presses 保存草稿 again getting two drafts.
    const column = await ensureColumn(s, 'livelihood');
    const body = { columnId: String(column._id), title: title('重复保存'), bodyHtml: '<p>正文内容</p>', author: '记者', idempotencyKey: clientKey() };
    const first = await s.api('POST', '/api/v1/articles', { token: staff.editor, body });
    const [again, racing] = await Promise.all([
      s.api('POST', '/api/v1/articles', { token: staff.editor, body }),
      s.api('POST', '/api/v1/articles', { token: staff.editor, body }),
    ]);
    expect([first.status, again.status, racing.status]).toEqual([201, 200, 200]);
    expect([again.body.id, racing.body.id]).toEqual([first.body.id, first.body.id]);
    expect(await s.models.Article.countDocuments({ idempotencyKey: body.idempotencyKey })).toBe(1);
  });

  it('refuses a cover photo that does not exist, a grid as scope and an unknown column, each naming the field', async () => {
    // Catches: articles pointing at missing pictures, scopes finer than a community, drafts in no column.
    const column = await ensureColumn(s, 'livelihood');
    const base = { columnId: String(column._id), title: title('字段校验'), bodyHtml: '<p>正文内容</p>', author: '记者' };
    const cover = await s.api('POST', '/api/v1/articles', { token: staff.editor, body: { ...base, idempotencyKey: clientKey(), coverPhotoId: 'a'.repeat(64) } });
    expect([cover.status, cover.body.error.details[0].path]).toEqual([400, 'body.coverPhotoId']);
    const grid = await s.models.Region.findOne({ level: 'grid' }).lean();
    const scope = await s.api('POST', '/api/v1/articles', { token: staff.editor, body: { ...base, idempotencyKey: clientKey(), regionIds: [String(grid!._id)] } });
    expect([scope.status, scope.body.error.details[0].path]).toEqual([400, 'body.regionIds.0']);
    const col = await s.api('POST', '/api/v1/articles', { token: staff.editor, body: { ...base, idempotencyKey: clientKey(), columnId: String(new Types.ObjectId()) } });
    expect([col.status, col.body.error.details[0].path]).toEqual([400, 'body.columnId']);
  });

  it('edits a draft (summary follows the body until one is typed) and refuses edits once submitted (409)', async () => {
    // Catches: text changing under a reviewer's eyes, a stale auto summary, search terms of the old text.
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('修改') });
    const edited = await edit(staff.editor, d.id, { bodyHtml: '<p>菜市场周末延长营业时间</p>' });
    expect([edited.status, edited.body.summary]).toEqual([200, '菜市场周末延长营业时间']);
    expect((await doc(d.id)).searchTerms).toContain('菜市');
    const typed = await edit(staff.editor, d.id, { summary: '周末菜市场营业到晚上九点' });
    expect(typed.body.summary).toBe('周末菜市场营业到晚上九点');
    expect((await edit(staff.editor, d.id, { bodyHtml: '<p>新的正文</p>' })).body.summary).toBe('周末菜市场营业到晚上九点');
    expect(edited.body.history.map((e: { action: string }) => e.action)).toEqual(['create', 'edit']);

    await articleMove(s, staff.editor, d.id, 'submit');
    const late = await edit(staff.editor, d.id, { title: '审核中偷偷改标题' });
    expect([late.status, late.body.error.code]).toEqual([409, 'INVALID_STATE']);
    expect(late.body.error.message).toContain('文章当前状态为「审核中」');
  });
});

describe('review', () => {
  it('takes a 2-level article through 初审 and 复审 by two reviewers to published, with feed key, stats and history', async () => {
    // Catches: the last level not publishing, a level skipped, a published article missing from the feed (no key) or without counters.
    const d = await createDraft(s, { columnCode: 'local', title: title('两级审核') });
    const submitted = await articleMove(s, staff.editor, d.id, 'submit');
    expect([submitted.state, submitted.reviewLevel]).toEqual(['review', 1]);
    const l1 = await articleMove(s, staff.reviewers[0], d.id, 'approve', { note: '内容属实' });
    expect([l1.state, l1.reviewLevel, l1.publishedAt]).toEqual(['review', 2, null]);
    expect((await doc(d.id)).feedKey).toBeNull();
    const l2 = await articleMove(s, staff.reviewers[1], d.id, 'approve');
    expect([l2.state, l2.reviewLevel, l2.publishedAt]).toEqual(['published', null, clock.now().toISOString()]);
    expect(l2.history.map((e: { action: string; level: number | null }) => [e.action, e.level])).toEqual([
      ['create', null], ['submit', null], ['approve', 1], ['approve', 2], ['publish', null],
    ]);
    expect(l2.history[2]).toMatchObject({ actionLabel: '审核通过', note: '内容属实' });
    const stored = await doc(d.id);
    expect(stored.feedKey).toBe(`0${String(clock.now().getTime()).padStart(13, '0')}${d.id}`);
    expect(await s.models.ArticleStats.findById(d.id).lean()).toMatchObject({ views: 0, likes: 0, comments: 0 });
  });

  it('refuses a reviewer approving or rejecting their own text (403)', async () => {
    // Catches: a writer who is also a reviewer waving their own article through.
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('自审') }, staff.admin);
    await articleMove(s, staff.admin, d.id, 'submit');
    const self = await move(staff.admin, d.id, 'approve');
    expect([self.status, self.body.error.message]).toEqual([403, '不能审核自己撰写的文章，请由其他审核人员审核']);
    expect((await move(staff.admin, d.id, 'reject', { reason: '自己退回' })).status).toBe(403);
    expect((await get(staff.admin, d.id)).body.allowedActions).toEqual([]);
    expect((await get(staff.reviewers[0], d.id)).body.allowedActions).toEqual(['approve', 'reject']);
  });

  it('refuses the same reviewer approving two levels of one round (403)', async () => {
    // Catches: one person doing 初审 and 复审, which makes the second level meaningless.
    const d = await createDraft(s, { columnCode: 'local', title: title('同人两级') });
    await articleMove(s, staff.editor, d.id, 'submit');
    await articleMove(s, staff.reviewers[0], d.id, 'approve');
    const again = await move(staff.reviewers[0], d.id, 'approve');
    expect([again.status, again.body.error.message]).toEqual([403, '同一篇文章的各级审核须由不同的人完成，您已审核通过本轮的上一级']);
    expect((await doc(d.id)).reviewLevel).toBe(2);
  });

  it('sends back with a reason to draft, and a resubmission starts again at 初审 with new reviewers allowed', async () => {
    // Catches: a send-back without its reason, a resubmission resuming at the old level, last round's approvals counting.
    const d = await createDraft(s, { columnCode: 'local', title: title('退回') });
    await articleMove(s, staff.editor, d.id, 'submit');
    await articleMove(s, staff.reviewers[0], d.id, 'approve');
    const back = await articleMove(s, staff.reviewers[1], d.id, 'reject', { reason: '标题与内容不符，请修改' });
    expect([back.state, back.reviewLevel, back.rejectReason]).toEqual(['draft', null, '标题与内容不符，请修改']);
    expect(back.history.at(-1)).toMatchObject({ action: 'reject', level: 2, note: '标题与内容不符，请修改' });
    await edit(staff.editor, d.id, { title: title('退回后修改') });
    const again = await articleMove(s, staff.editor, d.id, 'submit');
    expect([again.state, again.reviewLevel, again.rejectReason]).toEqual(['review', 1, null]);
    // The first reviewer may approve again in the new round: approvals are per round.
    expect((await articleMove(s, staff.reviewers[1], d.id, 'approve')).reviewLevel).toBe(2);
    expect((await articleMove(s, staff.reviewers[0], d.id, 'approve')).state).toBe('published');
  });

  it('gives one approval and one 409 when two reviewers approve the same level at once', async () => {
    // Catches: a read-check-write approval letting both through (two approvals of 初审, a level skipped).
    const d = await createDraft(s, { columnCode: 'government', title: title('并发审核') });
    await articleMove(s, staff.editor, d.id, 'submit');
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const flow = articleWorkflow(s.ctx, {
      afterRead: async () => {
        if (++arrived === 2) release();
        await bothRead;
      },
    });
    const results = await Promise.allSettled([flow.approve(await asUser('reviewer'), d.id, {}), flow.approve(await asUser('news_reviewer2'), d.id, {})]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
    expect([refused.status, refused.code, refused.message]).toEqual([409, 'INVALID_STATE', '文章当前状态为「审核中（复审）」，不能审核通过']);
    const stored = await doc(d.id);
    expect(stored.history.filter((e) => e.action === 'approve' && e.level === 1)).toHaveLength(1);
    expect([stored.reviewLevel, stored.approvedByIds.length]).toEqual([2, 1]);
  });

  it('answers an illegal move with 409 naming the state', async () => {
    // Catches: the state not consulted (a published article submitted again, a draft approved or pinned).
    const id = await publishArticle(s, { columnCode: 'livelihood', title: title('非法操作') });
    const r = await move(staff.editor, id, 'submit');
    expect([r.status, r.body.error.message]).toEqual([409, '文章当前状态为「已发布」，不能提交审核']);
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('草稿非法') });
    expect((await move(staff.reviewers[0], d.id, 'approve')).body.error.message).toBe('文章当前状态为「草稿」，不能审核通过');
    expect((await move(staff.editor, d.id, 'pin', { pinned: true })).body.error.message).toBe('文章当前状态为「草稿」，不能置顶');
    expect((await move(staff.editor, d.id, 'publish')).status).toBe(409);
  });
});

describe('publishing', () => {
  it('schedules at submit, publishes when due by the job exactly once even with two runs at once, and never early', async () => {
    // Catches: publishing before the time, two scheduler processes publishing twice, a schedule lost (state only in memory).
    const publishAt = new Date(clock.now().getTime() + 2 * HOUR).toISOString();
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('定时') });
    await articleMove(s, staff.editor, d.id, 'submit', { publishAt });
    const approved = await articleMove(s, staff.reviewers[0], d.id, 'approve');
    expect([approved.state, approved.publishAt, approved.allowedActions]).toEqual(['scheduled', publishAt, ['schedule', 'publish', 'withdraw']]);
    expect((await doc(d.id)).feedKey).toBeNull();

    clock.advance(2 * HOUR - MINUTE);
    await publishDueArticles(s.ctx);
    expect((await doc(d.id)).state).toBe('scheduled');

    clock.advance(2 * MINUTE);
    // Two processes' schedulers at once (the state is the database's, as after a restart).
    await Promise.all([publishDueArticles(s.ctx), publishDueArticles(s.ctx)]);
    const stored = await doc(d.id);
    expect([stored.state, stored.publishedAt?.toISOString()]).toEqual(['published', clock.now().toISOString()]);
    expect(stored.feedKey).toMatch(new RegExp(`^0\\d{13}${d.id}$`));
    expect(stored.history.filter((e) => e.action === 'publish')).toHaveLength(1);
    expect(await s.models.ArticleStats.exists({ _id: d.id })).toBeTruthy();
  });

  it('runs as the server\'s periodic job: a tick publishes what is due', async () => {
    // Catches: a job started by server.ts that never calls the publisher (the slot left a no-op).
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('定时任务') });
    await articleMove(s, staff.editor, d.id, 'submit', { publishAt: new Date(clock.now().getTime() + HOUR).toISOString() });
    await articleMove(s, staff.reviewers[0], d.id, 'approve');
    clock.advance(HOUR + MINUTE);
    // A hand-driven timer: the test fires the tick instead of waiting 30 s.
    const ticks: (() => void)[] = [];
    const job = startNewsScheduler(s.ctx, { schedule: (run) => (ticks.push(run), { cancel: () => {} }) });
    expect(ticks).toHaveLength(1);
    ticks.shift()!();
    await job.stop();
    expect((await doc(d.id)).state).toBe('published');
  });

  it('reschedules, and publishes a scheduled article at once on request; refuses a time in the past', async () => {
    // Catches: a schedule that cannot be moved, publish-now ignored, a "future" time already passed.
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('改期') });
    await articleMove(s, staff.editor, d.id, 'submit', { publishAt: new Date(clock.now().getTime() + HOUR).toISOString() });
    await articleMove(s, staff.reviewers[0], d.id, 'approve');
    const later = new Date(clock.now().getTime() + 5 * HOUR).toISOString();
    expect((await articleMove(s, staff.reviewers[0], d.id, 'schedule', { publishAt: later })).publishAt).toBe(later);
    const past = await move(staff.editor, d.id, 'schedule', { publishAt: new Date(clock.now().getTime() - MINUTE).toISOString() });
    expect([past.status, past.body.error.details[0].path]).toEqual([400, 'body.publishAt']);
    const now = await articleMove(s, staff.editor, d.id, 'publish');
    expect([now.state, now.publishedAt, now.publishAt]).toEqual(['published', clock.now().toISOString(), null]);
  });

  it('pins (feed key to the top) and unpins; withdraw removes the article from the feed and makes it editable', async () => {
    // Catches: a pin that does not move the article up, a withdrawn article still in the feed (key kept) or locked.
    const id = await publishArticle(s, { columnCode: 'livelihood', title: title('置顶撤回') });
    const pinned = await articleMove(s, staff.reviewers[0], id, 'pin', { pinned: true });
    expect([pinned.pinned, pinned.allowedActions]).toEqual([true, ['withdraw', 'unpin']]);
    expect((await doc(id)).feedKey![0]).toBe('1');
    await articleMove(s, staff.editor, id, 'pin', { pinned: false });
    expect((await doc(id)).feedKey![0]).toBe('0');
    await articleMove(s, staff.editor, id, 'pin', { pinned: true });

    const gone = await articleMove(s, staff.editor, id, 'withdraw', { reason: '信息有误，核实后重发' });
    expect([gone.state, gone.pinned, gone.allowedActions]).toEqual(['withdrawn', false, ['edit', 'submit']]);
    expect(gone.history.at(-1)).toMatchObject({ action: 'withdraw', note: '信息有误，核实后重发' });
    expect((await doc(id)).feedKey).toBeNull();
    expect((await edit(staff.editor, id, { title: title('撤回后修改') })).status).toBe(200);
  });

  it('puts an emergency column article on top without pinning', async () => {
    // Catches: the emergency flag not copied from the column into the feed key.
    const id = await publishArticle(s, { columnCode: 'emergency', title: title('应急') });
    const stored = await doc(id);
    expect([stored.emergency, stored.pinned, stored.feedKey![0]]).toEqual([true, false, '1']);
  });
});

describe('workbench', () => {
  it('lists by level queue, mine, column and search, pages by cursor, and counts', async () => {
    // Catches: a queue mixing levels, search not using the terms, pages that repeat or skip, counts off by a state.
    const countsBefore = (await s.api('GET', '/api/v1/articles/counts', { token: staff.reviewers[0] })).body;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await createDraft(s, { columnCode: 'government', title: title(`乡村道路硬化工程第${i}段`) });
      await articleMove(s, staff.editor, d.id, 'submit');
      ids.push(d.id);
    }
    await articleMove(s, staff.reviewers[0], ids[0], 'approve');
    const draft = await createDraft(s, { columnCode: 'government', title: title('草稿计数') });

    const counts = (await s.api('GET', '/api/v1/articles/counts', { token: staff.reviewers[0] })).body;
    expect(counts.review['1'] - countsBefore.review['1']).toBe(2);
    expect(counts.review['2'] - countsBefore.review['2']).toBe(1);
    expect(counts.drafts - countsBefore.drafts).toBe(1);
    expect(typeof counts.moderation).toBe('number');

    const l1 = await s.api('GET', '/api/v1/articles?level=1&column=government', { token: staff.reviewers[0] });
    expect(l1.status).toBe(200);
    const l1Ids = l1.body.items.map((a: { id: string }) => a.id);
    expect(l1Ids).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    expect(l1Ids).not.toContain(ids[0]);
    expect(l1.body.items.every((a: { state: string; reviewLevel: number }) => a.state === 'review' && a.reviewLevel === 1)).toBe(true);

    const found = await s.api('GET', `/api/v1/articles?q=${encodeURIComponent('道路硬化')}`, { token: staff.editor });
    expect(found.body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(ids));
    const mine = await s.api('GET', '/api/v1/articles?mine=true&state=draft', { token: staff.editor });
    expect(mine.body.items.map((a: { id: string }) => a.id)).toContain(draft.id);
    expect(mine.body.items.every((a: { createdByName: string; state: string }) => a.state === 'draft')).toBe(true);

    // Pages of 2 over everything: no repeats, newest first, and the same ids as one big page.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await s.api('GET', `/api/v1/articles?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: staff.editor });
      seen.push(...page.body.items.map((a: { id: string }) => a.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(seen.length).toBe(await s.models.Article.countDocuments({}));

    expect((await s.api('GET', '/api/v1/articles?state=bogus', { token: staff.editor })).body.error.details[0].path).toBe('query.state');
  });
});

describe('permissions', () => {
  it('keeps residents and department staff out of the newsroom; editors do not review, reviewers do not write', async () => {
    // Catches: a resident or another department reading drafts, an editor approving, a reviewer writing.
    const d = await createDraft(s, { columnCode: 'livelihood', title: title('权限') });
    for (const token of [resident, deptStaff]) {
      expect((await s.api('GET', '/api/v1/articles', { token })).status).toBe(403);
      expect((await get(token, d.id)).status).toBe(403);
      expect((await s.api('POST', '/api/v1/articles', { token, body: {} })).status).toBe(403);
      expect((await move(token, d.id, 'submit')).status).toBe(403);
    }
    expect((await s.api('GET', '/api/v1/articles')).status).toBe(401);
    const column = await ensureColumn(s, 'livelihood');
    expect((await s.api('POST', '/api/v1/articles', { token: staff.reviewers[0], body: { columnId: String(column._id), title: title('审核员写稿'), bodyHtml: '<p>x</p>', author: '甲' } })).status).toBe(403);
    expect((await s.api('PATCH', `/api/v1/articles/${d.id}`, { token: staff.reviewers[0], body: { title: title('审核员改稿') } })).status).toBe(403);
    await articleMove(s, staff.editor, d.id, 'submit');
    expect((await move(staff.editor, d.id, 'approve')).status).toBe(403);
    expect((await move(deptStaff, d.id, 'approve')).status).toBe(403);
    expect((await doc(d.id)).reviewLevel).toBe(1);
  });
});

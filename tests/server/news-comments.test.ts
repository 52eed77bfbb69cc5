/**
 * Comments under articles, over HTTP on a seeded server: writing (idempotent, rate limited, only under
 * published articles), the sensitive-word hold, reports that hide at three readers (atomically), the
 * moderation queue and its decisions, masked names, and the article's comment counter.
 */
import { startTestServer, type TestServer } from '../helpers/server';
import { publishArticle } from '../helpers/news';
import { commentService } from '../../server/news/comments';
import { DEFAULT_SENSITIVE_WORDS, commentWordMatcher, matchSensitiveWords } from '../../server/news/sensitive-words';
import { demoComments } from '../../server/seed/news-data';
import { loadConfig } from '../../server/core/config';
import type { AuthUser } from '../../server/core/route';
import { userService } from '../../server/users/service';
import { identityKey } from '../../server/users/model';

let server: TestServer;
let clock = new Date('2026-11-26T02:00:00Z');
let keySeq = 0;
const key = () => `comment-key-${++keySeq}`;

const tokens: Record<string, string> = {};
/** Seeded residents with real names (the seed's own comments use other numbers, and our tests do not depend on them). */
const READERS = ['author', 'r1', 'r2', 'r3', 'r4', 'r5'] as const;

beforeAll(async () => {
  server = await startTestServer({ now: () => clock, backgroundJobs: false });
  for (const [i, r] of READERS.entries()) tokens[r] = await server.residentToken(`demo-resident-${20 + i}`);
  tokens.editor = await server.staffToken('editor');
  tokens.reviewer = await server.staffToken('reviewer');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

// Each test in a new minute: the per-reader rate limit counts per minute.
beforeEach(() => {
  clock = new Date(clock.getTime() + 61_000);
});

const article = (title = '城关镇滨河路今日通车') => publishArticle(server, { columnCode: 'livelihood', title });
const commentsOf = async (articleId: string) => ((await server.models.ArticleStats.findById(articleId).lean()) as { comments: number } | null)?.comments ?? 0;

async function write(articleId: string, text: string, token = tokens.author, idempotencyKey = key()) {
  const res = await server.api('POST', '/api/v1/comments', { token, body: { articleId, text, idempotencyKey } });
  if (res.status !== 201) throw new Error(`comment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const list = (articleId: string, token?: string, extra = '') => server.api('GET', `/api/v1/comments?articleId=${articleId}${extra}`, { token });
const report = (id: string, token: string, reason?: string) => server.api('POST', `/api/v1/comments/${id}/report`, { token, body: reason ? { reason } : {} });
const decide = (id: string, decision: 'approve' | 'remove', token = tokens.editor) => server.api('POST', `/api/v1/comments/${id}/decision`, { token, body: { decision } });

/** Every waiting comment in the queue, all pages. */
async function queue(state = 'all', token = tokens.editor) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res: any = await server.api('GET', `/api/v1/comments/moderation?state=${state}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** A resident as the auth middleware would resolve them, for calling the service directly. */
async function residentUser(openid: string): Promise<AuthUser> {
  const identity = await server.models.Identity.findOne({ key: identityKey.wechat(openid) }).lean();
  const u = await server.models.User.findById(identity!.userId).lean();
  return userService(server.ctx).toAuthUser(u!);
}

describe('sensitive words', () => {
  it('match across full-width forms, case and spaces or symbols between characters', () => {
    // Catches: a filter that a space, a star or the full-width keyboard walks around.
    expect(matchSensitiveWords('有人在群里拉人赌 博')).toEqual(['赌博']);
    expect(matchSensitiveWords('专业代*开·发票')).toEqual(['代开发票']);
    expect(matchSensitiveWords('你个傻ｂ')).toEqual(['傻B']);
    expect(matchSensitiveWords('网赌害人，远离赌博')).toEqual(['赌博', '网赌']);
  });

  it('leave ordinary comments and the seed’s plain demo comments alone', () => {
    // Catches: words so short or common that readers' ordinary comments wait for an editor.
    expect(matchSensitiveWords('这条路通了太方便了，去政务中心办证也快多了，点赞！')).toEqual([]);
    for (const c of demoComments) expect(matchSensitiveWords(c.text)).toEqual(c.held ?? []);
    expect(DEFAULT_SENSITIVE_WORDS.length).toBeGreaterThanOrEqual(30);
  });

  it('take the deployment’s own words from SENSITIVE_WORDS_EXTRA', () => {
    // Catches: the extra list read but not used, or split on ASCII commas only.
    const config = loadConfig({ NODE_ENV: 'test', SENSITIVE_WORDS_EXTRA: '拆迁内幕， 某某小区 ,' }, { warn: () => {} });
    expect(config.sensitiveWordsExtra).toEqual(['拆迁内幕', '某某小区']);
    const match = commentWordMatcher(config.sensitiveWordsExtra);
    expect(match('听说有拆迁内幕，还有赌博')).toEqual(['赌博', '拆迁内幕']);
  });
});

describe('writing and reading', () => {
  it('shows a comment at once, masks the author for others but not for the author or editors, and counts it', async () => {
    // Catches: a full name shown to the public (PIPL), or the article's counter left behind.
    const a = await article();
    const before = await commentsOf(a);
    const c = await write(a, '路修好了，出行方便多了');
    expect(c).toMatchObject({ articleId: a, state: 'visible', stateLabel: '已显示', mine: true });
    const fullName = c.authorName as string;
    expect(fullName.length).toBeGreaterThan(1);
    expect(await commentsOf(a)).toBe(before + 1);

    const anonymous = await list(a);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.items).toEqual([expect.objectContaining({ id: c.id, authorName: `${[...fullName][0]}*`, mine: false })]);
    const other = await list(a, tokens.r1);
    expect(other.body.items[0]).toMatchObject({ id: c.id, authorName: `${[...fullName][0]}*`, mine: false });
    const own = await list(a, tokens.author);
    expect(own.body.items[0]).toMatchObject({ id: c.id, authorName: fullName, mine: true });
    const editor = await list(a, tokens.editor);
    expect(editor.body.items[0]).toMatchObject({ id: c.id, authorName: fullName });
  });

  it('pages newest first by cursor', async () => {
    // Catches: a cursor that repeats or skips a comment, or oldest-first order.
    const a = await article();
    const ids = [];
    for (const text of ['第一条', '第二条', '第三条']) ids.push((await write(a, text)).id);
    const first = await list(a, undefined, '&limit=2');
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await list(a, undefined, `&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expect((await list(a, undefined, '&cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });

  it('answers a retry with the first comment (200) and counts it once', async () => {
    // Catches: a double-tapped send posting the comment twice.
    const a = await article();
    const before = await commentsOf(a);
    const k = key();
    const first = await server.api('POST', '/api/v1/comments', { token: tokens.author, body: { articleId: a, text: '支持！', idempotencyKey: k } });
    const retry = await server.api('POST', '/api/v1/comments', { token: tokens.author, body: { articleId: a, text: '支持！', idempotencyKey: k } });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(await commentsOf(a)).toBe(before + 1);
  });

  it('lets the unique index decide when two retries both looked before either wrote', async () => {
    // Catches: a racing retry answered 500 (duplicate key) instead of the first comment.
    const a = await article();
    const author = await residentUser('demo-resident-20');
    let arrived = 0;
    let release!: () => void;
    const bothLooked = new Promise<void>((r) => (release = r));
    const service = commentService(server.ctx, {
      afterLookup: async () => {
        if (++arrived === 2) release();
        await bothLooked;
      },
    });
    const body = { articleId: a, text: '同时提交的评论', idempotencyKey: key() };
    const [x, y] = await Promise.all([service.create(author, body), service.create(author, body)]);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    expect(String(x.comment._id)).toBe(String(y.comment._id));
    expect(await server.models.Comment.countDocuments({ idempotencyKey: body.idempotencyKey })).toBe(1);
  });

  it('refuses comments under an article that is not published (404), and anonymous writers (401)', async () => {
    // Catches: comments collecting under drafts or withdrawn articles; writing without signing in.
    const a = await article();
    await server.models.Article.updateOne({ _id: a }, { $set: { state: 'withdrawn', feedKey: null } });
    const res = await server.api('POST', '/api/v1/comments', { token: tokens.author, body: { articleId: a, text: '还能评论吗', idempotencyKey: key() } });
    expect(res.status).toBe(404);
    expect((await list(a)).status).toBe(404);
    expect((await server.api('POST', '/api/v1/comments', { token: tokens.author, body: { articleId: '0123456789abcdef01234567', text: '没有这篇', idempotencyKey: key() } })).status).toBe(404);
    const published = await article();
    expect((await server.api('POST', '/api/v1/comments', { body: { articleId: published, text: '匿名评论', idempotencyKey: key() } })).status).toBe(401);
  });

  it('refuses the eleventh comment of a reader within a minute (429) but still answers a retry', async () => {
    // Catches: one account flooding an article's comments.
    const a = await article();
    const k = key();
    await write(a, '第1条', tokens.r5, k);
    for (let i = 2; i <= 10; i++) await write(a, `第${i}条`, tokens.r5);
    const eleventh = await server.api('POST', '/api/v1/comments', { token: tokens.r5, body: { articleId: a, text: '第11条', idempotencyKey: key() } });
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get('retry-after')).toBeTruthy();
    const retry = await server.api('POST', '/api/v1/comments', { token: tokens.r5, body: { articleId: a, text: '第1条', idempotencyKey: k } });
    expect(retry.status).toBe(200);
    clock = new Date(clock.getTime() + 61_000);
    expect((await server.api('POST', '/api/v1/comments', { token: tokens.r5, body: { articleId: a, text: '过了一分钟', idempotencyKey: key() } })).status).toBe(201);
  });
});

describe('held for a sensitive word', () => {
  it('is shown to its author only (待审核), waits in the queue with the words, and an editor’s approval shows it and counts it', async () => {
    // Catches: a held comment leaking to other readers, counted before approval, or lost to its author.
    const a = await article();
    const before = await commentsOf(a);
    const c = await write(a, '专业代开发票，加我详聊');
    expect(c).toMatchObject({ state: 'held', stateLabel: '待审核', mine: true });
    expect(await commentsOf(a)).toBe(before);
    expect((await list(a)).body.items).toEqual([]);
    expect((await list(a, tokens.r1)).body.items).toEqual([]);
    expect((await list(a, tokens.author)).body.items).toEqual([expect.objectContaining({ id: c.id, state: 'held', stateLabel: '待审核', mine: true })]);

    const waiting = (await queue('held')).find((i) => i.id === c.id);
    expect(waiting).toMatchObject({ heldFor: 'sensitive', matchedWords: ['代开发票'], reports: 0, articleTitle: '城关镇滨河路今日通车', authorName: c.authorName });

    const approved = await decide(c.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('visible');
    expect((await list(a, tokens.r1)).body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    expect(await commentsOf(a)).toBe(before + 1);
    const doc = await server.models.Comment.findById(c.id).lean();
    expect(String(doc!.decidedById)).toBe(String((await server.models.User.findOne({ username: 'editor' }).lean())!._id));
    expect(doc!.decidedAt?.toISOString()).toBe(clock.toISOString());
    // Decided once: a second decision on a visible comment is a state conflict.
    expect((await decide(c.id, 'remove', tokens.reviewer)).status).toBe(409);
    expect((await queue()).some((i) => i.id === c.id)).toBe(false);
  });

  it('can be removed: it leaves the queue, is shown to nobody and is not counted', async () => {
    // Catches: removal that leaves the comment visible to its author or moves the counter.
    const a = await article();
    const before = await commentsOf(a);
    const c = await write(a, '加微信领红包，先到先得');
    const removed = await decide(c.id, 'remove', tokens.reviewer);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ state: 'removed', stateLabel: '已删除' });
    expect((await list(a, tokens.author)).body.items).toEqual([]);
    expect((await queue()).some((i) => i.id === c.id)).toBe(false);
    expect(await commentsOf(a)).toBe(before);
    expect((await decide(c.id, 'approve')).status).toBe(409);
    expect((await report(c.id, tokens.r1)).status).toBe(404);
  });

  it('lists the queue oldest first and by state', async () => {
    // Catches: the newest held comment pushing older ones out of an editor's first page.
    const a = await article();
    const older = await write(a, '网赌平台内部渠道');
    const newer = await write(a, '百家乐稳赚不赔');
    const visible = await write(a, '正常的评论');
    const ids = (await queue('held')).map((i) => i.id);
    expect(ids.indexOf(older.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
    expect(ids).not.toContain(visible.id);
    expect((await queue('hidden')).map((i) => i.id)).not.toContain(older.id);
  });
});

describe('reports', () => {
  it('hide a comment at the third reader, not before; a reader counts once; the author cannot report', async () => {
    // Catches: two reports hiding, one reader hiding a comment by repeating, or self-reports.
    const a = await article();
    const c = await write(a, '修路修了半年才修好');
    const before = await commentsOf(a);
    expect((await report(c.id, tokens.author)).status).toBe(403);
    expect((await report(c.id, tokens.r1, '垃圾广告')).body).toEqual({ reports: 1, hidden: false });
    expect((await report(c.id, tokens.r1, '辱骂攻击')).body).toEqual({ reports: 1, hidden: false });
    expect((await report(c.id, tokens.r2)).body).toEqual({ reports: 2, hidden: false });
    expect((await list(a, tokens.r4)).body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    expect(await commentsOf(a)).toBe(before);

    expect((await report(c.id, tokens.r3, '虚假信息')).body).toEqual({ reports: 3, hidden: true });
    expect((await list(a, tokens.r4)).body.items).toEqual([]);
    expect((await list(a, tokens.author)).body.items).toEqual([expect.objectContaining({ id: c.id, state: 'hidden', stateLabel: '已隐藏（被举报）', mine: true })]);
    expect(await commentsOf(a)).toBe(before - 1);
    // The editor sees the reasons given: a repeated report adds none, a report without one adds none.
    expect((await queue('hidden')).find((i) => i.id === c.id)).toMatchObject({ heldFor: 'reports', reports: 3, reportReasons: ['垃圾广告', '虚假信息'] });
    expect((await server.api('POST', `/api/v1/comments/${c.id}/report`, { body: {} })).status).toBe(401);
  });

  it('hide exactly once when three readers report at the same moment', async () => {
    // Catches: a read-then-write hide that lets concurrent reports each decrement the counter, or none hide.
    const a = await article();
    const c = await write(a, '这个说法我不同意');
    const before = await commentsOf(a);
    // All three have read the comment (visible, no reports) before any of them writes.
    let arrived = 0;
    let release!: () => void;
    const allRead = new Promise<void>((r) => (release = r));
    const service = commentService(server.ctx, {
      afterReportRead: async () => {
        if (++arrived === 3) release();
        await allRead;
      },
    });
    const readers = await Promise.all(['demo-resident-21', 'demo-resident-22', 'demo-resident-23'].map(residentUser));
    const results = await Promise.all(readers.map((u) => service.report(u, c.id, '垃圾广告')));
    expect(arrived).toBe(3);
    expect(results.map((r) => r.reports).sort()).toEqual([1, 2, 3]);
    expect(results.filter((r) => r.hidden).length).toBeGreaterThan(0);
    const doc = await server.models.Comment.findById(c.id).lean();
    expect(doc).toMatchObject({ state: 'hidden', heldFor: 'reports', reports: 3 });
    expect(doc!.reporterIds).toHaveLength(3);
    expect(await commentsOf(a)).toBe(before - 1);
  });

  it('after an editor approves, the same reporters cannot hide it again; three new ones can', async () => {
    // Catches: an approved comment flickering back to hidden on the first repeat report.
    const a = await article();
    const c = await write(a, '大家说的都有道理');
    const before = await commentsOf(a);
    for (const r of ['r1', 'r2', 'r3']) await report(c.id, tokens[r]);
    const approved = await server.api('POST', `/api/v1/comments/${c.id}/decision`, { token: tokens.editor, body: { decision: 'approve', note: '核实无不当内容' } });
    expect(approved.body).toMatchObject({ state: 'visible', reports: 0, reportReasons: [] });
    // The editor's note stays with the decision (who decided and why).
    expect(await server.models.Comment.findById(c.id).lean()).toMatchObject({ decisionNote: '核实无不当内容', decidedAt: expect.any(Date) });
    expect(await commentsOf(a)).toBe(before);
    expect((await report(c.id, tokens.r1)).body).toEqual({ reports: 0, hidden: false });
    expect((await report(c.id, tokens.r4)).body).toEqual({ reports: 1, hidden: false });
    expect((await report(c.id, tokens.r5)).body).toEqual({ reports: 2, hidden: false });
    expect((await report(c.id, tokens.editor)).body).toEqual({ reports: 3, hidden: true });
  });
});

describe('permissions', () => {
  it('lets editors and reviewers moderate, not residents (403) or anonymous callers (401)', async () => {
    // Catches: a resident clearing the moderation queue, or reading who was held for what.
    const a = await article();
    const c = await write(a, '有没有人一起网赌');
    expect((await server.api('GET', '/api/v1/comments/moderation', { token: tokens.r1 })).status).toBe(403);
    expect((await server.api('GET', '/api/v1/comments/moderation')).status).toBe(401);
    expect((await decide(c.id, 'approve', tokens.r1)).status).toBe(403);
    expect((await decide(c.id, 'approve', tokens.author)).status).toBe(403);
    expect((await server.api('GET', '/api/v1/comments/moderation', { token: tokens.reviewer })).status).toBe(200);
    expect((await decide('0123456789abcdef01234567', 'approve')).status).toBe(404);
    expect((await server.models.Comment.findById(c.id).lean())!.state).toBe('held');
  });
});

/**
 * The readers' news over HTTP on a seeded server with the real embedded database: feed order and
 * cursor paging, column and region scope, the cached feed's ETag/304 and its invalidation by a
 * publish and a withdraw, an article's view counter, likes one per reader, and search over
 * Chinese and Latin text. The seed may hold articles of its own: every check looks at the ids
 * this suite created (or compares with the database).
 */
import { startTestServer, type TestServer } from '../helpers/server';
import { articleMove, createDraft, ensureColumn, newsStaff, publishArticle, type PublishOptions } from '../helpers/news';
import { testClock, MINUTE, DAY } from '../helpers/appeals';
import type { ArticleSummary } from '../../server/news/schemas';

const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
const tok: Record<string, string> = {};
const region: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
  // Everything this suite publishes is newer than anything the seed wrote.
  clock.advance(DAY);
  for (const r of ['demo-resident-01', 'demo-resident-02']) tok[r] = await s.residentToken(r);
  for (const code of ['DX-01', 'DX-01-01', 'DX-01-01-01', 'DX-01-02', 'DX-02-01']) region[code] = await s.regionId(code);
});
afterAll(async () => {
  await s?.stop();
});

/** Publishes one minute after the previous one, so publication times are distinct and ordered. */
async function publish(opts: PublishOptions): Promise<string> {
  clock.advance(MINUTE);
  return publishArticle(s, opts);
}

async function withdraw(id: string): Promise<void> {
  await articleMove(s, (await newsStaff(s)).editor, id, 'withdraw', { reason: '测试撤回' });
}

/** Every page of a feed query, following nextCursor. */
async function allPages(query: string, limit = 7): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: { items: ArticleSummary[]; nextCursor: string | null } } = await s.api('GET', `/api/v1/news/feed?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((i) => i.id));
    cursor = res.body.nextCursor;
    pages++;
    if (pages > 200) throw new Error('feed paging does not end');
  } while (cursor);
  return { ids, pages };
}

const mine = (all: string[], ours: string[]) => all.filter((id) => ours.includes(id));

describe('feed order and paging', () => {
  it('puts pinned and emergency items on top (newest of them first), then the newest', async () => {
    // Catches: sorting by publication only (a pinned or emergency item sinks), or the top group in the wrong order.
    const pinned = await publish({ columnCode: 'local', title: '置顶：县城供暖安排公布', pinned: true });
    const emergency = await publish({ columnCode: 'emergency', title: '寒潮蓝色预警发布' });
    const older = await publish({ columnCode: 'livelihood', title: '菜市场改造完工开业' });
    const newer = await publish({ columnCode: 'culture', title: '非遗展演周末开幕' });
    const { ids } = await allPages('');
    expect(mine(ids, [pinned, emergency, older, newer])).toEqual([emergency, pinned, newer, older]);
    const first = await s.api('GET', '/api/v1/news/feed?limit=50');
    const top = first.body.items.findIndex((i: ArticleSummary) => !i.pinned && !i.emergency);
    expect(first.body.items.slice(top).some((i: ArticleSummary) => i.pinned || i.emergency)).toBe(false);
  });

  it('pages with the cursor through every county-wide item exactly once', async () => {
    // Catches: a cursor that repeats or skips the item at a page boundary, or a last page that still offers a cursor.
    for (let i = 0; i < 9; i++) await publish({ columnCode: 'local', title: `分页测试稿件第${i + 1}篇`, pinned: i === 4 });
    const expected = await s.models.Article.countDocuments({ state: 'published', regionPaths: { $size: 0 } });
    const { ids, pages } = await allPages('', 4);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 4));
  });

  it('refuses a cursor it did not give', async () => {
    // Catches: a forged cursor reaching the query as an arbitrary string range.
    const res = await s.api('GET', '/api/v1/news/feed?cursor=bm90LWEta2V5');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.cursor');
  });

  it('filters by column code and answers 404 for an unknown column', async () => {
    // Catches: the column filter ignored (every column in each tab) or an unknown code answering an empty tab.
    const culture = await publish({ columnCode: 'culture', title: '古镇灯会延长至月底' });
    const local = await publish({ columnCode: 'local', title: '县道改造工程进展顺利' });
    const res = await s.api('GET', '/api/v1/news/feed?column=culture&limit=50');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((i: ArticleSummary) => i.id);
    expect(ids).toContain(culture);
    expect(ids).not.toContain(local);
    expect(res.body.items.every((i: ArticleSummary) => i.columnCode === 'culture' && i.columnName === '文旅')).toBe(true);
    expect((await s.api('GET', '/api/v1/news/feed?column=nosuchcolumn')).status).toBe(404);
  });
});

describe('region scope', () => {
  let community: string, township: string, other: string, countyWide: string;
  beforeAll(async () => {
    community = await publish({ columnCode: 'livelihood', title: '东城社区开展义诊活动', regionIds: [region['DX-01-01']] });
    township = await publish({ columnCode: 'livelihood', title: '城关镇启动垃圾分类', regionIds: [region['DX-01']] });
    other = await publish({ columnCode: 'livelihood', title: '青石村修建文化广场', regionIds: [region['DX-02-01']] });
    countyWide = await publish({ columnCode: 'livelihood', title: '全县医保缴费开始办理' });
  });
  const ours = () => [community, township, other, countyWide];

  it("shows a community its own, its township's and county-wide articles, not another community's", async () => {
    // Catches: scope ignored (every community sees every article) or a township article missing from its communities.
    const { ids } = await allPages(`&regionId=${region['DX-01-01']}`);
    expect(mine(ids, ours())).toEqual([countyWide, township, community]);
    const elsewhere = await allPages(`&regionId=${region['DX-02-01']}`);
    expect(mine(elsewhere.ids, ours())).toEqual([countyWide, other]);
    const neighbour = await allPages(`&regionId=${region['DX-01-02']}`);
    expect(mine(neighbour.ids, ours())).toEqual([countyWide, township]);
  });

  it('gives a grid the articles of the regions above it', async () => {
    // Catches: matching only the exact region path (a reader in a grid misses the community's news).
    const { ids } = await allPages(`&regionId=${region['DX-01-01-01']}`);
    expect(mine(ids, ours())).toEqual([countyWide, township, community]);
  });

  it('shows only county-wide articles without a region, and 404 for an unknown region', async () => {
    // Catches: a visitor without a community reading every community's local items.
    const { ids } = await allPages('');
    expect(mine(ids, ours())).toEqual([countyWide]);
    expect((await s.api('GET', '/api/v1/news/feed?regionId=0123456789abcdef01234567')).status).toBe(404);
  });
});

describe('the cached feed', () => {
  it('answers 304 to its ETag, and a new ETag after a publish and after a withdraw', async () => {
    // Catches: a cache that serves the old page after a publish or a withdraw, or one that never answers 304.
    await ensureColumn(s, 'rural');
    const url = '/api/v1/news/feed?column=rural&limit=5';
    const first = await s.api('GET', url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect((await s.api('GET', url, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const fresh = await publish({ columnCode: 'rural', title: '高山茶园喜获丰收' });
    const afterPublish = await s.api('GET', url, { headers: { 'if-none-match': etag } });
    expect(afterPublish.status).toBe(200);
    const etag2 = afterPublish.headers.get('etag')!;
    expect(etag2).not.toBe(etag);
    expect(afterPublish.body.items[0].id).toBe(fresh);

    await withdraw(fresh);
    const afterWithdraw = await s.api('GET', url, { headers: { 'if-none-match': etag2 } });
    expect(afterWithdraw.status).toBe(200);
    expect(afterWithdraw.headers.get('etag')).not.toBe(etag2);
    expect(afterWithdraw.body.items.map((i: ArticleSummary) => i.id)).not.toContain(fresh);
  });

  it('is not invalidated by reads and likes (the counters live apart)', async () => {
    // Catches: counters written on the article itself, which would empty the feed cache on every view.
    const id = await publish({ columnCode: 'rural', title: '合作社冬储菜上市' });
    const url = '/api/v1/news/feed?column=rural&limit=5';
    const etag = (await s.api('GET', url)).headers.get('etag')!;
    expect((await s.api('GET', `/api/v1/news/articles/${id}`)).status).toBe(200);
    expect((await s.api('PUT', `/api/v1/news/articles/${id}/like`, { token: tok['demo-resident-01'], body: {} })).status).toBe(200);
    expect((await s.api('GET', url, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});

describe('an article, views and likes', () => {
  it('counts a reader once a day (another reader counts) and shows the body', async () => {
    // Catches: views not counted, counted on the cached feed instead of the read, or counted on every
    // read (one reader refreshing inflates the counter). The batching itself: news-views.test.ts.
    const id = await publish({ columnCode: 'local', title: '图书馆延长开放时间', body: '<p>县图书馆<strong>即日起</strong>延长开放。</p>' });
    const a = await s.api('GET', `/api/v1/news/articles/${id}`);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id, title: '图书馆延长开放时间', bodyHtml: '<p>县图书馆<strong>即日起</strong>延长开放。</p>', views: 1, likes: 0, comments: 0, liked: false });
    const b = await s.api('GET', `/api/v1/news/articles/${id}`);
    expect(b.body.views).toBe(1);
    const other = await s.api('GET', `/api/v1/news/articles/${id}`, { token: tok['demo-resident-01'] });
    expect(other.body.views).toBe(2);
  });

  it('answers 404 for a draft, a withdrawn and an unknown article', async () => {
    // Catches: a reader opening an unpublished text by its id.
    const withdrawn = await publish({ columnCode: 'local', title: '即将撤回的稿件标题' });
    await withdraw(withdrawn);
    const draft = (await createDraft(s, { columnCode: 'local', title: '仍是草稿的稿件标题' })).id;
    for (const id of [withdrawn, draft, '0123456789abcdef01234567']) {
      expect((await s.api('GET', `/api/v1/news/articles/${id}`)).status).toBe(404);
      expect((await s.api('PUT', `/api/v1/news/articles/${id}/like`, { token: tok['demo-resident-01'], body: {} })).status).toBe(404);
    }
  });

  it('takes one like per reader, repeated and concurrent likes count once, and unlike takes it back', async () => {
    // Catches: a check-then-insert like (two at once both count), a counter moved by a repeated like or unlike.
    const id = await publish({ columnCode: 'local', title: '社区食堂开始试运营' });
    const like = (who: string) => s.api('PUT', `/api/v1/news/articles/${id}/like`, { token: tok[who], body: {} });
    const unlike = (who: string) => s.api('DELETE', `/api/v1/news/articles/${id}/like`, { token: tok[who] });

    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => like('demo-resident-01')));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await like('demo-resident-01')).body).toEqual({ liked: true, likes: 1 });
    expect((await like('demo-resident-02')).body).toEqual({ liked: true, likes: 2 });

    const read = await s.api('GET', `/api/v1/news/articles/${id}`, { token: tok['demo-resident-01'] });
    expect(read.body).toMatchObject({ likes: 2, liked: true });
    expect((await s.api('GET', `/api/v1/news/articles/${id}`)).body.liked).toBe(false);

    expect((await unlike('demo-resident-01')).body).toEqual({ liked: false, likes: 1 });
    expect((await unlike('demo-resident-01')).body).toEqual({ liked: false, likes: 1 });
    expect((await s.api('GET', `/api/v1/news/articles/${id}`, { token: tok['demo-resident-01'] })).body).toMatchObject({ likes: 1, liked: false });
    expect(await s.models.ArticleLike.countDocuments({ articleId: id })).toBe(1);
  });

  it('needs a signed-in reader to like', async () => {
    // Catches: anonymous likes (anyone could inflate the counter).
    const id = await publish({ columnCode: 'local', title: '匿名点赞应被拒绝' });
    expect((await s.api('PUT', `/api/v1/news/articles/${id}/like`, { body: {} })).status).toBe(401);
  });
});

describe('search', () => {
  let sports: string, wifi: string;
  beforeAll(async () => {
    sports = await publish({ columnCode: 'culture', title: '城关镇举办冬季运动会', body: '<p>来自各村的四百名选手参加了拔河和长跑比赛。</p>' });
    wifi = await publish({ columnCode: 'rural', title: '山区信号覆盖提升', body: '<p>全县行政村实现免费WiFi全覆盖。</p>' });
  });
  const search = (q: string) => s.api('GET', `/api/v1/news/search?q=${encodeURIComponent(q)}&limit=50`);
  const found = async (q: string) => {
    const res = await search(q);
    expect(res.status).toBe(200);
    return res.body.items.map((i: ArticleSummary) => i.id) as string[];
  };

  it('finds by a two- and a three-character Chinese substring of title or body, and by a Latin word', async () => {
    // Catches: whole-word matching (Chinese has no spaces), title-only search, case-sensitive Latin words.
    expect(await found('运动')).toContain(sports);
    expect(await found('运动会')).toContain(sports);
    expect(await found('拔河')).toContain(sports);
    expect(await found('wifi')).toContain(wifi);
    expect(await found('WiFi 覆盖')).toEqual(expect.arrayContaining([wifi]));
  });

  it('does not find absent text, nor a withdrawn article', async () => {
    // Catches: matching any one term instead of all (运动 and 足球 would find the games), or withdrawn text still searchable.
    expect(await found('足球比赛')).not.toContain(sports);
    expect(await found('运动足球')).not.toContain(sports);
    const gone = await publish({ columnCode: 'culture', title: '撤回后不可搜索的龙舟赛' });
    expect(await found('龙舟')).toContain(gone);
    await withdraw(gone);
    expect(await found('龙舟')).not.toContain(gone);
  });

  it('refuses a query without searchable text', async () => {
    // Catches: an empty term list turning into `$all: []`, which matches nothing on one database and everything on another.
    const res = await search('！？。');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.q');
  });
});

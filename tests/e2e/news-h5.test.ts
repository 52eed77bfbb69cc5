/**
 * News and a notice as people do it, in the H5 build (real Chromium) against the real server:
 * the editor writes an article in 民生 (one review level) with a cover and a two-paragraph body,
 * saves it and submits it; a reviewer approves it from 审核稿件 and it is published; a resident
 * finds it on 首页 (全部 and the 民生 tab), reads the rich text, likes it and comments; the editor
 * publishes an emergency notice to the whole county, sees one delivery per bound group chat
 * (待发送), a bot claims and completes them through its API and the page refreshes itself to
 * 已发送; the resident's 首页 shows the notice pinned on top.
 *
 * Bugs it catches: a workbench entry or page that does not open in H5; the typed body losing its
 * paragraphs on the way to the reader (escaping, <p> split); submit or approve not moving the
 * article (wrong level, buttons the server does not allow); a published article missing from the
 * feed or its column tab (cache not invalidated on publish, column filter ignored); a like that does
 * not count or does not stick; a comment that is not listed after it is sent; publishing a notice
 * without the confirmation, or without one delivery per bound room in scope; an emergency queued
 * behind other bot work; a deliveries page that does not refresh itself while the bot works; an
 * emergency notice not pinned on the residents' 首页.
 * Leaves screenshots of the article and the deliveries page in the test artifacts; with
 * UPDATE_SCREENSHOTS=1 also for the README (docs/images/news-article.png, notice-deliveries.png).
 */
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import { H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';
import { keepScreenshot, scrollToTop, staffSignIn } from './h5-steps';

// Demo staff (common/demo-county.ts): `editor` writes, `reviewer` reviews; 民生 (livelihood)
// needs one review level. demo-resident-01 lives in 东城社区. Checked through the API first.
const EDITOR = 'editor';
const REVIEWER = 'reviewer';
const RESIDENT = 'demo-resident-01';
const COLUMN = { code: 'livelihood', name: '民生', reviewLevels: 1 };

const TITLE = '城东便民菜市场本周六开业 早市六点开门';
const PARAGRAPHS = [
  '经过三个月改造，位于城关镇东城社区的城东便民菜市场将于本周六正式开业，设有蔬菜、肉类、水产和熟食等摊位六十余个。',
  '市场早上六点开门、晚上七点关门，周边居民步行十分钟即可到达。开业首周，部分摊位的蔬菜按成本价供应。',
];
const COMMENT = '家门口就有菜市场了，老人买菜方便多了，点赞！';
const NOTICE_TITLE = '大雾黄色预警：明早出行请减速慢行';
const NOTICE_BODY = '县气象台预计明天早上全县有大雾，部分路段能见度不足200米。请开车的居民打开雾灯、减速慢行，接送孩子上学请提前出门。';

// A drawn stand-in for the cover (market stalls under awnings); no text, so it needs no fonts.
const COVER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="500">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f6c47a"/><stop offset="1" stop-color="#fbe9cf"/></linearGradient></defs>
  <rect width="900" height="500" fill="url(#sky)"/>
  <rect x="0" y="400" width="900" height="100" fill="#9a8f80"/>
  ${[0, 1, 2, 3].map((i) => {
    const x = 40 + i * 215;
    const colour = ['#c0392b', '#27ae60', '#2980b9', '#d35400'][i];
    return `<rect x="${x}" y="230" width="180" height="170" fill="#e9dcc3" stroke="#8d7b5c" stroke-width="4"/>
    <polygon points="${x - 12},230 ${x + 192},230 ${x + 170},180 ${x + 10},180" fill="${colour}"/>
    <rect x="${x + 15}" y="320" width="150" height="30" fill="#8d6e4c"/>
    ${[0, 1, 2, 3, 4].map((k) => `<circle cx="${x + 32 + k * 29}" cy="312" r="12" fill="${['#e74c3c', '#f1c40f', '#2ecc71', '#e67e22', '#9b59b6'][(k + i) % 5]}"/>`).join('')}`;
  }).join('')}
</svg>`;

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  // The server writes the cover into a temporary data folder of its own (removed by stop()).
  s = await startTestServer({ config: { h5Dir: H5_DIR } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** The root of a page by its usePageClass name (Taro keeps the pages below in the stack in the DOM). */
const pageRoot = (page: Page, name: string): Locator => page.locator(`.page.${name}`).last();

/** 我的 → 工作台. */
async function openWorkbench(page: Page) {
  await page.getByText('我的', { exact: true }).last().click();
  await page.getByText('工作台', { exact: true }).last().click();
  await pageRoot(page, 'workbench').getByText('我的工作台', { exact: true }).waitFor();
}

it('an editor writes, a reviewer approves, a resident reads, likes and comments; an emergency notice reaches every bound group chat', async () => {
  // --- What the demo county holds (checked, not assumed): the column and the bound group chats.
  const column = (await s.api('GET', '/api/v1/columns')).body.items.find((c: { code: string }) => c.code === COLUMN.code);
  expect(column).toMatchObject({ name: COLUMN.name, reviewLevels: COLUMN.reviewLevels, active: true });
  const admin = await s.staffToken('admin');
  const rooms = (await s.api('GET', '/api/v1/rooms', { token: admin })).body.items as { roomId: string; topic: string }[];
  expect(rooms.length).toBeGreaterThan(0);
  expect(rooms.length).toBe(await s.models.Room.countDocuments());
  expect(rooms.length).toBeLessThanOrEqual(20); // one claim below takes them all

  const cover = await sharp(Buffer.from(COVER_SVG)).jpeg({ quality: 80 }).toBuffer();

  // --- The editor writes the article: 工作台 → 写稿.
  const editor = await newPhone(browser);
  await staffSignIn(editor, s.url, EDITOR);
  await openWorkbench(editor);
  await pageRoot(editor, 'workbench').getByText('写稿', { exact: true }).click();
  const edit = pageRoot(editor, 'article-edit');
  await edit.getByText(`${COLUMN.name} · 需${COLUMN.reviewLevels}级审核`, { exact: true }).click();
  await edit.locator('input[placeholder="4到60个字"]').fill(TITLE);
  // The test browser keeps a desktop user agent, so Taro opens the file chooser at once.
  const chooser = editor.waitForEvent('filechooser');
  await edit.getByText('添加照片 0/1', { exact: true }).click();
  await (await chooser).setFiles({ name: 'market.jpg', mimeType: 'image/jpeg', buffer: cover });
  await edit.locator('.photo-picker__item--done, .photo-picker__item--failed').last().waitFor({ timeout: 45_000 });
  expect(await edit.locator('.photo-picker__item--done').count()).toBe(1);
  await edit.locator('textarea[placeholder="在这里输入正文"]').fill(PARAGRAPHS.join('\n\n'));
  await edit.getByText('保存草稿', { exact: true }).click();
  await edit.getByText('草稿已保存', { exact: true }).waitFor();
  const draft = await s.models.Article.findOne({ title: TITLE }).lean();
  expect(draft).toMatchObject({ state: 'draft', bodyHtml: PARAGRAPHS.map((p) => `<p>${p}</p>`).join('') });
  expect(draft?.coverPhotoId).toBeTruthy();

  await edit.getByText('提交审核', { exact: true }).click();
  // It lands on the article's own page, waiting for the first (and only) level.
  const manage = pageRoot(editor, 'article-manage');
  await manage.getByText('审核中 · 初审（1/1）', { exact: true }).waitFor();
  expect((await s.models.Article.findOne({ title: TITLE }).lean())).toMatchObject({ state: 'review', reviewLevel: 1 });

  // --- A reviewer approves it: 工作台 → 审核稿件 → the article → 通过.
  const reviewer = await newPhone(browser);
  await staffSignIn(reviewer, s.url, REVIEWER);
  await openWorkbench(reviewer);
  await pageRoot(reviewer, 'workbench').getByText('审核稿件', { exact: true }).click();
  await pageRoot(reviewer, 'news-desk').getByText(TITLE, { exact: true }).click();
  const review = pageRoot(reviewer, 'article-manage');
  await review.getByText(PARAGRAPHS[1], { exact: true }).waitFor();
  await review.getByText('通过', { exact: true }).click();
  await review.getByText('确定通过', { exact: true }).click();
  await review.getByText('已通过，当前状态：已发布', { exact: true }).waitFor();
  const published = await s.models.Article.findOne({ title: TITLE }).lean();
  expect(published).toMatchObject({ state: 'published' });
  expect(published?.publishedAt).toBeTruthy();
  const articleId = String(published!._id);
  await reviewer.context().close();

  // --- A resident finds it on 首页, in 全部 and under its column's tab.
  const resident = await newPhone(browser);
  await resident.goto(`${s.url}/#/pages/login/index`);
  await resident.getByText(`演示账号：${RESIDENT}`, { exact: true }).last().waitFor();
  await resident.getByText('演示居民登录', { exact: true }).last().click();
  await resident.getByText('您好', { exact: false }).first().waitFor();
  const home = pageRoot(resident, 'home');
  const card = home.locator('.article-card').filter({ hasText: TITLE });
  await card.getByText(`${COLUMN.name} · `, { exact: false }).waitFor();
  await home.locator('.home__tab').filter({ hasText: COLUMN.name }).click();
  // The column's list leaves the column name out of each card; every card is one of the column's.
  await card.filter({ hasNotText: `${COLUMN.name} · ` }).waitFor();
  const token = await s.residentToken(RESIDENT);
  const regionId = (await s.api('GET', '/api/v1/me', { token })).body.regionId;
  const columnFeed = (await s.api('GET', `/api/v1/news/feed?column=${COLUMN.code}&regionId=${regionId}&limit=20`)).body.items as { id: string; columnName: string }[];
  expect(columnFeed.map((a) => a.id)).toContain(articleId);
  expect(columnFeed.every((a) => a.columnName === COLUMN.name)).toBe(true);
  expect(await home.locator('.article-card').count()).toBe(columnFeed.length);

  // --- The article: the rich text with both paragraphs, 点赞 and a comment.
  await card.click();
  const article = pageRoot(resident, 'article');
  await article.getByText(TITLE, { exact: true }).waitFor();
  const paragraphs = article.locator('.article__body p');
  await paragraphs.first().waitFor();
  expect(await paragraphs.allTextContents()).toEqual(PARAGRAPHS);
  await article.locator('.article__cover').waitFor();
  // The page shows the like at once (optimistic); the server's answer comes after: wait for it.
  const likeAnswered = resident.waitForResponse((r) => r.url().includes('/like') && r.request().method() === 'PUT');
  await article.getByText('点赞 0', { exact: true }).click();
  await article.getByText('已赞 1', { exact: true }).waitFor();
  expect((await likeAnswered).status()).toBe(200);
  expect(await s.models.ArticleLike.countDocuments({ articleId: published!._id })).toBe(1);

  await article.locator('textarea[placeholder^="说说您的看法"]').fill(COMMENT);
  await article.getByText('发表评论', { exact: true }).click();
  const posted = article.locator('.comment').filter({ hasText: COMMENT });
  await posted.getByText('（我）', { exact: false }).waitFor();
  expect(await s.models.Comment.findOne({ text: COMMENT }).lean()).toMatchObject({ state: 'visible' });
  // The like was stored, not only drawn: a fresh read of the page still says 已赞 1.
  await resident.reload();
  await article.getByText('已赞 1', { exact: true }).waitFor();
  await article.locator('.comment').filter({ hasText: COMMENT }).waitFor();
  await article.locator('.article__cover').waitFor();
  await resident.waitForFunction(() => [...document.querySelectorAll('.article__cover img')].every((img) => (img as HTMLImageElement).complete));
  await scrollToTop(resident);
  await keepScreenshot(resident, 'news-article.png');

  // --- The editor publishes an emergency notice to the whole county: 工作台 → 通知管理 → 新建通知.
  await editor.goto(`${s.url}/#/pages/home/index`);
  await openWorkbench(editor);
  await pageRoot(editor, 'workbench').getByText('通知管理', { exact: true }).click();
  await pageRoot(editor, 'notice-desk').getByText('新建通知', { exact: true }).click();
  const noticeEdit = pageRoot(editor, 'notice-edit');
  await noticeEdit.locator('input[placeholder="4到40个字"]').fill(NOTICE_TITLE);
  await noticeEdit.locator('.chip').filter({ hasText: '紧急' }).click();
  await noticeEdit.getByText('紧急通知优先发送，并在发布期间置顶', { exact: true }).waitFor();
  await noticeEdit.locator('textarea[placeholder="纯文字，会原样发到群聊里"]').fill(NOTICE_BODY);
  await noticeEdit.getByText('未选择：全县', { exact: true }).waitFor();
  await noticeEdit.getByText('发布', { exact: true }).click();
  // Nothing is published before the confirmation.
  const modal = editor.locator('.taro-modal__content').last();
  await modal.getByText('发布紧急', { exact: true }).waitFor();
  await modal.getByText('（全县）', { exact: false }).waitFor();
  expect(await s.models.Notice.countDocuments({ title: NOTICE_TITLE, state: 'published' })).toBe(0);
  await modal.locator('.taro-model__confirm').click();

  // --- The deliveries: one row per bound group chat, each 待发送.
  const deliveries = pageRoot(editor, 'notice-deliveries');
  await deliveries.getByText(`已发送 0 / 共 ${rooms.length}`, { exact: true }).waitFor();
  const rows = deliveries.locator('.news-item');
  expect(await rows.count()).toBe(rooms.length);
  for (const r of rooms) await rows.filter({ hasText: r.topic }).locator('.news-state--pending').waitFor();
  await deliveries.getByText('群聊机器人正在逐个发送，每5秒自动刷新', { exact: true }).waitFor();
  const notice = await s.models.Notice.findOne({ title: NOTICE_TITLE }).lean();
  expect(notice).toMatchObject({ state: 'published', level: 'emergency', pinned: true });

  // --- As the bot would: claim (the emergency comes before any other bot work) and report each sent.
  const bot = (p: string, body: unknown) => s.api('POST', `/api/v1/bot/outbox${p}`, { token: TEST_BOT_TOKEN, body });
  const claimed = await bot('/claim', { owner: 'news-e2e', limit: rooms.length, leaseSeconds: 60 });
  expect(claimed.status).toBe(200);
  const items = claimed.body.items as { id: string; recipient: string; payload: { text: string } }[];
  expect(items.map((i) => i.recipient).sort()).toEqual(rooms.map((r) => r.roomId).sort());
  for (const item of items) {
    expect(item.payload.text.startsWith(`【紧急通知】${NOTICE_TITLE}\n${NOTICE_BODY}`)).toBe(true);
    const done = await bot(`/${item.id}/complete`, { owner: 'news-e2e', ok: true });
    expect(done.body).toEqual({ state: 'sent' });
  }
  // The page looks again by itself (every 5 s while any is unsent) and then stops saying so.
  await deliveries.getByText(`已发送 ${rooms.length} / 共 ${rooms.length}`, { exact: true }).waitFor();
  expect(await rows.locator('.news-state--sent').count()).toBe(rooms.length);
  await deliveries.getByText('群聊机器人正在逐个发送，每5秒自动刷新', { exact: true }).waitFor({ state: 'hidden' });
  await deliveries.getByText('已发布', { exact: true }).waitFor();
  await scrollToTop(editor);
  await keepScreenshot(editor, 'notice-deliveries.png');
  await editor.context().close();

  // --- The resident's 首页: the emergency notice pinned on top of the notices.
  await resident.goto(`${s.url}/#/pages/home/index`);
  await resident.reload();
  const first = home.locator('.home__notices .notice-card').first();
  await first.getByText(NOTICE_TITLE, { exact: true }).waitFor();
  await first.getByText('紧急', { exact: true }).waitFor();
  await first.getByText('置顶', { exact: true }).waitFor();
  await resident.context().close();
}, 120_000);

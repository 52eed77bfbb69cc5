/**
 * Readable by everyone: axe-core's WCAG 2.1 A and AA rules on the H5 build (real Chromium, the real
 * server with the demo county), on every resident page and the staff workbench's main pages, each in
 * the ordinary and the elderly mode (适老化). A serious or critical violation fails with the rule, its
 * impact, the elements (CSS selectors) and the page; moderate and minor ones are kept in
 * tests/artifacts/a11y.json for reading, not failed on.
 *
 * Catches, for example: a cover or photo <img> without alternative text (image-alt), a horizontally
 * scrolling column bar a keyboard cannot reach (scrollable-region-focusable), a switch or input
 * without an accessible name (label, aria-toggle-field-name), text below 4.5:1 contrast (color-contrast),
 * a ranking's table rows without cells (aria-required-children).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { newKey } from '../helpers/appeals';
import { ARTIFACTS, H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';
import { staffSignIn } from './h5-steps';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
// The app's own storage key for the elderly mode (src/store/elderly-mode.ts), as Taro's H5
// setStorageSync writes it; the pages read it when they are built.
const ELDERLY_KEY = 'xianrong.elderly';
// Demo people (common/demo-county.ts): the resident the login page's 演示居民登录 signs in, and the
// administrator, whom every staff entry and action is shown to.
const RESIDENT = 'demo-resident-01';
const STAFF = 'admin';
// 东城社区 (DX-01-01), where RESIDENT lives; `dongcheng` is its community worker, who may open a
// consultation there; `editor` answers tips.
const DONGCHENG = 'DX-01-01';
const COMMUNITY_STAFF = 'dongcheng';
const EDITOR = 'editor';

interface Finding {
  page: string;
  mode: 'normal' | 'elderly';
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

interface Visit {
  name: string;
  /** The hash route, e.g. `/pages/home/index`. */
  route: string;
  /** What shows only once the page's content (not its loading state) is there. */
  ready: string;
  /** What a person does on the opened page before `ready` can show (e.g. a search typed and sent). */
  act?: (shown: Locator) => Promise<void>;
}

let s: TestServer;
let browser: Browser;
const findings: Finding[] = [];

beforeAll(async () => {
  s = await startTestServer({ config: { h5Dir: H5_DIR } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await fs.writeFile(path.join(ARTIFACTS, 'a11y.json'), `${JSON.stringify(findings, null, 2)}\n`);
});

/** A fresh load of the route (a hash change alone would stack pages in Taro's router). */
async function open(page: Page, visit: Visit) {
  await page.goto('about:blank');
  await page.goto(`${s.url}/#${visit.route}`);
  const shown = page.locator('.taro_page_show').last();
  await visit.act?.(shown);
  await shown.locator(visit.ready).first().waitFor();
  // The rest of the page's requests (badges, photos) answered and rendered.
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
}

async function audit(page: Page, visit: Visit, mode: Finding['mode']): Promise<Finding[]> {
  await open(page, visit);
  const root = page.locator('.taro_page_show').last().locator('.page').first();
  // The mode under test is the one the page shows (a test that silently audited only one would pass).
  expect(await root.evaluate((el) => el.classList.contains('xr-elderly'))).toBe(mode === 'elderly');
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(
    async (tags) => (await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations,
    WCAG_21_AA,
  );
  return violations.map((v) => ({
    page: visit.name,
    mode,
    rule: v.id,
    impact: v.impact ?? 'unknown',
    help: v.help,
    targets: v.nodes.map((n) => n.target.map(String).join(' ')),
  }));
}

/**
 * Every visit in the ordinary mode, then again in the elderly mode, on the one page of the role's
 * context; fails listing each serious or critical violation (rule, impact, elements, page).
 */
async function expectNoSeriousViolations(page: Page, visits: Visit[]) {
  const found: Finding[] = [];
  await page.evaluate((key) => localStorage.removeItem(key), ELDERLY_KEY);
  for (const visit of visits) found.push(...(await audit(page, visit, 'normal')));
  await page.evaluate((key) => localStorage.setItem(key, JSON.stringify({ data: true })), ELDERLY_KEY);
  for (const visit of visits) found.push(...(await audit(page, visit, 'elderly')));
  findings.push(...found);
  await page.context().close();
  const serious = found
    .filter((f) => FAILING_IMPACTS.has(f.impact))
    .map((f) => `${f.page} (${f.mode}): ${f.rule} [${f.impact}] ${f.help}\n    ${f.targets.join('\n    ')}`);
  expect(serious.join('\n')).toBe('');
}

const articleRoute = (id: string) => `/pages/article/index?id=${id}`;
const noticeRoute = (id: string) => `/pages/notice/index?id=${id}`;
const appealRoute = (id: string) => `/pages/appeal-detail/index?id=${id}`;
const staffRoute = (name: string, query = '') => `/packages/staff/pages/${name}/index${query}`;

/** The demo resident signs in with the login page's 演示居民登录 and lands on 首页. */
async function residentSignIn(page: Page) {
  await page.goto(`${s.url}/#/pages/login/index`);
  await page.getByText('演示居民登录', { exact: true }).first().click();
  await page.getByText('您好', { exact: false }).first().waitFor();
}

/** 搜索: the words typed into the box and sent with the button, as a person searches. */
const search = (words: string) => async (shown: Locator) => {
  await shown.locator('input[placeholder="输入标题或内容中的词"]').fill(words);
  await shown.locator('.news-search__go').click();
};

it('a visitor: 首页, 诉求 (the public board), a board item, 服务, 我的, an article with its cover, the notices and a notice', async () => {
  const feed = await s.api('GET', '/api/v1/news/feed?limit=50');
  const article = (feed.body.items as { id: string; cover: unknown }[]).find((a) => a.cover);
  expect(article).toBeDefined();
  const notices = await s.api('GET', '/api/v1/notices?limit=1');
  const notice = notices.body.items[0] as { id: string; title: string };
  expect(notice).toBeDefined();

  const onBoard = (await s.api('GET', '/api/v1/board?limit=1')).body.items[0] as { id: string };
  expect(onBoard).toBeDefined();

  const page = await newPhone(browser);
  await page.goto(`${s.url}/`);
  await expectNoSeriousViolations(page, [
    { name: '首页', route: '/pages/home/index', ready: '.article-card__thumb img' },
    { name: '诉求', route: '/pages/appeals/index', ready: '.board-card' },
    { name: '公开诉求', route: `/pages/board-item/index?id=${onBoard.id}`, ready: '.appeal-detail__answer' },
    { name: '服务', route: '/pages/services/index', ready: 'text=12345市民热线' },
    { name: '我的', route: '/pages/me/index', ready: 'text=您还没有登录' },
    { name: '文章', route: articleRoute(article!.id), ready: '.article__cover img' },
    { name: '通知公告', route: '/pages/notices/index', ready: '.notice-card' },
    { name: '通知', route: noticeRoute(notice.id), ready: '.notice__title' },
  ]);
}, 240_000);

it('a signed-in resident: 首页, 诉求, 我的, 我要反映 and an appeal of theirs', async () => {
  const mine = await s.api('GET', '/api/v1/appeals?view=mine', { token: await s.residentToken(RESIDENT) });
  const appeal = mine.body.items[0] as { id: string; number: string };
  expect(appeal).toBeDefined();

  const page = await newPhone(browser);
  await residentSignIn(page);
  await expectNoSeriousViolations(page, [
    { name: '首页（已登录）', route: '/pages/home/index', ready: '.article-card__thumb img' },
    { name: '诉求（已登录）', route: '/pages/appeals/index', ready: `text=${appeal.number}` },
    { name: '我的（已登录）', route: '/pages/me/index', ready: 'text=退出登录' },
    { name: '我要反映', route: '/pages/appeal-new/index', ready: '.chip--kind' },
    { name: '诉求详情', route: appealRoute(appeal.id), ready: `text=${appeal.number}` },
  ]);
}, 240_000);

it('staff: the workbench, the appeal inbox, an appeal to handle and the news desk', async () => {
  const inbox = await s.api('GET', '/api/v1/appeals?view=inbox', { token: await s.staffToken(STAFF) });
  const appeal = inbox.body.items[0] as { id: string; number: string };
  expect(appeal).toBeDefined();

  const page = await newPhone(browser);
  await staffSignIn(page, s.url, STAFF);
  await expectNoSeriousViolations(page, [
    { name: '工作台', route: staffRoute('workbench'), ready: 'text=我的工作台' },
    { name: '诉求办理', route: staffRoute('appeal-inbox', '?view=inbox'), ready: '.appeal-item' },
    { name: '诉求办理详情', route: staffRoute('appeal-handle', `?id=${appeal.id}`), ready: `text=${appeal.number}` },
    { name: '新闻发布', route: staffRoute('news-desk'), ready: '.news-tab' },
    { name: '高频诉求', route: staffRoute('hotspots'), ready: 'text=保存阈值' },
  ]);
}, 240_000);

it('a visitor: 登录, 隐私保护指引, 搜索 with stories found and with none', async () => {
  // Words from a demo story's title, so the search has something to show (checked through the API).
  const feed = await s.api('GET', '/api/v1/news/feed?limit=50');
  const words = (feed.body.items as { title: string }[]).map((a) => a.title.match(/\p{Script=Han}{4}/u)?.[0]).find(Boolean);
  expect(words).toBeDefined();
  const found = await s.api('GET', `/api/v1/news/search?q=${encodeURIComponent(words!)}`);
  expect(found.body.items.length).toBeGreaterThan(0);
  // Latin letters no demo story has: 没有找到相关内容.
  const none = 'zqxjvw';
  expect((await s.api('GET', `/api/v1/news/search?q=${none}`)).body.items).toEqual([]);

  const page = await newPhone(browser);
  await page.goto(`${s.url}/`);
  await expectNoSeriousViolations(page, [
    // The demo resident's button shows once the server said it offers the demo login.
    { name: '登录', route: '/pages/login/index', ready: 'text=演示居民登录' },
    { name: '隐私保护指引', route: '/pages/privacy/index', ready: 'text=查询、更正和删除' },
    { name: '搜索（有结果）', route: '/pages/news-search/index', act: search(words!), ready: '.article-card' },
    { name: '搜索（无结果）', route: '/pages/news-search/index', act: search(none), ready: 'text=没有找到相关内容' },
  ]);
}, 240_000);

it('a signed-in resident: 选择地区, 我的爆料, a tip of theirs with the newsroom’s reply, and 议事 with a consultation of their community', async () => {
  // The demo county has no tips or consultations: one of each, made through the API as people do.
  const token = await s.residentToken(RESIDENT);
  const sent = await s.api('POST', '/api/v1/tips', { token, body: { text: '东城社区幸福路的老槐树开花了，很多老人在树下拍照。', place: '东城社区幸福路', mayContact: true, mayCredit: false, idempotencyKey: newKey('tip') } });
  expect(sent.status).toBe(201);
  const tip = sent.body as { id: string; version: number };
  const editor = await s.staffToken(EDITOR);
  const taken = await s.api('POST', `/api/v1/tips/${tip.id}/take`, { token: editor, body: { version: tip.version } });
  expect(taken.status).toBe(200);
  expect((await s.api('POST', `/api/v1/tips/${tip.id}/reply`, { token: editor, body: { version: taken.body.version, text: '感谢您的爆料，记者下午去现场拍摄。' } })).status).toBe(200);
  const opened = await s.api('POST', '/api/v1/consultations', {
    token: await s.staffToken(COMMUNITY_STAFF),
    body: { title: '幸福小区3号楼是否加装电梯', description: '电梯费用按楼层分摊，请3号楼的邻居投票。', options: ['同意加装', '不同意加装'], regionId: await s.regionId(DONGCHENG), closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), idempotencyKey: newKey('cons') },
  });
  expect(opened.status).toBe(201);

  const page = await newPhone(browser);
  await residentSignIn(page);
  await expectNoSeriousViolations(page, [
    { name: '选择地区', route: '/pages/region-picker/index', ready: '.list-row' },
    { name: '我的爆料', route: '/pages/tip-list/index', ready: '.tip-card' },
    { name: '爆料详情', route: `/pages/tip-detail/index?id=${tip.id}`, ready: '.tip-replies' },
    { name: '议事', route: '/pages/consultation-list/index', ready: '.consultation-card' },
  ]);
}, 240_000);

it('staff: 数据统计, 数据大屏, 热线代录, 智能分派设置 and 通知管理', async () => {
  const page = await newPhone(browser);
  await staffSignIn(page, s.url, STAFF);
  await expectNoSeriousViolations(page, [
    // The counts show with the period's figures; the rankings and charts load beside them (networkidle).
    { name: '数据统计', route: staffRoute('measures'), ready: '.measures__counts' },
    { name: '数据大屏', route: staffRoute('dashboard'), ready: '.dashboard__title' },
    // The administrator files as the hotline (热线代录); the categories are the form's last read.
    { name: '热线代录', route: staffRoute('appeal-file'), ready: '.category-chooser' },
    { name: '智能分派设置', route: staffRoute('direct-dispatch'), ready: 'text=置信度阈值' },
    { name: '通知管理', route: staffRoute('notice-desk'), ready: '.news-item' },
  ]);
}, 240_000);

/**
 * What the H5 app's first screen downloads, in real Chromium against the real server (demo county
 * seeded) and the real dist/h5: no staff code for a resident, compressed text, a loading screen that
 * paints from the HTML alone and gives way to the app. `npm test` builds dist/h5 first.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startTestServer({ config: { h5Dir: H5_DIR } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** The staff subpackage's chunks, named by config/h5-chunks.ts. */
const STAFF = /^\/(?:js|css)\/staff-[^/]+\.(?:js|css)$/;
const SPLASH_TEXT = '正在加载，请稍候…';
/** Text found only in staff code: the workbench page and the binding-code card both staff pages share. */
const STAFF_ONLY_TEXT = ['工作台仅供工作人员使用', '复制失败，请手动输入绑定码'];
/** The forms a string can take in the minified bundle: as is, or as \uXXXX escapes. */
const forms = (text: string) => [text, [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')];
const containsStaffText = (source: string) => STAFF_ONLY_TEXT.filter((t) => forms(t).some((f) => source.includes(f)));

/** Every response the page gets from our server: path and Content-Encoding. */
function recordResponses(page: Page): { path: string; encoding: string | undefined }[] {
  const seen: { path: string; encoding: string | undefined }[] = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.origin === s.url) seen.push({ path: url.pathname, encoding: res.headers()['content-encoding'] });
  });
  return seen;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('H5 first load', () => {
  it("a resident's first screen fetches no staff code, and its text comes compressed", async () => {
    // Catches the staff workbench (or its shared code) bundled into what every resident downloads.
    const staffFiles = readdirSync(path.join(H5_DIR, 'js')).filter((f) => STAFF.test(`/js/${f}`));
    expect(staffFiles.length).toBeGreaterThan(0);

    const page = await newPhone(browser);
    const responses = recordResponses(page);
    await page.goto(`${s.url}/`);
    await page.getByText('欢迎使用县融').first().waitFor();
    await page.waitForLoadState('networkidle');

    expect(responses.filter((r) => STAFF.test(r.path))).toEqual([]);
    const scripts = responses.filter((r) => r.path.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    // Also by content: staff code folded into a shared chunk (Taro's `common`) has no staff name.
    const everyScript = readdirSync(path.join(H5_DIR, 'js')).filter((f) => f.endsWith('.js'));
    expect(new Set(everyScript.flatMap((f) => containsStaffText(readFileSync(path.join(H5_DIR, 'js', f), 'utf8'))))).toEqual(new Set(STAFF_ONLY_TEXT));
    for (const r of scripts) expect({ path: r.path, staffText: containsStaffText(readFileSync(path.join(H5_DIR, r.path), 'utf8')) }).toEqual({ path: r.path, staffText: [] });
    // Catches the server ignoring the precompressed copies (Chromium accepts br).
    for (const r of [...scripts, ...responses.filter((x) => x.path === '/' || x.path.endsWith('.css'))]) expect(r).toEqual({ path: r.path, encoding: 'br' });
    // The loading screen is gone once the app shows.
    expect(await page.locator('#xr-splash').count()).toBe(0);
    // Catches the stylesheets' cascade order broken by loading them late: the page's own rule (a red
    // welcome card) must still win over the global `.card` rule (white).
    expect(await page.locator('.home__welcome').first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(183, 28, 28)');
    await page.context().close();
  });

  it('the loading screen paints from the HTML alone, before any script or stylesheet arrives, and the app replaces it', async () => {
    // Catches a first paint that waits for the app's JavaScript (seconds on a weak line) or for a
    // render-blocking stylesheet (config/h5-chunks.ts makes them non-blocking).
    const page = await newPhone(browser);
    let release: (() => void) | undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Resolved when the first script / stylesheet request is held back (they stay held until release).
    const heldKinds = { js: deferred(), css: deferred() };
    await page.route(/\/(?:js|css)\/[^/]+\.(?:js|css)$/, async (route: Route) => {
      heldKinds[route.request().url().endsWith('.css') ? 'css' : 'js'].resolve();
      await released;
      await route.continue();
    });
    // Not 'domcontentloaded': that waits for the (held) module scripts.
    await page.goto(`${s.url}/`, { waitUntil: 'commit' });
    await Promise.all([heldKinds.js.promise, heldKinds.css.promise]);
    await page.getByText(SPLASH_TEXT).waitFor();
    // Chromium records the first contentful paint while every script and stylesheet is still held back.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length === 1);
    expect(await page.locator('.taro_page').count()).toBe(0);

    release!();
    await page.getByText('欢迎使用县融').first().waitFor();
    await page.locator('#xr-splash').waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('the staff workbench code is fetched when a staff member opens it', async () => {
    // Catches the check above passing only because staff chunks are never requested under that name.
    const page = await newPhone(browser);
    const responses = recordResponses(page);
    await page.goto(`${s.url}/#/pages/login/index`);
    await page.locator('input[placeholder="请输入用户名"]').fill('dongcheng');
    await page.locator('input[placeholder="请输入密码"]').fill('xianrong123');
    await page.getByText('工作人员登录', { exact: true }).last().click();
    await page.getByText('您好', { exact: false }).first().waitFor();
    expect(responses.filter((r) => STAFF.test(r.path))).toEqual([]);

    await page.getByText('我的', { exact: true }).last().click();
    await page.getByText('工作台', { exact: true }).first().click();
    await page.getByText('群聊绑定', { exact: true }).first().waitFor();
    expect(responses.some((r) => /^\/js\/staff-workbench\.[0-9a-f]+\.js$/.test(r.path))).toBe(true);
    await page.context().close();
  });
});

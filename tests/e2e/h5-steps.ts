/**
 * Steps the H5 browser tests share: signing in as people do on the login page, scrolling Taro's
 * page container, and keeping a screenshot (for the README only on request). Not a test file.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, H5_DIR, launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEMO_PASSWORD } from '../../common/demo-county';

const DOCS_IMAGES = path.resolve(__dirname, '../../docs/images');

/** Demo staff sign in with their password on the login page and land on 首页. */
export async function staffSignIn(page: Page, baseUrl: string, username: string) {
  await page.goto(`${baseUrl}/#/pages/login/index`);
  await page.locator('input[placeholder="请输入用户名"]').fill(username);
  await page.locator('input[placeholder="请输入密码"]').fill(DEMO_PASSWORD);
  await page.getByText('工作人员登录', { exact: true }).last().click();
  await page.getByText('您好', { exact: false }).first().waitFor();
}

/** Taro scrolls each page inside its own container: back to the top of the page being shown. */
export async function scrollToTop(page: Page) {
  await page.locator('.taro_page_show').last().evaluate((el) => el.scrollTo(0, 0));
}

/**
 * Into the test artifacts as `name`; the README's copy (docs/images/`name`) is refreshed only on
 * request (UPDATE_SCREENSHOTS=1), so a test run leaves the working tree clean.
 */
export async function keepScreenshot(page: Page, name: string) {
  const shot = path.join(ARTIFACTS, name);
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: shot });
  if (process.env.UPDATE_SCREENSHOTS) await fs.copyFile(shot, path.join(DOCS_IMAGES, name));
}

/** Serious or critical WCAG 2.1 A/AA findings of axe-core on the page as shown (tests/e2e/a11y.test.ts audits the older pages). */
export async function seriousA11y(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const found = await page.evaluate(async () => (await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })).violations);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * What a browser suite starts before its tests and stops after them: the server with the demo
 * county serving the H5 build, with a data folder of its own (uploaded photos) named after the
 * suite, and Chromium. Call it at the top of the suite's file; `s` and `browser` are there once
 * the suite's beforeAll has run.
 */
export function h5Suite(name: string): { s: TestServer; browser: Browser } {
  const suite = {} as { s: TestServer; browser: Browser };
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-${name}-e2e-`));
    suite.s = await startTestServer({ config: { h5Dir: H5_DIR, dataDir } });
    suite.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.s?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });
  return suite;
}

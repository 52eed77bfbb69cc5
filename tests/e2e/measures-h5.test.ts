/**
 * 数据统计 and 数据大屏 in the H5 build (real Chromium) on the demo county (about 40 appeals over
 * the past year): the county dispatcher opens the measures page from the workbench and sees the
 * server's figures in the text and charts drawn on their canvases (pixels, not just elements); the
 * dashboard opens by its URL on a big screen, draws its bars on the dark background, and its
 * screenshot is kept (docs/images/dashboard.png with UPDATE_SCREENSHOTS=1).
 */
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { ARTIFACTS, H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';
import { keepScreenshot, staffSignIn } from './h5-steps';
import { periodOf, rateText } from '../../src/packages/staff/components/measures';
import type { Measures } from '../../src/api/types';

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

/**
 * How many pixels of the canvas inside `selector` differ from its background (the chart's own
 * fill, read at the top-left corner): 0 for a canvas nothing was drawn on.
 */
async function drawnPixels(page: Page, selector: string): Promise<number> {
  const canvas = page.locator(`${selector} canvas`).last();
  await canvas.waitFor({ state: 'attached' });
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const ctx = el.getContext('2d');
    if (!ctx || el.width === 0 || el.height === 0) return 0;
    const { data } = ctx.getImageData(0, 0, el.width, el.height);
    const [r, g, b, a] = [data[0], data[1], data[2], data[3]];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== r || data[i + 1] !== g || data[i + 2] !== b || data[i + 3] !== a) n++;
    return n;
  });
}

/** Waits until the chart has been drawn (uCharts draws a moment after the canvas appears). */
async function waitForDrawing(page: Page, selector: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < 50 && n < 2000; i++) {
    n = await drawnPixels(page, selector);
    if (n < 2000) await page.waitForTimeout(100);
  }
  return n;
}

it('the dispatcher sees the seeded figures and drawn charts on 数据统计', async () => {
  const page = await newPhone(browser);
  await staffSignIn(page, s.url, 'dispatcher');
  await page.getByText('我的', { exact: true }).last().click();
  await page.getByText('工作台', { exact: true }).last().click();
  await page.getByText('数据统计', { exact: true }).last().click();
  await page.getByText('三率与按期办结率', { exact: true }).last().waitFor();

  // 近12周: the demo county has appeals in it, so the rates are figures, not dashes.
  await page.getByText('近12周', { exact: true }).last().click();
  const period = periodOf('weeks12', Date.now());
  await page.getByText(`统计周期：${period.label}`, { exact: true }).last().waitFor();
  const token = await s.staffToken('dispatcher');
  const figures = (await s.api<Measures>('GET', `/api/v1/measures?from=${period.current.from}&to=${period.current.to}`, { token })).body;
  expect(figures.counts.received).toBeGreaterThan(0);
  await page.getByText(`收到 ${figures.counts.received} 件`, { exact: true }).last().waitFor();
  const tiles = await page.locator('.taro_page_show .measures__rate-value').allTextContents();
  expect(tiles).toEqual([figures.rates.response, figures.rates.resolution, figures.rates.satisfaction, figures.rates.onTime].map(rateText));
  expect(tiles.some((t) => t !== '—')).toBe(true);

  // Catches: a canvas that is on the page but never drawn (no 2d node found, zero size, a library that
  // needs WeChat's old canvas API).
  expect(await waitForDrawing(page, '.taro_page_show #measures-trend')).toBeGreaterThan(2000);
  expect(await waitForDrawing(page, '.taro_page_show #measures-category')).toBeGreaterThan(2000);
  // The township ranking, from the same server.
  await page.locator('.taro_page_show .ranking__row').first().waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'measures.png') });
  await page.context().close();
}, 120_000);

it('the county dashboard opens by its URL on a big screen and draws its charts', async () => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await staffSignIn(page, s.url, 'dispatcher');
  await page.goto(`${s.url}/#/packages/staff/pages/dashboard/index`);
  await page.getByText('今日新增诉求', { exact: true }).last().waitFor();
  await page.getByText(/^更新于 \d\d:\d\d$/).last().waitFor();
  const token = await s.staffToken('dispatcher');
  const board = (await s.api('GET', '/api/v1/measures/dashboard', { token })).body;
  const big = await page.locator('.taro_page_show .dashboard__tile .dashboard__big').first().textContent();
  expect(big).toBe(String(board.today.received));
  expect(await waitForDrawing(page, '.taro_page_show #dashboard-township')).toBeGreaterThan(2000);
  expect(await waitForDrawing(page, '.taro_page_show #dashboard-category')).toBeGreaterThan(2000);
  await keepScreenshot(page, 'dashboard.png');
  await context.close();
}, 120_000);

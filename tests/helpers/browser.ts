/**
 * Real Chromium for the browser tests (Debian's package, driven by playwright-core), and the H5
 * build they open. `npm test` builds dist/h5 before jest runs.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const H5_DIR = path.resolve(__dirname, '../../dist/h5');
export const ARTIFACTS = path.resolve(__dirname, '../artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(path.join(H5_DIR, 'index.html'))) throw new Error('dist/h5 is missing: run `npx tsx scripts/build-app.ts h5` (npm test does it first)');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the networking flags Chromium keeps trying to reach Google's hosts, which this
    // offline machine refuses many times a second. playwright gives each launch a fresh profile.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page the size of an ordinary phone, in Chinese. */
export async function newPhone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

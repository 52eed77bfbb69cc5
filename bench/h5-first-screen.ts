/**
 * The H5 first screen over Chrome's "Regular 3G" profile, in real Chromium (Debian's package, driven
 * by playwright-core), against the real server as the tests start it (its own embedded FerretDB,
 * demo county seeded, server on port 0), beside a baseline in the same run: the same dist/h5 served
 * by a plain `express.static` (no compression, `max-age` 1 h for every file, index.html included),
 * which is how the server served it before.
 *
 * Per cold visit (fresh browser context, HTTP cache disabled): first contentful paint (the loading
 * screen in index.html, when the build has it), "first story" (the county feed's first title is
 * on screen: in the page the server sent, or once the app has fetched and drawn the feed), "app shown" (the real home page's text is on screen
 * and the loading screen gone), DOMContentLoaded, load, bytes transferred (encoded, as on
 * the wire) and request count. Then a repeat visit in the same context with the cache on: bytes and
 * requests that went to the network. Also checks that the first load fetched no staff chunk.
 *
 *   npx tsx bench/h5-first-screen.ts [runs]     (default 3 cold visits per server, 1..10; 45 s cap per visit)
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { createApp } from '../server/app';
import { H5_DIR, launchBrowser } from '../tests/helpers/browser';
import { startTestServer, type TestServer } from '../tests/helpers/server';

const RUNS = Math.min(Math.max(Number(process.argv[2]) || 3, 1), 10);
const VISIT_CAP_MS = 45_000;
/** Chrome DevTools' "Regular 3G" preset (the figures the issue quotes): 100 ms, 750/250 kbit/s. */
const REGULAR_3G = { offline: false, latency: 100, downloadThroughput: (750 * 1024) / 8, uploadThroughput: (250 * 1024) / 8 };
/** Text of the real home page (not of the loading splash in index.html). */
const HOME_TEXT = '欢迎使用县融';
/** Chunk names of the staff subpackage (config/index.ts names them). */
const STAFF_CHUNK = /\/js\/staff-[^/]*\.js$/;

interface Visit {
  fcp: number;
  /** The first story's title readable: in the page the server sent, or once the app has drawn the feed. */
  story: number;
  appShown: number;
  dcl: number;
  load: number;
  bytes: number;
  requests: number;
  urls: string[];
  repeatBytes: number;
  repeatRequests: number;
}

/** Counts what goes over the wire: requests not served from the browser's cache, encoded bytes. */
function netCounter(cdp: CDPSession) {
  const urls = new Map<string, string>();
  const fromCache = new Set<string>();
  const finished = new Set<string>();
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.requestServedFromCache', (e) => fromCache.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker) fromCache.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    finished.add(e.requestId);
    if (!fromCache.has(e.requestId)) bytes += e.encodedDataLength;
  });
  cdp.on('Network.loadingFailed', (e) => finished.add(e.requestId));
  return {
    reset() {
      urls.clear();
      fromCache.clear();
      finished.clear();
      bytes = 0;
    },
    pending: () => [...urls].filter(([id]) => !finished.has(id)).map(([, url]) => url),
    read() {
      const net = [...urls].filter(([id, url]) => !fromCache.has(id) && !url.startsWith('data:')).map(([, url]) => url);
      return { bytes, requests: net.length, urls: net };
    },
  };
}

async function waitForApp(page: Page): Promise<number> {
  // Resolves on the first animation frame where the real home page's text is in the document and
  // the loading screen (src/index.html) no longer covers it.
  const handle = await page.waitForFunction((text) => (document.body?.innerText.includes(text) && !document.getElementById('xr-splash') ? performance.now() : 0), HOME_TEXT, { polling: 'raf', timeout: VISIT_CAP_MS });
  return (await handle.jsonValue()) as number;
}

async function waitForStory(page: Page, title: string): Promise<number> {
  const handle = await page.waitForFunction((t) => (document.body?.innerText.includes(t) ? performance.now() : 0), title, { polling: 'raf', timeout: VISIT_CAP_MS });
  return (await handle.jsonValue()) as number;
}

async function pageTimings(page: Page): Promise<{ fcp: number; dcl: number; load: number }> {
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0 && (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd, undefined, { timeout: VISIT_CAP_MS });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
  });
}

/** Waits until the network is quiet; on a busy machine says what is still loading instead of failing. */
async function settle(page: Page, net: { pending(): string[] }): Promise<void> {
  try {
    await page.waitForLoadState('networkidle', { timeout: 15_000 });
  } catch {
    console.warn(`  (network not idle after 15 s; still loading: ${net.pending().join(', ') || 'nothing the page asked for'})`);
  }
}

async function visit(browser: Browser, url: string, storyTitle: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(VISIT_CAP_MS);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', REGULAR_3G);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const net = netCounter(cdp);

    await page.goto(url, { waitUntil: 'commit', timeout: VISIT_CAP_MS });
    const story = await waitForStory(page, storyTitle);
    await page.waitForLoadState('load', { timeout: VISIT_CAP_MS });
    const appShown = await waitForApp(page);
    const t = await pageTimings(page);
    // Let late requests (page chunk, images) finish before reading the counters.
    await settle(page, net);
    const first = net.read();

    // Repeat visit, cache on: what a returning resident downloads.
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await page.goto('about:blank');
    net.reset();
    await page.goto(url, { waitUntil: 'load', timeout: VISIT_CAP_MS });
    await waitForApp(page);
    await settle(page, net);
    const again = net.read();
    return { ...t, story, appShown, ...first, repeatBytes: again.bytes, repeatRequests: again.requests };
  } finally {
    await context.close();
  }
}

/** The baseline: dist/h5 behind a plain express.static, then the same API app (no H5 of its own). */
async function startBaseline(s: TestServer, emptyH5: string): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(express.static(H5_DIR, { index: 'index.html', maxAge: '1h' }));
  app.use(createApp({ ...s.ctx, config: { ...s.ctx.config, h5Dir: emptyH5 } }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${Math.round(n)} ms`;

function row(name: string, vs: Visit[]): string {
  const m = (k: keyof Omit<Visit, 'urls'>) => median(vs.map((v) => v[k]));
  return [
    name.padEnd(34),
    ms(m('fcp')).padStart(8),
    ms(m('story')).padStart(11),
    ms(m('appShown')).padStart(9),
    ms(m('dcl')).padStart(8),
    ms(m('load')).padStart(8),
    kib(m('bytes')).padStart(11),
    String(m('requests')).padStart(5),
    kib(m('repeatBytes')).padStart(11),
    String(m('repeatRequests')).padStart(5),
  ].join(' ');
}

async function main() {
  if (!existsSync(path.join(H5_DIR, 'index.html'))) throw new Error('dist/h5 is missing: run `npx tsx scripts/build-app.ts h5`');
  const staffFiles = readdirSync(path.join(H5_DIR, 'js')).filter((f) => STAFF_CHUNK.test(`/js/${f}`));
  const emptyH5 = mkdtempSync(path.join(os.tmpdir(), 'xianrong-no-h5-'));
  const started = Date.now();
  const s = await startTestServer({ config: { h5Dir: H5_DIR } });
  let baseline: { url: string; server: Server } | undefined;
  let browser: Browser | undefined;
  const results: Record<'project' | 'baseline', Visit[]> = { project: [], baseline: [] };
  try {
    baseline = await startBaseline(s, emptyH5);
    // The first story of the county feed: what a reader came for.
    const storyTitle = (await s.api<{ items: { title: string }[] }>('GET', '/api/v1/news/feed?limit=1')).body.items[0]!.title;
    browser = await launchBrowser();
    console.log(`Regular 3G (latency ${REGULAR_3G.latency} ms, down 750 kbit/s, up 250 kbit/s), cache disabled; ${RUNS} cold visit(s) per server, in turns; medians.`);
    for (let i = 0; i < RUNS; i++) {
      // In turns, so both servers see the same machine load.
      results.baseline.push(await visit(browser, `${baseline.url}/`, storyTitle));
      results.project.push(await visit(browser, `${s.url}/`, storyTitle));
    }
  } finally {
    await browser?.close();
    await new Promise((resolve) => (baseline ? baseline.server.close(resolve) : resolve(undefined)));
    await s.stop();
    rmSync(emptyH5, { recursive: true, force: true });
  }

  console.log(`${'server'.padEnd(34)} ${'FCP'.padStart(8)} ${'first story'.padStart(11)} ${'app shown'.padStart(9)} ${'DCL'.padStart(8)} ${'load'.padStart(8)} ${'bytes'.padStart(11)} ${'reqs'.padStart(5)} ${'repeat bytes'.padStart(11)} ${'reqs'.padStart(5)}`);
  console.log(row('plain express.static (baseline)', results.baseline));
  console.log(row('project server', results.project));
  for (const [name, vs] of Object.entries(results)) console.log(`  ${name} runs, FCP / first story / app shown: ${vs.map((v) => `${ms(v.fcp)} / ${ms(v.story)} / ${ms(v.appShown)}`).join(', ')}`);
  const first = results.project[0];
  console.log(`\nproject first load, ${first.requests} requests:`);
  for (const u of first.urls) console.log(`  ${new URL(u).pathname}`);
  const staffLoaded = results.project.flatMap((v) => v.urls).filter((u) => STAFF_CHUNK.test(new URL(u).pathname));
  console.log(`staff chunks in dist/h5: ${staffFiles.length} (${staffFiles.join(', ') || 'none named staff-*'}); fetched by the first load: ${staffLoaded.length}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (staffLoaded.length) {
    console.error(`the first load fetched staff code: ${staffLoaded.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});

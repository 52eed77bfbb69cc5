/**
 * The first stories inside the H5 page (server/news/first-screen.ts through core/h5-static.ts):
 * index.html arrives with the county feed's first stories in its loading screen, so a reader on a
 * weak line reads them before the app's scripts arrive. The page is still revalidated on every load,
 * and its ETag follows the stories.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { FIRST_SCREEN_MARKER } from '../../server/core/h5-static';
import { FIRST_SCREEN_STORIES } from '../../server/news/first-screen';
import { startTestServer, type TestServer } from '../helpers/server';
import { publishArticle } from '../helpers/news';

let s: TestServer;
let tmp: string;
const INDEX = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>县融</title></head><body><div id="xr-splash">${FIRST_SCREEN_MARKER}<p>正在加载，请稍候…</p></div><div id="app"></div></body></html>`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'xianrong-first-screen-'));
  const h5 = path.join(tmp, 'h5');
  mkdirSync(h5, { recursive: true });
  writeFileSync(path.join(h5, 'index.html'), INDEX);
  s = await startTestServer({ config: { h5Dir: h5 } });
}, 120_000);

afterAll(async () => {
  await s?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(urlPath: string, headers: Record<string, string> = {}): Promise<Raw> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const feedTitles = async (n: number) => (await s.api<{ items: { id: string; title: string }[] }>('GET', `/api/v1/news/feed?limit=${n}`)).body.items;

// Catches: a page without the stories (the marker left in, or the hook not wired), or stories in
// another order than the feed's (the reader would see a different first story than the app's).
it('sends the county feed’s first stories inside the loading screen, in the feed’s order, each linking to its article', async () => {
  const res = await get('/');
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('no-cache');
  const html = res.body.toString('utf8');
  expect(html).not.toContain(FIRST_SCREEN_MARKER);
  const items = await feedTitles(FIRST_SCREEN_STORIES);
  expect(items.length).toBe(FIRST_SCREEN_STORIES);
  const positions = items.map((a) => html.indexOf(`href="#/pages/article/index?id=${a.id}"`));
  expect(positions.every((p) => p > 0)).toBe(true);
  expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  // Inside the loading screen, before its "loading" line.
  expect(html.indexOf('xr-stories')).toBeGreaterThan(html.indexOf('xr-splash'));
  expect(html.indexOf('xr-stories')).toBeLessThan(html.indexOf('正在加载'));
});

// Catches helmet's default Cross-Origin-Opener-Policy coming back on the page: Chromium then
// starts each fresh visit in a new renderer process, and the first story painted at 0.5 s instead
// of 0.26 s on Regular 3G (bench/h5-first-screen.ts). The headers that keep the page from being
// framed or its resources from being read cross-origin stay.
it('is sent without an opener policy, with the framing and resource policies', async () => {
  const res = await get('/');
  expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
  expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
});

// Catches: a compressed copy of the plain file (without stories), or a body that does not decode.
it('is compressed as the browser allows, each coding with its own ETag and the same page', async () => {
  const plain = await get('/', { 'accept-encoding': 'identity' });
  const br = await get('/', { 'accept-encoding': 'gzip, br' });
  const gz = await get('/', { 'accept-encoding': 'gzip' });
  expect(br.headers['content-encoding']).toBe('br');
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
  expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
  expect(new Set([plain.headers.etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
  expect(br.headers.vary).toContain('Accept-Encoding');
});

// Catches: a 304 for a page whose stories changed (the reader keeps yesterday's news), or an HTML
// markup injection through an article's title.
it('answers 304 while the stories are the same, and the new page once an article is published; titles are escaped', async () => {
  const first = await get('/');
  const etag = String(first.headers.etag);
  expect((await get('/', { 'if-none-match': etag })).status).toBe(304);

  const title = '新闻<img src=x onerror=alert(1)>&标题';
  await publishArticle(s, { columnCode: 'local', title, pinned: true });
  const after = await get('/', { 'if-none-match': etag });
  expect(after.status).toBe(200);
  expect(after.headers.etag).not.toBe(etag);
  const html = after.body.toString('utf8');
  expect(html).toContain('新闻&lt;img src=x onerror=alert(1)&gt;&amp;标题');
  expect(html).not.toContain('<img src=x');
});

// Catches: the page failing (500 or a hang) while the database is away: the app must still load and
// show its own offline state.
it('is the page without stories while the database is away', async () => {
  await s.stopDatabase();
  const res = await get('/');
  expect(res.status).toBe(200);
  const html = res.body.toString('utf8');
  expect(html).toContain('正在加载');
  expect(html).not.toContain('xr-stories');
});

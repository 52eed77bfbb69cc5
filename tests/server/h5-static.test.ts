/**
 * The H5 static files (server/core/h5-static.ts) as the real server serves them: precompressed
 * copies chosen by Accept-Encoding, cache headers per kind of file, revalidation, and nothing served
 * from outside the build folder. The build folder is a small fixture made here in a temp dir and
 * precompressed by the build script's own function (scripts/build-app.ts).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { precompressDir } from '../../scripts/build-app';
import { CACHE_HASHED, CACHE_HTML, CACHE_OTHER, acceptedCodings } from '../../server/core/h5-static';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let tmp: string;
let h5: string;
const INDEX = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>县融</title></head><body>${'<p>正在加载，请稍候…</p>'.repeat(40)}</body></html>`;
const APP_JS = `console.log(${JSON.stringify('县融'.repeat(500))});`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'xianrong-h5-static-'));
  h5 = path.join(tmp, 'h5');
  mkdirSync(path.join(h5, 'js'), { recursive: true });
  mkdirSync(path.join(h5, 'static/images'), { recursive: true });
  writeFileSync(path.join(h5, 'index.html'), INDEX);
  writeFileSync(path.join(h5, 'js/app.38b9fb7e.js'), APP_JS);
  writeFileSync(path.join(h5, 'js/plain.js'), 'x');
  writeFileSync(path.join(h5, 'static/images/home.png'), PNG);
  writeFileSync(path.join(h5, '.build-hash'), 'secret-ish\n');
  // Beside the build folder: must never be reachable.
  writeFileSync(path.join(tmp, 'outside.txt'), 'outside the build folder');
  await precompressDir(h5);
  s = await startTestServer({ seed: false, config: { h5Dir: h5 } });
}, 60_000);

afterAll(async () => {
  await s?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request: no automatic decompression, the path sent exactly as written. */
function raw(urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('precompression at build (scripts/build-app.ts)', () => {
  it('writes .br and .gz beside text files only, and they decompress to the same bytes', () => {
    // Catches a corrupt or truncated copy, or a copy of a file that is not text.
    expect(zlib.brotliDecompressSync(readFileSync(path.join(h5, 'index.html.br'))).toString()).toBe(INDEX);
    expect(zlib.gunzipSync(readFileSync(path.join(h5, 'js/app.38b9fb7e.js.gz'))).toString()).toBe(APP_JS);
    expect(existsSync(path.join(h5, 'static/images/home.png.br'))).toBe(false);
    // A one-byte file does not get a copy bigger than itself.
    expect(existsSync(path.join(h5, 'js/plain.js.br'))).toBe(false);
  });

  it('refreshes copies older than their file and removes copies whose file is gone', async () => {
    // Catches a rebuild that keeps serving the previous release's compressed bytes, or orphans piling up.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xianrong-precompress-'));
    try {
      const file = path.join(dir, 'a.js');
      writeFileSync(file, 'var a = "first";'.repeat(20));
      await precompressDir(dir);
      writeFileSync(file, 'var a = "second";'.repeat(20));
      const later = new Date(statSync(file + '.br').mtimeMs + 5000);
      utimesSync(file, later, later);
      writeFileSync(path.join(dir, 'gone.js.br'), 'orphan');
      await precompressDir(dir);
      expect(zlib.brotliDecompressSync(readFileSync(file + '.br')).toString()).toBe('var a = "second";'.repeat(20));
      expect(zlib.gunzipSync(readFileSync(file + '.gz')).toString()).toBe('var a = "second";'.repeat(20));
      expect(existsSync(path.join(dir, 'gone.js.br'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Accept-Encoding', () => {
  it('parses q-values and prefers br to gzip whatever the order', () => {
    // Catches taking the header's first coding (gzip) when br is also allowed, or ignoring q=0.
    expect(acceptedCodings('gzip, deflate, br')).toEqual(['br', 'gzip']);
    expect(acceptedCodings('br;q=0, gzip;q=0.5')).toEqual(['gzip']);
    expect(acceptedCodings('identity')).toEqual([]);
    expect(acceptedCodings('*')).toEqual(['br', 'gzip']);
    expect(acceptedCodings('*, br;q=0')).toEqual(['gzip']);
    expect(acceptedCodings(undefined)).toEqual([]);
  });

  it('sends brotli when allowed, with the right headers and the same bytes once decoded', async () => {
    // Catches a wrong Content-Type (the .br file's), a Content-Length of the uncompressed file, or a missing Vary.
    const res = await raw('/js/app.38b9fb7e.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript; charset=utf-8$/);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(Buffer.byteLength(APP_JS));
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zlib.brotliDecompressSync(res.body).toString()).toBe(APP_JS);
  });

  it('sends gzip when br is not allowed, and the file itself when neither is', async () => {
    // Catches sending br to a browser that cannot decode it, or compressed bytes without Content-Encoding.
    const gz = await raw('/', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(INDEX);

    const plain = await raw('/', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(INDEX);
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(INDEX));
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    // The two representations have different ETags (a cache must not swap them).
    expect(plain.headers.etag).not.toBe(gz.headers.etag);
  });

  it('serves a file without copies as it is', async () => {
    // Catches Content-Encoding claimed for a file that has no compressed copy.
    const png = await raw('/static/images/home.png', { 'accept-encoding': 'br, gzip' });
    expect(png.status).toBe(200);
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.equals(PNG)).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    // Catches HEAD streaming the file, or a Content-Length that differs from GET's.
    const head = await raw('/js/app.38b9fb7e.js', { 'accept-encoding': 'br' }, 'HEAD');
    const get = await raw('/js/app.38b9fb7e.js', { 'accept-encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
  });
});

describe('caching', () => {
  it('index.html is revalidated every time and answers 304 when unchanged', async () => {
    // Catches index.html cached for an hour (a new release would reach residents late) or no 304 support.
    const first = await raw('/', { 'accept-encoding': 'br' });
    expect(first.headers['cache-control']).toBe(CACHE_HTML);
    expect(first.headers.etag).toBeTruthy();
    const again = await raw('/', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const named = await raw('/index.html', { 'accept-encoding': 'br' });
    expect(named.headers['cache-control']).toBe(CACHE_HTML);
    expect(named.headers.etag).toBe(first.headers.etag);
  });

  it('a changed index.html is sent again in full', async () => {
    // Catches an ETag that does not follow the file's content (a stale page after a release).
    const before = await raw('/', { 'accept-encoding': 'identity' });
    const file = path.join(h5, 'index.html');
    writeFileSync(file, INDEX.replace('县融', '县融 新版'));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    try {
      const after = await raw('/', { 'accept-encoding': 'identity', 'if-none-match': String(before.headers.etag) });
      expect(after.status).toBe(200);
      // The compressed copies are now older than the file, so they are not used.
      expect(after.body.toString()).toContain('县融 新版');
      const br = await raw('/', { 'accept-encoding': 'br' });
      expect(br.headers['content-encoding']).toBeUndefined();
      expect(br.body.toString()).toContain('县融 新版');
    } finally {
      writeFileSync(file, INDEX);
      await precompressDir(h5);
    }
  });

  it('sends exactly Content-Length bytes when the file grows while it is sent', async () => {
    // Catches: a read stream that runs to the file's new end. A release rewriting a file during a
    // send added bytes past Content-Length, which a kept-alive client then read as the start of its
    // next response ("Parse Error: Expected HTTP/"). 8 MB so the send outlasts the socket buffers;
    // the client pauses after the first chunk and the file grows before it reads on.
    const file = path.join(h5, 'big.txt');
    writeFileSync(file, Buffer.alloc(8 * 1024 * 1024, 'a'));
    try {
      const { port } = new URL(s.url);
      // A raw socket, so every byte the server sends is counted (an HTTP client stops at
      // Content-Length and drops the rest).
      const got = await new Promise<{ length: number; declared: number }>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /big.txt HTTP/1.1\r\nHost: test\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n'));
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => {
          if (chunks.length === 0) {
            socket.pause();
            appendFileSync(file, 'b'.repeat(4096));
            socket.resume();
          }
          chunks.push(c);
        });
        socket.on('end', () => {
          const all = Buffer.concat(chunks);
          const headerEnd = all.indexOf('\r\n\r\n');
          const declared = Number(/content-length: (\d+)/i.exec(all.subarray(0, headerEnd).toString())?.[1]);
          resolve({ length: all.length - headerEnd - 4, declared });
        });
        socket.on('error', reject);
      });
      expect(got).toEqual({ length: 8 * 1024 * 1024, declared: 8 * 1024 * 1024 });
      // The connection is not left with stray bytes: the next request parses.
      expect((await raw('/js/plain.js')).status).toBe(200);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('hashed assets are cached for a year, other files briefly', async () => {
    // Catches a year-long cache on a file whose name does not change when its content does.
    expect((await raw('/js/app.38b9fb7e.js')).headers['cache-control']).toBe(CACHE_HASHED);
    expect((await raw('/js/plain.js')).headers['cache-control']).toBe(CACHE_OTHER);
    expect((await raw('/static/images/home.png')).headers['cache-control']).toBe(CACHE_OTHER);
  });

  it('keeps the helmet security headers on static files', async () => {
    // Catches the static handler moved in front of helmet (no CSP on the app's page).
    const res = await raw('/');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self' 'unsafe-inline'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('what is not served', () => {
  it.each(['/../outside.txt', '/%2e%2e/outside.txt', '/js/..%2f..%2foutside.txt', '/js/%2e%2e%5c..%5coutside.txt', '/..%2Foutside.txt'])('%s stays outside', async (p) => {
    // Catches directory traversal out of the build folder.
    const res = await raw(p);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('outside the build folder');
  });

  it('dotfiles are not served', async () => {
    // Catches the build's bookkeeping files (.build-hash) being readable.
    const res = await raw('/.build-hash');
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('secret-ish');
  });

  it('an unknown path falls through to the ordinary 404, and the API still answers', async () => {
    // Catches the static handler swallowing unknown paths or API routes.
    const missing = await raw('/js/nope.12345678.js', { 'accept-encoding': 'br' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-encoding']).toBeUndefined();
    const api = await raw('/api/v1/nope');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body.toString()).error).toBeTruthy();
    const health = await raw('/healthz');
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok' });
  });

  it('other methods than GET and HEAD fall through', async () => {
    // Catches POST / answered with the page.
    const res = await raw('/', {}, 'POST');
    expect(res.status).toBe(404);
  });
});

/**
 * The H5 build of the mini-program (dist/h5), served from the same origin as the API, tuned for a
 * weak mobile line:
 * - text files go out precompressed when the browser accepts it (`x.js.br`, then `x.js.gz`, written
 *   beside each file by scripts/build-app.ts), with `Vary: Accept-Encoding`;
 * - `index.html` is revalidated on every load (`no-cache` + ETag, 304 when unchanged), so a new
 *   release reaches everyone at once;
 * - files whose name carries a content hash (`js/app.38b9fb7e.js`) never change, so browsers keep
 *   them for a year without asking; anything else (tab-bar icons) for a short while.
 * Files are looked up on every request (a rebuild while the server runs is picked up), only inside
 * the build folder, never dotfiles; a path that is no file falls through to the next handler.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';

export const CACHE_HTML = 'no-cache';
export const CACHE_HASHED = 'public, max-age=31536000, immutable';
export const CACHE_OTHER = 'public, max-age=600';

/** `name.<8+ hex>.ext` or `name-<8+ hex>.ext`: the build's content-hashed file names. */
const HASHED_NAME = /[.-][0-9a-f]{8,}\.[a-z0-9]+$/i;

/** Precompressed copies, in order of preference. */
const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;
type Coding = (typeof ENCODINGS)[number]['coding'];

export function cacheControlFor(relPath: string): string {
  if (relPath.endsWith('.html')) return CACHE_HTML;
  return HASHED_NAME.test(path.posix.basename(relPath)) ? CACHE_HASHED : CACHE_OTHER;
}

/**
 * The codings an Accept-Encoding header allows (q > 0), from the ones we have: br before gzip
 * whatever the header's order, as br is smaller. `*` stands for any coding not named.
 */
export function acceptedCodings(header: string | undefined): Coding[] {
  if (!header) return [];
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const star = q.get('*');
  return ENCODINGS.map((e) => e.coding).filter((c) => (q.get(c) ?? (c === 'gzip' ? q.get('x-gzip') : undefined) ?? star ?? 0) > 0);
}

/** Strong ETags from content, computed once per file version (path, size, mtime). */
const etags = new Map<string, { key: string; etag: string }>();
async function etagOf(file: string, stat: Stats): Promise<string> {
  const key = `${stat.size}:${stat.mtimeMs}`;
  const known = etags.get(file);
  if (known?.key === key) return known.etag;
  const digest = createHash('sha256').update(await fs.readFile(file)).digest('base64url').slice(0, 27);
  const etag = `"${digest}"`;
  if (etags.size > 2000) etags.clear();
  etags.set(file, { key, etag });
  return etag;
}

async function statFile(file: string): Promise<Stats | null> {
  try {
    const s = await fs.stat(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** The file a URL path names inside `root`, or null: no traversal, no dotfiles, no NUL. */
function resolveInside(root: string, urlPath: string): { file: string; rel: string } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = path.posix.normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded).replace(/^\/+/, '');
  if (!rel || rel.startsWith('..') || rel.split('/').some((seg) => seg.startsWith('.'))) return null;
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) return null;
  return { file, rel };
}

/** Where index.html takes the first screen's content (src/index.html, inside the loading screen). */
export const FIRST_SCREEN_MARKER = '<!--xr-first-screen-->';

/**
 * Content the server puts into index.html at FIRST_SCREEN_MARKER (the first stories, so a reader on
 * a weak line reads them before the scripts arrive), with a tag that changes when it does. Given by
 * the composition root: the platform knows no feature.
 */
export type FirstScreen = (req: Request) => Promise<{ html: string; tag: string }>;

/** index.html with the first screen filled in, compressed, by its ETag (a few versions at most). */
const filled = new Map<string, Buffer>();
/** The page's text by file version, when it has the marker (null: serve the file as it is). */
const templates = new Map<string, { key: string; text: string | null }>();

async function templateOf(file: string, stat: Stats): Promise<string | null> {
  const key = `${stat.size}:${stat.mtimeMs}`;
  const known = templates.get(file);
  if (known?.key === key) return known.text;
  const text = await fs.readFile(file, 'utf8');
  const template = text.includes(FIRST_SCREEN_MARKER) ? text : null;
  templates.set(file, { key, text: template });
  return template;
}

async function serveFilledIndex(file: string, stat: Stats, fill: FirstScreen, req: Request, res: Response): Promise<boolean> {
  const template = await templateOf(file, stat);
  if (template === null) return false;
  let content: { html: string; tag: string };
  try {
    content = await fill(req);
  } catch {
    // The database is away: the page without the stories still works (the app shows its own states).
    return false;
  }
  const coding = acceptedCodings(req.get('accept-encoding'))[0] ?? null;
  const etag = `"${(await etagOf(file, stat)).slice(1, -1)}.${content.tag}${coding ? `-${coding}` : ''}"`;
  res.type('html');
  res.setHeader('Cache-Control', CACHE_HTML);
  res.setHeader('ETag', etag);
  res.vary('Accept-Encoding');
  if (coding) res.setHeader('Content-Encoding', coding);
  if (req.fresh) {
    res.status(304).end();
    return true;
  }
  let body = filled.get(etag);
  if (!body) {
    const html = Buffer.from(template.replace(FIRST_SCREEN_MARKER, content.html));
    body = coding === 'br' ? brotliCompressSync(html, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }) : coding === 'gzip' ? gzipSync(html, { level: 9 }) : html;
    if (filled.size >= 16) filled.clear();
    filled.set(etag, body);
  }
  res.setHeader('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

async function serve(root: string, req: Request, res: Response, fill?: FirstScreen): Promise<boolean> {
  const target = resolveInside(root, req.path);
  if (!target) return false;
  const stat = await statFile(target.file);
  if (!stat) return false;
  if (fill && target.rel === 'index.html' && (await serveFilledIndex(target.file, stat, fill, req, res))) return true;

  // A precompressed copy counts only when it is at least as new as the file itself.
  let sendFile = target.file;
  let sendStat = stat;
  let coding: Coding | null = null;
  let hasCopies = false;
  const accepted = acceptedCodings(req.get('accept-encoding'));
  for (const e of ENCODINGS) {
    const copy = await statFile(target.file + e.suffix);
    if (!copy || copy.mtimeMs < stat.mtimeMs) continue;
    hasCopies = true;
    if (!coding && accepted.includes(e.coding)) {
      coding = e.coding;
      sendFile = target.file + e.suffix;
      sendStat = copy;
    }
  }

  res.type(path.extname(target.file));
  res.setHeader('Cache-Control', cacheControlFor(target.rel));
  res.setHeader('Last-Modified', stat.mtime.toUTCString());
  // Each encoding is its own representation, with its own ETag.
  const etag = await etagOf(target.file, stat);
  res.setHeader('ETag', coding ? `${etag.slice(0, -1)}-${coding}"` : etag);
  if (hasCopies) res.vary('Accept-Encoding');
  if (coding) res.setHeader('Content-Encoding', coding);

  if (req.fresh) {
    res.status(304).end();
    return true;
  }
  res.setHeader('Content-Length', String(sendStat.size));
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await new Promise<void>((resolve, reject) => {
    // Exactly the bytes the Content-Length announced: a file rewritten while it is sent (a release)
    // must not add bytes past it, which the client would read as the start of its next response
    // on a kept-alive connection.
    if (sendStat.size === 0) {
      res.end();
      resolve();
      return;
    }
    const stream = createReadStream(sendFile, { start: 0, end: sendStat.size - 1 });
    stream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy(err);
        resolve();
      } else reject(err);
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
  return true;
}

/** The H5 app from `h5Dir`, or a plain-text pointer at `/` when it is not built; `fill` puts the first screen into index.html. */
export function h5Static(h5Dir: string, fill?: FirstScreen): Router {
  const root = path.resolve(h5Dir);
  const router = Router();
  if (!existsSync(path.join(root, 'index.html'))) {
    router.get('/', (_req, res) => {
      res.type('text/plain; charset=utf-8').send(`The H5 app is not built (${h5Dir}). Run: npm run build:h5 (npm start builds it).\nAPI: /api/v1, docs: /api/docs\n`);
    });
    return router;
  }
  router.use(async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!(await serve(root, req, res, fill))) next();
  });
  return router;
}

import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { photoService } from '../../server/photos/service';
import { photoStorage } from '../../server/photos/storage';
import { MAX_PHOTO_BYTES } from '../../server/photos/limits';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoIds, fileAppeal, jpeg, move, type DemoIds } from '../helpers/appeals';
import { createDraft, newsStaff, publishArticle } from '../helpers/news';

let s: TestServer;
let dataDir: string;
let resident: string;
let resident2: string;
let staff: string;
let bot: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-photos-'));
  s = await startTestServer({ config: { dataDir } });
  resident = await s.residentToken('demo-resident-01');
  resident2 = await s.residentToken('demo-resident-02');
  staff = await s.staffToken('dispatcher');
  bot = s.ctx.config.botToken;
});
afterAll(async () => {
  await s?.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const photosDir = () => path.join(dataDir, 'photos');

interface UploadOpts {
  token?: string | null;
  path?: string;
  name?: string;
  type?: string;
  field?: string;
  more?: (fd: FormData) => void;
}
/** Uploads like wx.uploadFile: multipart/form-data with one file field. */
async function upload(bytes: Buffer, o: UploadOpts = {}) {
  const fd = new FormData();
  fd.append(o.field ?? 'file', new Blob([new Uint8Array(bytes)], { type: o.type ?? 'image/jpeg' }), o.name ?? 'photo.jpg');
  o.more?.(fd);
  const token = o.token === undefined ? resident : o.token;
  const res = await fetch(s.url + (o.path ?? '/api/v1/photos'), { method: 'POST', body: fd, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function get(url: string, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + url, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Polls a condition until it holds, failing after a deadline (no fixed sleeps). */
async function waitFor(cond: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every file under the photo folder, relative paths. */
async function storedFiles(): Promise<string[]> {
  try {
    return (await fs.readdir(photosDir(), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(photosDir(), path.join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

/** Whether an EXIF block's first directory points at a GPS directory (tag 0x8825). */
function exifHasGps(exif: Buffer): boolean {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') >= 0 ? exif.indexOf('Exif\0\0') + 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  for (let i = 0; i < u16(ifd0); i++) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  return false;
}

/** A 400x200 JPEG whose EXIF says "rotate 90°" and carries GPS and a copyright mark, like a phone photo. */
async function phonePhoto(seed = 0): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 200, g: 50 + seed, b: 50 } } })
    .withExif({
      IFD0: { Copyright: 'xr-evidence' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 10/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}
const plain = (format: 'png' | 'webp' | 'gif', seed: number) =>
  sharp({ create: { width: 64, height: 48, channels: 4, background: { r: seed, g: 120, b: 200, alpha: 0.5 } } })
    .toFormat(format)
    .toBuffer();

describe('POST /api/v1/photos', () => {
  it('stores a phone JPEG: 201, id = SHA-256, display copy and thumbnail upright without EXIF/GPS, original untouched for its uploader', async () => {
    // Catches: GPS and EXIF leaking into what everyone sees; sideways photos; the original not kept as evidence.
    const bytes = await phonePhoto();
    expect(exifHasGps((await sharp(bytes).metadata()).exif!)).toBe(true);
    const res = await upload(bytes);
    expect(res.status).toBe(201);
    const id = sha256(bytes);
    expect(res.body).toEqual({ id, url: `/api/v1/photos/${id}`, thumbUrl: `/api/v1/photos/${id}/thumb`, width: 200, height: 400, bytes: bytes.length });

    const display = await get(res.body.url);
    expect(display.status).toBe(200);
    expect(display.headers.get('content-type')).toBe('image/jpeg');
    const dm = await sharp(display.bytes).metadata();
    expect(dm).toMatchObject({ format: 'jpeg', width: 200, height: 400 });
    expect(dm.exif).toBeUndefined();
    expect(dm.orientation).toBeUndefined();

    const thumb = await get(res.body.thumbUrl);
    expect(thumb.status).toBe(200);
    const tm = await sharp(thumb.bytes).metadata();
    expect(tm).toMatchObject({ format: 'jpeg', width: 160, height: 320 });
    expect(tm.exif).toBeUndefined();

    const original = await get(`${res.body.url}/original`, resident);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(original.headers.get('cache-control')).toBe('private, no-store');
    expect(original.bytes.equals(bytes)).toBe(true);
    expect(exifHasGps((await sharp(original.bytes).metadata()).exif!)).toBe(true);
  });

  it('accepts PNG and WebP, showing them as JPEG copies; the original keeps its type', async () => {
    // Catches: refusing the two other allowed types, or serving a PNG original as image/jpeg.
    for (const [format, mime] of [['png', 'image/png'], ['webp', 'image/webp']] as const) {
      const bytes = await plain(format, 1);
      const res = await upload(bytes, { name: `x.${format}`, type: mime });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: sha256(bytes), width: 64, height: 48 });
      expect((await sharp((await get(res.body.url)).bytes).metadata()).format).toBe('jpeg');
      const original = await get(`${res.body.url}/original`, resident);
      expect(original.headers.get('content-type')).toBe(mime);
      expect(original.bytes.equals(bytes)).toBe(true);
    }
  });

  it('recognises a JPEG by its content even when named x.png and sent as image/png', async () => {
    // Catches: trusting the file name or the client's content type.
    const bytes = await phonePhoto(1);
    const res = await upload(bytes, { name: 'x.png', type: 'image/png' });
    expect(res.status).toBe(201);
    expect((await get(`${res.body.url}/original`, resident)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses a GIF, a text file named x.jpg and a corrupt JPEG with 415, leaving nothing under final names', async () => {
    // Catches: accepting types by name, storing files for a refused upload, or leaking temp files.
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]);
    const cases: [Buffer, string, string][] = [
      [await plain('gif', 2), 'x.gif', 'image/gif'],
      [Buffer.from('这不是图片，只是一段文字。'.repeat(20)), 'x.jpg', 'image/jpeg'],
      [corrupt, 'x.jpg', 'image/jpeg'],
    ];
    for (const [bytes, name, type] of cases) {
      const before = await storedFiles();
      const res = await upload(bytes, { name, type });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.error.message).toContain('仅支持 JPG、PNG、WebP 图片');
      expect(await storedFiles()).toEqual(before);
      expect((await storedFiles()).filter((f) => f.startsWith('tmp'))).toEqual([]);
      expect(await s.models.Photo.exists({ _id: sha256(bytes) })).toBeNull();
    }
  });

  it('refuses a file over 5 MB with 413 naming 5MB, both when the length is declared and when it streams past the limit', async () => {
    // Catches: no size limit, a limit that only trusts Content-Length, or a half file left behind.
    const before = await storedFiles();
    const justOver = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(MAX_PHOTO_BYTES - 3)]);
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20 * 1024 * 1024)]);
    for (const bytes of [justOver, huge]) {
      const res = await upload(bytes);
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(res.body.error.message).toContain('5MB');
    }
    expect(await storedFiles()).toEqual(before);
  });

  it('answers a 40 MB upload with 413 without reading the whole body first', async () => {
    // Catches: a server that reads (or buffers) a whole oversized body before refusing it.
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40 * 1024 * 1024)]);
    let socketRead: Promise<number> | null = null;
    const watch = (req: IncomingMessage) => {
      if (req.url === '/api/v1/photos') socketRead = new Promise((resolve) => req.socket.once('close', () => resolve(req.socket.bytesRead)));
    };
    s.httpServer.prependListener('request', watch);
    let status: number | string;
    try {
      status = await upload(huge).then((r) => r.status, (err: Error) => `failed: ${err.message}`);
    } finally {
      s.httpServer.off('request', watch);
    }
    expect(status).toBe(413);
    expect(await socketRead!).toBeLessThan(20 * 1024 * 1024);
  });

  it('a client that keeps sending after the 413 can read it, and is cut off after a bounded discard', async () => {
    // Catches: a refusal that resets the connection before the answer is read (the phone shows a
    // network error instead of the 5MB message), or a server that reads a never-ending body.
    // A raw socket: Node's and undici's clients stop sending by themselves once answered.
    const boundary = 'xr-boundary';
    const part = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`;
    const { port } = new URL(s.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (answer += c));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`POST /api/v1/photos HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${resident}\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ntransfer-encoding: chunked\r\n\r\n`);
    const chunk = (b: Buffer | string) => {
      socket.write(`${Buffer.byteLength(b).toString(16)}\r\n`);
      socket.write(b);
      return socket.write('\r\n');
    };
    chunk(part);
    chunk(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    const piece = Buffer.alloc(256 * 1024);
    let sent = 0;
    // Keeps sending 100 MB whatever the server answers.
    while (sent < 100 * 1024 * 1024 && !socket.destroyed && !socket.writableEnded) {
      sent += piece.length;
      if (!chunk(piece)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
    }
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('5MB');
    expect(sent).toBeLessThan(40 * 1024 * 1024);
  });

  it('removes the temp file when the client goes away mid-upload', async () => {
    // Catches: temp files piling up from residents on weak networks whose uploads break off.
    const boundary = 'xr-boundary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`;
    const req = http.request(`${s.url}/api/v1/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${resident}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 1_000_000) },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200_000)]));
    const tmpFiles = async () => (await storedFiles()).filter((f) => f.startsWith('tmp'));
    await waitFor(async () => (await tmpFiles()).length === 1);
    req.destroy();
    await waitFor(async () => (await tmpFiles()).length === 0);
  });

  it('refuses a decompression bomb (a small PNG of 42 megapixels) with 413', async () => {
    // Catches: decoding whatever canvas size a small file declares (memory exhaustion).
    const bomb = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(MAX_PHOTO_BYTES);
    const res = await upload(bomb, { name: 'bomb.png', type: 'image/png' });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('像素');
    expect(await s.models.Photo.exists({ _id: sha256(bomb) })).toBeNull();
  });

  it('answers 400 for no file, two files, another field or a wrong field name, and 415 for a JSON body', async () => {
    // Catches: silently ignoring extra parts (a second photo lost) or a missing file reported as success.
    const bytes = await phonePhoto(2);
    const noFile = new FormData();
    noFile.append('note', 'hello');
    const res0 = await fetch(`${s.url}/api/v1/photos`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${resident}` } });
    expect(res0.status).toBe(400);
    const twoFiles = await upload(bytes, { more: (fd) => fd.append('file', new Blob([new Uint8Array(bytes)]), 'b.jpg') });
    expect(twoFiles.status).toBe(400);
    const extraField = await upload(bytes, { more: (fd) => fd.append('note', 'x') });
    expect(extraField.status).toBe(400);
    const wrongName = await upload(bytes, { field: 'image' });
    expect(wrongName.status).toBe(400);
    const json = await s.api('POST', '/api/v1/photos', { token: resident, body: { file: 'x' } });
    expect(json.status).toBe(415);
    expect(await s.models.Photo.exists({ _id: sha256(bytes) })).toBeNull();
  });

  it('returns one id for 10 parallel uploads of the same bytes, with one record and one set of files', async () => {
    // Catches: duplicate records or a unique-key 500 when a weak network makes the client retry in parallel.
    const bytes = await phonePhoto(3);
    const id = sha256(bytes);
    let active = 0;
    let maxActive = 0;
    // Prepended: Express rewrites req.url while routing, before later listeners run.
    const watch = (req: { url?: string }, res: { on(e: 'finish', f: () => void): void }) => {
      if (req.url !== '/api/v1/photos') return;
      maxActive = Math.max(maxActive, ++active);
      res.on('finish', () => active--);
    };
    s.httpServer.prependListener('request', watch);
    try {
      const results = await Promise.all(Array.from({ length: 10 }, () => upload(bytes)));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([id]));
    } finally {
      s.httpServer.off('request', watch);
    }
    expect(maxActive).toBeGreaterThan(1);
    expect(await s.models.Photo.countDocuments({ _id: id })).toBe(1);
    expect((await storedFiles()).filter((f) => f.includes(id)).sort()).toEqual([`${id.slice(0, 2)}/${id}.display.jpg`, `${id.slice(0, 2)}/${id}.original.jpg`, `${id.slice(0, 2)}/${id}.thumb.jpg`]);
  });

  it('a second upload of the same bytes stores nothing new', async () => {
    // Catches: re-rendering and rewriting files on every retry.
    const bytes = await phonePhoto(4);
    const first = await upload(bytes);
    const file = path.join(photosDir(), first.body.id.slice(0, 2), `${first.body.id}.display.jpg`);
    const { mtimeMs } = await fs.stat(file);
    const second = await upload(bytes);
    expect(second).toEqual(first);
    expect((await fs.stat(file)).mtimeMs).toBe(mtimeMs);
  });

  it('user route: 401 without a token, 403 for the bot token; bot route: 403 for a user token, 201 for the bot', async () => {
    // Catches: the bot uploading as a user, users posing as the bot, anonymous uploads.
    const bytes = await phonePhoto(5);
    expect((await upload(bytes, { token: null })).status).toBe(401);
    expect((await upload(bytes, { token: bot })).status).toBe(403);
    expect((await upload(bytes, { path: '/api/v1/bot/photos', token: resident })).status).toBe(403);
    expect((await upload(bytes, { path: '/api/v1/bot/photos', token: staff })).status).toBe(403);
    const ok = await upload(bytes, { path: '/api/v1/bot/photos', token: bot });
    expect(ok.status).toBe(201);
    expect((await s.models.Photo.findById(ok.body.id).lean())!.uploaderIds).toEqual(['bot']);
  });
});

describe('GET /api/v1/photos/:id', () => {
  it('serves copies publicly with immutable cache headers and answers a matching ETag with 304', async () => {
    // Catches: images that need a token (mini-program <Image> sends none), or refetched on every view.
    const up = await upload(await phonePhoto(6));
    for (const url of [up.body.url, up.body.thumbUrl]) {
      const first = await get(url);
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[a-f0-9]{64}\.(display|thumb)"$/);
      const again = await get(url, undefined, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.bytes.length).toBe(0);
    }
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    // Catches: path tricks reaching the file system, or a 500 for a photo that is not there.
    const unknown = 'a'.repeat(64);
    expect((await get('/api/v1/photos/not-a-hash')).status).toBe(400);
    expect((await get('/api/v1/photos/..%2F..%2Fsecrets.json')).status).toBe(400);
    expect((await get(`/api/v1/photos/${unknown}`)).status).toBe(404);
    expect((await get(`/api/v1/photos/${unknown}/thumb`)).status).toBe(404);
    expect((await get(`/api/v1/photos/${unknown}/original`, staff)).status).toBe(404);
  });

  it('original of a photo attached to nothing: 401 anonymous, 200 for its uploader with an audit entry, 404 for everyone else, staff included', async () => {
    // Catches: originals (EXIF, GPS) of any upload readable by any staff role; reads that leave no trace.
    const up = await upload(await phonePhoto(7));
    const url = `${up.body.url}/original`;
    expect((await get(url)).status).toBe(401);
    expect((await get(url, resident)).status).toBe(200);
    for (const token of [resident2, staff, await s.staffToken('admin')]) expect((await get(url, token)).status).toBe(404);
    const me = await s.api('GET', '/api/v1/me', { token: resident });
    const audit = await s.models.Audit.find({ targetType: 'photo', targetId: up.body.id }).lean();
    expect(audit.map((a) => [String(a.actorId), a.action])).toEqual([[me.body.id, 'photo.original.read']]);
  });
});

describe('GET /api/v1/photos/:id/original of an attached photo', () => {
  let ids: DemoIds;
  const token = (username: string) => s.staffToken(username);
  const status = async (photoId: string, t: string) => (await get(`/api/v1/photos/${photoId}/original`, t)).status;
  beforeAll(async () => {
    ids = await demoIds(s);
  });

  /** A private water appeal in 东城社区's first grid by resident 01, dispatched by rule to the water department. */
  async function privateAppeal(o: { isAnonymous?: boolean } = {}) {
    const photoId = (await upload(await jpeg())).body.id as string;
    const a = await fileAppeal(s, resident, { regionId: ids.region['DX-01-01-01'], categoryId: ids.category['water-supply'], photoIds: [photoId], isPublic: false, isAnonymous: o.isAnonymous ?? false });
    expect(a.state).toBe('assigned');
    return { photoId, appealId: a.id as string };
  }

  it('a private 东城社区 appeal: handlers 200; newsroom, other departments, other communities and other grids 404; watchers 403', async () => {
    // Catches: the leak of issue 14: editor, reviewer, dept_power, xicheng and qingshi_grid1 downloading
    // with 200 the original (EXIF, GPS) of a private appeal they cannot even read.
    const { photoId } = await privateAppeal();
    const got: Record<string, number> = {};
    for (const u of ['admin', 'dispatcher', 'chengguan', 'dept_water', 'dongcheng_grid1', 'editor', 'reviewer', 'dept_power', 'xicheng', 'qingshi_grid1', 'dongcheng', 'dongcheng_grid2']) got[u] = await status(photoId, await token(u));
    got.reporter = await status(photoId, resident);
    got.otherResident = await status(photoId, resident2);
    expect(got).toEqual({
      // Those who handle it: the admin, the dispatchers of its region, the unit it is assigned to, the grid worker of its grid, the reporter.
      admin: 200, dispatcher: 200, chengguan: 200, dept_water: 200, dongcheng_grid1: 200, reporter: 200,
      // Those who cannot read the appeal: as if the photo did not exist.
      editor: 404, reviewer: 404, dept_power: 404, xicheng: 404, qingshi_grid1: 404, otherResident: 404,
      // Those who read the appeal but do not handle it (community staff watch; another grid's worker).
      dongcheng: 403, dongcheng_grid2: 403,
    });
    const refused = await s.api('GET', `/api/v1/photos/${photoId}/original`, { token: await token('dongcheng') });
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/仅经办人员/) });
    // The display copy and thumbnail (no EXIF) stay reachable by the id the appeal hands out.
    expect((await get(`/api/v1/photos/${photoId}`)).status).toBe(200);
  });

  it('an anonymous appeal: only the admin, the dispatchers and the reporter read the original; the unit and the grid worker get 403', async () => {
    // Catches: a whistle-blower's photo (EXIF: their phone, their window's GPS) going to the department they complain about.
    const { photoId } = await privateAppeal({ isAnonymous: true });
    expect(await status(photoId, await token('dispatcher'))).toBe(200);
    expect(await status(photoId, resident)).toBe(200);
    expect(await status(photoId, await token('dept_water'))).toBe(403);
    expect(await status(photoId, await token('dongcheng_grid1'))).toBe(403);
    expect(await status(photoId, await token('editor'))).toBe(404);
  });

  it('the answer\'s photos: the unit that uploaded them and the dispatcher; the reporter reads the copy, not the original', async () => {
    // Catches: answer photos left readable by every staff role, or by nobody but the uploader.
    const { appealId } = await privateAppeal();
    const water = await token('dept_water');
    const answerPhoto = (await upload(await jpeg(), { token: water })).body.id as string;
    await move(s, water, appealId, 'start', {});
    await move(s, water, appealId, 'reply', { answer: '已安排人员检修，现已恢复供水。', photoIds: [answerPhoto] });
    expect(await status(answerPhoto, water)).toBe(200);
    expect(await status(answerPhoto, await token('dispatcher'))).toBe(200);
    expect(await status(answerPhoto, resident)).toBe(403);
    expect(await status(answerPhoto, await token('dept_power'))).toBe(404);
  });

  it('an article cover: the newsroom reads the original; residents 404 while it is a draft, 403 once it is published', async () => {
    // Catches: a cover's original (the photographer's GPS) readable by residents, or closed to the reviewers who check it.
    const staffNews = await newsStaff(s);
    const cover = (await upload(await jpeg(), { token: staffNews.editor })).body.id as string;
    const draft = await createDraft(s, { columnCode: 'livelihood', title: '封面原图测试', coverPhotoId: cover });
    expect(await status(cover, staffNews.reviewers[0])).toBe(200);
    expect(await status(cover, resident)).toBe(404);
    expect(await status(cover, await token('dispatcher'))).toBe(404);
    const published = await publishArticle(s, { columnCode: 'livelihood', title: '封面原图测试（已发布）', coverPhotoId: cover });
    expect(published).not.toBe(draft.id);
    expect(await status(cover, resident)).toBe(403);
    expect(await status(cover, staffNews.reviewers[0])).toBe(200);
  });
});

describe('photoService', () => {
  const idOf = async (token: string) => (await s.api('GET', '/api/v1/me', { token })).body.id as string;

  it('requireOwned passes the uploader, names the first unknown id, refuses someone else’s photo', async () => {
    // Catches: attaching photos that do not exist, or another resident's photo, to an appeal.
    const photos = photoService(s.ctx);
    const mine = (await upload(await phonePhoto(8))).body.id;
    const theirs = (await upload(await phonePhoto(9), { token: resident2 })).body.id;
    const me = await idOf(resident);
    await expect(photos.requireOwned([mine], me)).resolves.toBeUndefined();
    await expect(photos.requireOwned([], me)).resolves.toBeUndefined();
    const unknown = 'b'.repeat(64);
    await expect(photos.requireOwned([mine, unknown, theirs], me)).rejects.toMatchObject({ status: 400, message: `图片不存在：${unknown}`, details: [{ path: 'body.photoIds.1' }] });
    await expect(photos.requireOwned([mine, theirs], me)).rejects.toMatchObject({ status: 400, details: [{ path: 'body.photoIds.1' }] });
  });

  it('the same bytes uploaded by two people may be attached by both; the bot may attach its own uploads', async () => {
    // Catches: the second uploader of a shared picture getting an id they can never use.
    const photos = photoService(s.ctx);
    const bytes = await phonePhoto(10);
    const a = await upload(bytes, { token: resident });
    const b = await upload(bytes, { token: resident2 });
    expect(b.body.id).toBe(a.body.id);
    await photos.requireOwned([a.body.id], await idOf(resident));
    await photos.requireOwned([a.body.id], await idOf(resident2));
    const fromBot = (await upload(await phonePhoto(11), { path: '/api/v1/bot/photos', token: bot })).body.id;
    await expect(photos.requireOwned([fromBot], 'bot')).resolves.toBeUndefined();
    await expect(photos.requireOwned([fromBot], await idOf(resident))).rejects.toMatchObject({ status: 400 });
  });

  it('an upload of a stored photo whose files went missing writes them again and keeps the record', async () => {
    // Catches: a record pointing at missing files forever (a restored database, a lost disk) while uploads "succeed".
    const bytes = await phonePhoto(13);
    const first = await upload(bytes);
    const shard = path.join(photosDir(), first.body.id.slice(0, 2));
    for (const f of await fs.readdir(shard)) if (f.startsWith(first.body.id)) await fs.rm(path.join(shard, f));
    expect((await get(first.body.url)).status).toBe(404);
    const again = await upload(bytes, { token: resident2 });
    expect(again).toEqual(first);
    expect((await get(first.body.url)).status).toBe(200);
    expect((await get(`${first.body.url}/original`, resident2)).bytes.equals(bytes)).toBe(true);
    expect(await s.models.Photo.countDocuments({ _id: first.body.id })).toBe(1);
  });

  it('removeStaleTemp removes temp files older than the given time and keeps younger ones', async () => {
    // Catches: half uploads of a crashed process filling the disk, or a cleanup that deletes a live upload.
    const storage = photoStorage(dataDir);
    const old = await storage.tempPath('upload');
    const young = await storage.tempPath('upload');
    await fs.writeFile(old, 'x');
    await fs.writeFile(young, 'y');
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await fs.utimes(old, new Date(hourAgo.getTime() - 1000), new Date(hourAgo.getTime() - 1000));
    expect(await storage.removeStaleTemp(hourAgo)).toBe(1);
    expect(await storage.exists(old)).toBe(false);
    expect(await storage.exists(young)).toBe(true);
    await storage.discard(young);
  });

  it('store(buffer) applies the same rules as an upload', async () => {
    // Catches: a second way in (the bot's downloaded photos) that skips type checks or EXIF removal.
    const photos = photoService(s.ctx);
    const bytes = await phonePhoto(12);
    const stored = await photos.store(bytes, 'bot');
    expect(stored.id).toBe(sha256(bytes));
    expect((await sharp((await get(stored.url)).bytes).metadata()).exif).toBeUndefined();
    await expect(photos.store(Buffer.from('GIF89a not really'), 'bot')).rejects.toMatchObject({ status: 415 });
  });
});

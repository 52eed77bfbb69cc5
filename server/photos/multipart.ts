import busboy from 'busboy';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { AppError, badRequest } from '../core/errors';
import { DISCARD_AFTER_REFUSAL_BYTES, MAX_PHOTO_BYTES, MAX_PHOTO_LABEL, MULTIPART_OVERHEAD_BYTES } from './limits';
import { SNIFF_BYTES, sniffImageType, unsupportedImage, type ImageType } from './images';
import type { PhotoStorage } from './storage';

/** An upload received into a temp file: its SHA-256, size and type recognised from its first bytes. */
export interface ReceivedFile {
  tmpPath: string;
  sha256: string;
  bytes: number;
  type: ImageType;
}

export const FILE_FIELD = 'file';
export const photoTooLarge = () => new AppError(413, 'PAYLOAD_TOO_LARGE', `图片不能超过 ${MAX_PHOTO_LABEL}`);
const notMultipart = () => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `请以 multipart/form-data 上传图片（字段名 ${FILE_FIELD}）`);

/**
 * Hashes, counts and checks the first bytes of the file as it streams to disk, so a wrong type
 * is refused after the first chunk and memory stays at one chunk whatever the file's size.
 */
function inspectingStream(onType: (t: ImageType) => void) {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let known = false;
  let bytes = 0;
  const check = (final: boolean) => {
    if (known || (head.length < SNIFF_BYTES && !final)) return;
    const type = sniffImageType(head);
    if (!type) throw bytes === 0 ? badRequest('图片文件为空') : unsupportedImage();
    known = true;
    onType(type);
  };
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      hash.update(chunk);
      if (!known) head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
      try {
        check(false);
      } catch (err) {
        return done(err as Error);
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        check(true);
      } catch (err) {
        return done(err as Error);
      }
      done();
    },
  });
  return { transform, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/**
 * Reads a `multipart/form-data` body with exactly one part: the file field `file` (what
 * wx.uploadFile sends). No file, a second file or any other field is a 400; the body is read only
 * up to the size limit.
 */
export async function receiveUpload(req: Request, storage: PhotoStorage): Promise<ReceivedFile> {
  if (!req.is('multipart/form-data')) throw notMultipart();
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_PHOTO_BYTES + MULTIPART_OVERHEAD_BYTES) throw photoTooLarge();
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { files: 1, fields: 0, fileSize: MAX_PHOTO_BYTES, headerPairs: 20 } });
  } catch {
    throw badRequest('上传格式错误：缺少 multipart 分隔符');
  }
  const tmpPath = await storage.tempPath('upload');

  return new Promise<ReceivedFile>((resolve, reject) => {
    let failure: unknown = null;
    // Stops the file's pipeline on a refusal. (Destroying the source without an error can leave
    // the pipeline pending forever when its end was already pushed, as in a one-chunk body.)
    const abort = new AbortController();
    let written: Promise<ReceivedFile> | null = null;
    let received = false;
    const fail = (err: unknown) => {
      // Once received, the temp file is the caller's: a late socket error must not remove it.
      if (failure || received) return;
      failure = err;
      req.unpipe(bb);
      abort.abort(err);
      // Remove the temp file once the write stream is closed, so a late open cannot recreate it.
      void Promise.resolve(written?.catch(() => undefined))
        .then(() => storage.discard(tmpPath))
        .finally(() => reject(err));
    };

    // The client's file name and content type (the third argument) say nothing reliable about the content.
    bb.on('file', (name, stream) => {
      if (failure) {
        stream.resume();
        return;
      }
      if (name !== FILE_FIELD) {
        stream.resume();
        return fail(badRequest(`图片的字段名应为 ${FILE_FIELD}`, [{ path: `body.${name}`, message: '未知字段' }]));
      }
      let type: ImageType | null = null;
      const inspect = inspectingStream((t) => (type = t));
      stream.on('limit', () => fail(photoTooLarge()));
      written = pipeline(stream, inspect.transform, createWriteStream(tmpPath, { flags: 'wx' }), { signal: abort.signal }).then(() => ({
        tmpPath,
        ...inspect.digest(),
        type: type!,
      }));
      written.catch(fail);
    });
    bb.on('fieldsLimit', () => fail(badRequest(`只能上传一个字段 ${FILE_FIELD}`)));
    bb.on('filesLimit', () => fail(badRequest('一次只能上传一张图片')));
    bb.on('error', () => fail(badRequest('上传内容不完整或格式错误')));
    req.on('error', () => fail(badRequest('请求未完整发送')));
    bb.on('close', () => {
      if (failure) return;
      if (!written) return fail(badRequest(`请选择要上传的图片（字段名 ${FILE_FIELD}）`));
      written.then(
        (file) => {
          if (failure) return;
          received = true;
          resolve(file);
        },
        () => undefined,
      );
    });
    req.pipe(bb);
  });
}

/**
 * After a refusal mid-body: read the rest of the body into nothing, so a client that keeps
 * sending gets to read the answer (closing a socket with unread input resets it, and a phone
 * would show a network error instead of "图片不能超过 5MB") and the connection stays usable;
 * beyond a bound the connection is cut. (No `Connection: close`: Node would close the socket as
 * soon as the answer is written, with the client's bytes still arriving.)
 */
export function discardRestOfBody(req: Request): void {
  if (req.complete) return;
  let discarded = 0;
  req.unpipe();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_AFTER_REFUSAL_BYTES) req.socket.destroy();
  });
  req.resume();
}

import sharp, { type Metadata } from 'sharp';
import { AppError } from '../core/errors';
import { DECODE_BUSY_RETRY_AFTER_SECONDS, DISPLAY_MAX_SIDE, MAX_CONCURRENT_DECODES, MAX_PHOTO_PIXELS, MAX_WAITING_DECODES, THUMB_MAX_SIDE } from './limits';

export type ImageType = { mime: 'image/jpeg' | 'image/png' | 'image/webp'; ext: 'jpg' | 'png' | 'webp'; format: 'jpeg' | 'png' | 'webp' };

const JPEG: ImageType = { mime: 'image/jpeg', ext: 'jpg', format: 'jpeg' };
const PNG: ImageType = { mime: 'image/png', ext: 'png', format: 'png' };
const WEBP: ImageType = { mime: 'image/webp', ext: 'webp', format: 'webp' };

/** Bytes needed to recognise every accepted type (WebP's "RIFF....WEBP" is the longest). */
export const SNIFF_BYTES = 12;

export const unsupportedImage = (message = '仅支持 JPG、PNG、WebP 图片') => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
const tooManyPixels = () => new AppError(413, 'PAYLOAD_TOO_LARGE', `图片像素过大（最多 ${MAX_PHOTO_PIXELS / 10_000} 万像素），请缩小后再上传`);

/**
 * The type by the file's first bytes, never by its name or the client's content type (a phone
 * may call a PNG screenshot "x.jpg"; a script may call anything "image/jpeg").
 */
export function sniffImageType(head: Buffer): ImageType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return JPEG;
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return PNG;
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return WEBP;
  return null;
}

/**
 * A bounded queue in this process (memory is per process, so no shared state is needed): at most
 * `concurrency` tasks run, at most `maxWaiting` wait for a slot, and a task beyond that is refused
 * at once with 503 `BUSY` and `Retry-After`.
 */
export function boundedQueue(opts: { concurrency: number; maxWaiting: number; retryAfterSeconds: number; busyMessage: string }) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (running >= opts.concurrency) {
        if (waiting.length >= opts.maxWaiting) throw Object.assign(new AppError(503, 'BUSY', opts.busyMessage), { retryAfterSeconds: opts.retryAfterSeconds });
        // The slot is handed over by the task that ends (running stays the same).
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running++;
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
    /** Tasks running and waiting now (for tests and logs). */
    state: () => ({ running, waiting: waiting.length }),
  };
}

/** Decoding holds megabytes of pixels per image: uploads take a slot of this queue to decode. */
export const decodeQueue = boundedQueue({
  concurrency: MAX_CONCURRENT_DECODES,
  maxWaiting: MAX_WAITING_DECODES,
  retryAfterSeconds: DECODE_BUSY_RETRY_AFTER_SECONDS,
  busyMessage: '图片处理繁忙，请稍后重试',
});

/** Test hook: awaited inside a decode slot before decoding, so a test can hold slots taken. */
export const decodeHooks: { inSlot?: () => Promise<void> } = {};

// failOn 'error': phone cameras write JPEGs with harmless warnings (extra bytes before a marker);
// those are photos residents took and must not be refused. limitInputPixels guards every decode.
const input = (file: string) => sharp(file, { failOn: 'error', limitInputPixels: MAX_PHOTO_PIXELS, autoOrient: true });

/**
 * Checks that the whole file decodes as the type its first bytes claimed and that its canvas is
 * not a decompression bomb (the header is read without decoding the pixels).
 */
export async function inspectImage(file: string, sniffed: ImageType): Promise<void> {
  let meta: Metadata;
  try {
    meta = await sharp(file, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch {
    throw unsupportedImage('图片已损坏或无法识别，仅支持 JPG、PNG、WebP 图片');
  }
  if (meta.format !== sniffed.format) throw unsupportedImage();
  if (!meta.width || !meta.height) throw unsupportedImage('图片已损坏或无法识别，仅支持 JPG、PNG、WebP 图片');
  if (meta.width * meta.height > MAX_PHOTO_PIXELS) throw tooManyPixels();
}

/** A copy to show: upright, at most `side` px on the long side, JPEG, without any metadata (EXIF, GPS, ICC). */
async function renderCopy(file: string, side: number, out: string): Promise<{ width: number; height: number }> {
  const info = await input(file)
    .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: side > THUMB_MAX_SIDE ? 82 : 75, progressive: true })
    .toFile(out);
  return { width: info.width, height: info.height };
}

/** Writes the display copy and the thumbnail; answers the display copy's dimensions. */
export async function renderCopies(file: string, displayOut: string, thumbOut: string): Promise<{ width: number; height: number }> {
  return decodeQueue.run(async () => {
    await decodeHooks.inSlot?.();
    try {
      const display = await renderCopy(file, DISPLAY_MAX_SIDE, displayOut);
      await renderCopy(file, THUMB_MAX_SIDE, thumbOut);
      return display;
    } catch (err) {
      // The header looked fine but the pixels do not decode (truncated, corrupt).
      if (err instanceof Error && /pixel limit|exceeds/i.test(err.message)) throw tooManyPixels();
      throw unsupportedImage('图片已损坏或无法识别，仅支持 JPG、PNG、WebP 图片');
    }
  });
}

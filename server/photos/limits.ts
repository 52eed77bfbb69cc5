/** The largest upload accepted: phones send 2-4 MB photos; more is a video frame or a scan. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const MAX_PHOTO_LABEL = '5MB';

/**
 * Decoded size limit (width x height). A small file can declare a huge canvas (a decompression
 * bomb); 40 megapixels is above every phone camera's photo and far below what would exhaust memory.
 */
export const MAX_PHOTO_PIXELS = 40_000_000;

/** Long side of the display copy and of the thumbnail, in pixels. */
export const DISPLAY_MAX_SIDE = 1600;
export const THUMB_MAX_SIDE = 320;

/**
 * Multipart adds a boundary and part headers around the file; a declared Content-Length beyond
 * the limit plus this allowance cannot hold an acceptable file and is refused before reading.
 */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * After a refusal the rest of the body is read and thrown away, so the client sees the answer
 * instead of a reset connection; past this much the connection is cut.
 */
export const DISCARD_AFTER_REFUSAL_BYTES = 8 * 1024 * 1024;

/** Uploads being decoded at once in this process: each decode holds megabytes of pixels. */
export const MAX_CONCURRENT_DECODES = 2;

/**
 * Decodes waiting for a slot in this process. Beyond this many the upload is answered 503 with
 * `Retry-After` at once instead of queueing without bound (each waiting upload holds its temp
 * file and its connection): the phone retries later instead of a burst exhausting the server.
 */
export const MAX_WAITING_DECODES = 8;
/** Retry-After of the 503 when the decode queue is full: a decode takes well under a second. */
export const DECODE_BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Upload quota per account and China day (the day resets at 00:00 Beijing time), counted in the
 * database so every server process shares it. Residents attach at most 9 photos to an appeal: 60
 * a day is several appeals with retakes. Staff photograph their work (answers, covers); the bot
 * uploads for every group chat of the county.
 */
export interface PhotoQuota {
  photos: number;
  bytes: number;
}
const MB = 1024 * 1024;
export const PHOTO_QUOTA = {
  resident: { photos: 60, bytes: 100 * MB },
  staff: { photos: 300, bytes: 500 * MB },
  bot: { photos: 3000, bytes: 5 * 1024 * MB },
} as const satisfies Record<string, PhotoQuota>;

/**
 * A photo that is not attached to anything (an appeal, an answer, an article) this long after its
 * last upload or its last use in a request is removed by the cleanup job, record and files.
 */
export const ORPHAN_PHOTO_AFTER_MS = 24 * 60 * 60 * 1000;
/** Orphans examined per cleanup run (the job runs every 15 minutes). */
export const ORPHAN_BATCH = 200;

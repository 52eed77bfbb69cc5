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

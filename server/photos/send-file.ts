import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { notFound } from '../core/errors';

export interface SendOptions {
  contentType: string;
  cacheControl: string;
  etag?: string;
  disposition?: string;
}

/** Content named by its hash never changes: a year, and no revalidation. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * If-None-Match by the origin server (RFC 9110 13.1.2, weak comparison). Not `req.fresh`: that
 * answers "stale" whenever the request says `Cache-Control: no-cache`, which fetch() adds to every
 * conditional request, and a 304 is right for content that never changes.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Streams a stored file (404 when it is not there), answering 304 to a matching If-None-Match.
 * Streaming keeps memory flat for a 5 MB original; a client that goes away mid-file only ends
 * its own response.
 */
export async function sendStoredFile(req: Request, res: Response, file: string, opts: SendOptions): Promise<void> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch {
    throw notFound('图片');
  }
  res.setHeader('Content-Type', opts.contentType);
  res.setHeader('Cache-Control', opts.cacheControl);
  if (opts.etag) res.setHeader('ETag', opts.etag);
  if (opts.disposition) res.setHeader('Content-Disposition', opts.disposition);
  if (opts.etag && matchesIfNoneMatch(req.get('if-none-match'), opts.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).setHeader('Content-Length', String(size));
  try {
    await pipeline(createReadStream(file), res);
  } catch {
    // Headers are out: nothing to answer. Cut the response so the client sees it incomplete.
    res.destroy();
  }
}

/**
 * Optimistic concurrency for edits: a record carries a `version` counter, incremented ($inc) by
 * every write of it; GET answers it as the ETag `"v<version>"` (and in the body); an edit names the
 * version it was made on (`If-Match` with that ETag, or `version` in the body) and is one
 * conditional update on `{_id, version}`. A stale edit is a 409 STALE_VERSION naming the current
 * version, never a silent overwrite; an edit that names no version is a 428.
 */
import type { Request, Response } from 'express';
import { AppError, badRequest } from './errors';

export const etagOf = (version: number | undefined) => `"v${version ?? 0}"`;

/** Sets the ETag of what the response carries. */
export function sendVersion(res: Response, version: number | undefined): void {
  res.setHeader('ETag', etagOf(version));
}

/** 409: someone else wrote it since; `details` names the version it is at now. */
export const staleVersion = (current: number | undefined) =>
  new AppError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改', [{ path: 'version', message: String(current ?? 0) }]);

/** 428: an edit must say which version it was made on. */
export const versionRequired = () =>
  new AppError(428, 'PRECONDITION_REQUIRED', '修改须带上所依据的版本（If-Match 或 version），请重新加载后再修改', [{ path: 'headers.if-match', message: '缺少版本' }]);

/**
 * The version an edit was made on: `If-Match: "v<n>"` (a weak `W/` prefix is accepted) or the
 * body's `version`; both given must agree. An If-Match that is not one of our ETags can match no
 * version: it is stale (409), as a changed record's old ETag would be. Null when neither is given.
 */
export function expectedVersion(req: Request, bodyVersion: number | undefined): number | null {
  const header = req.get('if-match')?.trim();
  let fromHeader: number | null = null;
  if (header && header !== '*') {
    const m = /^(?:W\/)?"v(\d{1,9})"$/.exec(header);
    fromHeader = m ? Number(m[1]) : -1;
  }
  if (fromHeader !== null && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw badRequest('If-Match 与 version 不一致', [{ path: 'body.version', message: '与 If-Match 不一致' }]);
  }
  return fromHeader ?? bodyVersion ?? null;
}

/** Like expectedVersion, but an edit without one is refused (428). */
export function requiredVersion(req: Request, bodyVersion: number | undefined): number {
  const v = expectedVersion(req, bodyVersion);
  if (v === null) throw versionRequired();
  return v;
}

/** The filter on a record's version: records written before versions were kept have none and are at 0. */
export const versionFilter = (v: number): number | { $in: (number | null)[] } => (v === 0 ? { $in: [0, null] } : v);

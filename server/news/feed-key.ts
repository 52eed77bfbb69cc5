import type { Types } from '../db/schema-helpers';
import { badRequest } from '../core/errors';

/**
 * The feed's one sort key (descending): pinned or emergency first, then the newest publication,
 * then the id as a tie-break. One string in one index lets a cursor page be a single range
 * (`feedKey < cursor`) that MongoDB and the embedded database both walk in index order.
 */
export function feedKeyOf(a: { _id: Types.ObjectId | string; publishedAt: Date; pinned: boolean; emergency: boolean }): string {
  const top = a.pinned || a.emergency ? '1' : '0';
  return `${top}${String(a.publishedAt.getTime()).padStart(13, '0')}${String(a._id)}`;
}

/** The notice list's key (descending): emergency, then important, then normal; newest first within each. */
export function noticeListKeyOf(n: { _id: Types.ObjectId | string; publishedAt: Date; level: 'normal' | 'important' | 'emergency' }): string {
  const rank = n.level === 'emergency' ? '2' : n.level === 'important' ? '1' : '0';
  return `${rank}${String(n.publishedAt.getTime()).padStart(13, '0')}${String(n._id)}`;
}

/** A cursor is the last key of the page, opaque to clients. */
export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-2]\d{13}[a-f0-9]{24}$/.test(key)) throw badRequest('分页游标无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效的游标' }]);
  return key;
}

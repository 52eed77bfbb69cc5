import { z } from 'zod';
import { badRequest, type ErrorDetail } from './errors';

// Validation messages in Simplified Chinese: residents and staff read them.
z.config(z.locales.zhCN());

/** Where a value came from, so an error can say `body.name` or `query.page`. */
export type InputPart = 'params' | 'query' | 'body';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = details[0];
  throw badRequest(`请求参数有误：${first.path} ${first.message}`, details);
}

/**
 * Defence in depth against operator injection: strict schemas already refuse unknown keys, and
 * this refuses any key that starts with `$` or contains a dot anywhere in a body, before a schema
 * sees it, so nothing shaped like a query operator can reach mongoose.
 */
export function findOperatorKey(value: unknown, path = 'body', depth = 0): string | undefined {
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findOperatorKey(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('$') || key.includes('.')) return `${path}.${key}`;
    const found = findOperatorKey(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Common field schemas, so every route says "an id" or "a page" the same way. */
export const objectId = z.string().regex(/^[a-f0-9]{24}$/, '必须是24位十六进制编号');
/** A calendar month, `2026-11` (China time in every use). */
export const isoMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式为 YYYY-MM');
export const idParams = z.strictObject({ id: objectId });
export const paging = {
  page: z.coerce.number().int().min(1).max(10000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
export const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max);
/** A create's retry key (appeals, articles, comments, notices): a retry of the same submission carries the same key and gets the first record back (create-once.ts). */
export const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_:.-]{8,80}$/, '提交标识为8到80位字母、数字或 _ : . -');

export function pagedOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

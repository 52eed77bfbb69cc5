import { z } from 'zod';

/**
 * One error class for everything the API refuses on purpose. The error middleware turns an
 * AppError into `{ error: { code, message, details? } }` with its status; anything else is a
 * logged 500 whose details never leave the server.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'TOKEN_EXPIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DUPLICATE'
  | 'INVALID_STATE'
  | 'STALE_VERSION'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'DEV_LOGIN_DISABLED'
  | 'UPSTREAM_FAILED'
  | 'NOT_READY'
  | 'BUSY'
  /** A route that takes a key instead of a sign-in (a big screen's) was called without a valid one. */
  | 'INVALID_KEY'
  | 'INTERNAL';

/** The body of every refusal: `{ error: { code, message, details? } }`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export interface ErrorDetail {
  /** Where the problem is, e.g. `body.regionId`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Sent as `Retry-After` (429, 503): when trying again may work. */
  retryAfterSeconds?: number;

  constructor(status: number, code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError(400, 'VALIDATION_FAILED', message, details);
export const unauthenticated = (message = '请先登录') => new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = '没有权限执行此操作') => new AppError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what}不存在`);
export const conflict = (message: string, details?: ErrorDetail[]) => new AppError(409, 'CONFLICT', message, details);
export const rateLimited = (message: string, retryAfterSeconds: number) => Object.assign(new AppError(429, 'RATE_LIMITED', message), { retryAfterSeconds });
export const invalidState = (message: string) => new AppError(409, 'INVALID_STATE', message);

/** Field names as residents and staff know them, for the duplicate-key message. */
const FIELD_LABELS: Record<string, string> = {
  username: '用户名',
  openid: '微信账号',
  code: '编码',
  name: '名称',
  path: '区域路径',
  roomId: '群聊',
  contactId: '微信联系人',
  idempotencyKey: '提交标识',
};

/**
 * A unique index violation. MongoDB reports code 11000 with `keyValue`. FerretDB 1.24 reports
 * 11000 without `keyValue` on insert ("E11000 duplicate key error collection: db.coll"), and on
 * update code 1 with SQLite's "UNIQUE constraint failed: index '<table>_<hash>_<field>_1'".
 */
export function isDuplicateKeyError(err: unknown): err is { code: number; keyValue?: Record<string, unknown>; keyPattern?: Record<string, unknown>; message: string } {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === 11000 || (code === 1 && typeof message === 'string' && message.includes('UNIQUE constraint failed'));
}

/** Turn a unique index violation into our 409, naming the field when the database tells us which. */
export function duplicateKeyToAppError(err: { keyValue?: Record<string, unknown>; keyPattern?: Record<string, unknown>; message: string }): AppError {
  const fields = Object.keys(err.keyValue ?? err.keyPattern ?? {});
  if (fields.length === 0) {
    const m = /index:\s*([A-Za-z0-9.]+)_-?1\b/.exec(err.message) ?? /index '[^']*?_([A-Za-z0-9.]+)_-?1'/.exec(err.message);
    if (m) fields.push(m[1]);
  }
  const label = fields.map((f) => FIELD_LABELS[f] ?? f).join('、') || '记录';
  return new AppError(409, 'DUPLICATE', `${label}已存在`, fields.map((f) => ({ path: f, message: '已存在' })));
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { AppError, duplicateKeyToAppError, isDuplicateKeyError } from './errors';
import { databaseUnavailable, isDatabaseUnavailableError } from '../db/health';

/** Body-parser and friends mark their errors with a `type` and a `status`. */
interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isDuplicateKeyError(err)) return duplicateKeyToAppError(err);
  if (err instanceof mongoose.Error.CastError) return new AppError(400, 'VALIDATION_FAILED', `参数格式错误：${err.path}`, [{ path: err.path, message: '格式错误' }]);
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((e) => ({ path: e.path, message: e.message }));
    return new AppError(400, 'VALIDATION_FAILED', `数据校验失败：${details[0]?.path ?? ''}`, details);
  }
  // The database is unreachable: a retry later may work, so 503 with Retry-After rather than a bare 500.
  if (isDatabaseUnavailableError(err)) return databaseUnavailable();
  const h = err as HttpishError;
  // The client went away mid-body (closed the app, lost the network): nobody reads the answer.
  if (h?.type === 'request.aborted') return new AppError(400, 'VALIDATION_FAILED', '请求未完整发送');
  if (h?.type === 'entity.too.large') return new AppError(413, 'PAYLOAD_TOO_LARGE', '请求内容过大');
  if (h?.type === 'entity.parse.failed') return new AppError(400, 'VALIDATION_FAILED', '请求体不是有效的 JSON');
  if (h?.type === 'encoding.unsupported' || h?.type === 'charset.unsupported') return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的请求编码');
  return null;
}

export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err);
  if (appError) {
    // An outage is logged once by DbHealth, and a full queue (BUSY) is load shedding doing its job:
    // each refused request is only a warning, or a burst would flood the log with stacks.
    if (appError.code === 'NOT_READY') req.log?.warn('database unavailable: answered 503');
    else if (appError.code === 'BUSY') req.log?.warn({ code: appError.code }, 'busy: answered 503');
    else if (appError.status >= 500) req.log?.error({ err }, 'request failed');
    if (appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    res.status(appError.status).json(appError.toBody());
    return;
  }
  // Unexpected: logged with its stack, answered without detail.
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(new AppError(500, 'INTERNAL', '服务器开小差了，请稍后重试').toBody());
};

export const apiNotFound: RequestHandler = (req, res) => {
  res.status(404).json(new AppError(404, 'NOT_FOUND', `接口不存在：${req.method} ${req.path}`).toBody());
};

/** A body must be JSON: anything else is refused before parsing, with 415. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求体必须是 application/json');
  next();
};

import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's `x-request-id` (64 characters at most) or a new UUID. */
    id: string;
    /** A logger bound to the request (`req: { id, method, path }`), made when first used. */
    log: Logger;
  }
}

const CHILD = Symbol('requestLogger');

/**
 * The request id and the access log, as pino-http wrote them (`request completed` at info with
 * `req: { id, method, path }`, `res: { statusCode }`, `responseTime`; `request errored` with an
 * error from 500 up; `request aborted` for an answer cut short), at a fraction of the cost:
 * pino-http made a child logger per request (serialising the request, redaction and all: about
 * 40 µs, the most expensive step of a cached read) even when the level logged nothing.
 * Here `req.log` is made on first use, and nothing is listened for when info is off.
 * Method and path only: query strings and bodies may carry personal data.
 */
export function requestLog(app: Express, logger: Logger, opts: { ignore: (path: string) => boolean }): RequestHandler {
  // On Express's request prototype: no property defined per request.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: import('express').Request & { [CHILD]?: Logger }): Logger {
      return (this[CHILD] ??= logger.child({ req: { id: this.id, method: this.method, path: (this.originalUrl || this.url).split('?')[0] } }));
    },
    set(this: { [CHILD]?: Logger }, value: Logger) {
      this[CHILD] = value;
    },
  });
  return function requestLogger(req, res, next) {
    const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
    res.setHeader('x-request-id', id);
    req.id = id;
    if (!logger.isLevelEnabled('info') || opts.ignore(req.url)) return next();
    const start = Date.now();
    const done = () => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      const fields = { res: { statusCode: res.statusCode }, responseTime: Date.now() - start };
      if (res.statusCode >= 500) req.log.info({ ...fields, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
      else req.log.info(fields, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
    };
    res.on('close', done);
    res.on('finish', done);
    next();
  };
}

/**
 * The request id and the access log (server/core/request-log.ts), which replaced pino-http: the
 * same lines, and no per-request logger made when nothing logs through it. No database: an
 * Express app of its own, its logger writing into an array.
 */
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestLog } from '../../server/core/request-log';

function appWith(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, base: null }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const child = jest.spyOn(logger, 'child');
  const app = express();
  app.use(requestLog(app, logger, { ignore: (url) => url === '/healthz' }));
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/fail', (req, res) => {
    req.log.error({ code: 'X' }, 'handler failed');
    res.status(500).json({ ok: false });
  });
  return { app, lines, child };
}

test('each request is logged with its id, method and path (no query), status and time', async () => {
  // Catches an access log that lost a field pino-http wrote, or that wrote the query string
  // (which may carry a phone number).
  const { app, lines } = appWith('info');
  const res = await request(app).get('/ok?phone=13800000000').set('x-request-id', 'trace-me');
  expect(res.headers['x-request-id']).toBe('trace-me');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 30, msg: 'request completed', req: { id: 'trace-me', method: 'GET', path: '/ok' }, res: { statusCode: 200 } });
  expect(typeof lines[0].responseTime).toBe('number');
  expect(JSON.stringify(lines[0])).not.toContain('13800000000');
});

test('a new id when none (or a long one) is sent; health checks are not logged', async () => {
  // Catches a response without an id to quote, and an id header used to write unbounded text into logs.
  const { app, lines } = appWith('info');
  const own = await request(app).get('/ok');
  expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const long = await request(app).get('/ok').set('x-request-id', 'x'.repeat(100));
  expect(long.headers['x-request-id']).toBe('x'.repeat(64));
  await request(app).get('/healthz');
  expect(lines.map((l) => (l.req as { path: string }).path)).toEqual(['/ok', '/ok']);
});

test('a 500 is logged as errored, and req.log carries the request in a handler', async () => {
  // Catches the error middleware's `req.log` missing (its failures unlogged) or unbound from the request.
  const { app, lines } = appWith('info');
  const res = await request(app).get('/fail').set('x-request-id', 'r1');
  expect(res.status).toBe(500);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ level: 50, msg: 'handler failed', code: 'X', req: { id: 'r1', path: '/fail' } });
  expect(lines[1]).toMatchObject({ level: 30, msg: 'request errored', res: { statusCode: 500 }, err: { message: 'failed with status code 500' } });
});

test('above info, a request that logs nothing makes no logger (the cost pino-http paid on every request)', async () => {
  // Catches a child logger made per request (serialising and redacting the request: about 40 µs
  // of a cached read at 100 connections) when the level writes no access line; errors still log.
  const { app, lines, child } = appWith('warn');
  for (let i = 0; i < 3; i++) expect((await request(app).get('/ok')).status).toBe(200);
  expect(child).not.toHaveBeenCalled();
  expect(lines).toHaveLength(0);
  await request(app).get('/fail').set('x-request-id', 'r2');
  expect(child).toHaveBeenCalledTimes(1);
  expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'handler failed', req: { id: 'r2', method: 'GET', path: '/fail' } })]);
});

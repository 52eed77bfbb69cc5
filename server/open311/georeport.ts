/**
 * GeoReport v2 on /open311/v2 (http://wiki.open311.org/GeoReport_v2): plain Express, since its
 * formats differ from the JSON API's: each path in `.json` and `.xml`, form-encoded bodies (what
 * real clients send) besides JSON, `api_key` in the body or the query string, and the spec's
 * errors (`[{ code, description }]`, `<errors><error>…`). Input is validated with zod at the edge.
 *
 * Limits: every POST counts against the default write limit of the client's address (as any
 * anonymous write, core/rate-limit/write-limits.ts), and a new filing against its key's hourly
 * budget (requests.ts); over either, 429 with Retry-After.
 */
import express, { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { AppError } from '../core/errors';
import type { WriteLimiter } from '../core/route';
import { findOperatorKey, IdempotencyKey } from '../core/validate';
import { databaseUnavailable } from '../db/health';
import { regionLookup } from '../regions';
import { open311Keys } from './keys';
import { open311Requests, specError } from './requests';
import { GetRequestsQuery, JurisdictionQuery, PostRequestInput } from './schemas';
import { toService, toServiceDefinition } from './spec';
import { toXml, type XmlValue } from './xml';

export const OPEN311_BASE = '/open311/v2';
type Format = 'json' | 'xml';

/** The spec's answer in the asked format: `root` names the XML document (its list's items follow xml.ts). */
function send(res: Response, format: Format, status: number, root: string, value: XmlValue) {
  res.status(status);
  if (format === 'xml') res.type('application/xml; charset=utf-8').send(toXml(root, value));
  else res.json(value);
}

/** Zod's refusal as the spec's 400, naming the field. */
function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '';
  throw specError(400, field ? `${field}: ${issue.message}` : issue.message);
}

/**
 * A form body's `attribute[code]=v` (and `attribute[code][]=v` for lists) as `{ attribute: { code: v } }`;
 * JSON bodies already nest it. Other bracketed keys are left as they are (the strict schema refuses them).
 */
function nestAttributes(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k);
    if (m) attribute[m[1]] = m[2] && !Array.isArray(v) ? [v] : v;
    else out[k] = v;
  }
  if (Object.keys(attribute).length) out.attribute = { ...(out.attribute as object | undefined), ...attribute };
  return out;
}

export function georeportRouter(ctx: AppContext, limitWrite: WriteLimiter): Router {
  const router = Router();
  const keys = open311Keys(ctx);
  const requests = open311Requests(ctx);
  const regions = regionLookup(ctx);

  router.use((_req, res, next) => {
    // Open311 is meant for other sites' apps and maps: anyone may read it from a browser (no cookies
    // are involved; a POST is form-encoded or carries its key, never the visitor's session).
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (!ctx.dbHealth.ready) throw databaseUnavailable();
    next();
  });
  router.options('/{*path}', (_req, res) => {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  });
  // Real GeoReport clients post forms; JSON is taken too. Same size cap as the API's JSON.
  router.use(express.urlencoded({ extended: false, limit: ctx.config.jsonBodyLimit, parameterLimit: 100 }), express.json({ limit: ctx.config.jsonBodyLimit, strict: true }));
  router.use((req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is('application/x-www-form-urlencoded') && !req.is('application/json')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求体须为 application/x-www-form-urlencoded 或 application/json');
    const bad = findOperatorKey(req.body) ?? findOperatorKey(req.query, 'query');
    if (bad) throw specError(400, `${bad} 不允许以 $ 开头或包含点号`);
    next();
  });

  /** One endpoint: `path` without the format (`/services/:code`), answered in `.json` or `.xml`. */
  const endpoint = (method: 'get' | 'post', path: string, handle: (req: Request, res: Response, format: Format) => Promise<void>) => {
    const run = async (req: Request, res: Response, format: Format) => {
      try {
        await handle(req, res, format);
      } catch (err) {
        sendError(req, res, format, err);
      }
    };
    router[method](`${path}.json`, (req, res) => run(req, res, 'json'));
    router[method](`${path}.xml`, (req, res) => run(req, res, 'xml'));
  };

  function sendError(req: Request, res: Response, format: Format, err: unknown) {
    const e = err instanceof AppError ? err : null;
    if (!e) req.log?.error({ err }, 'open311 failed');
    const status = e?.status ?? 500;
    if (e?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.retryAfterSeconds))));
    send(res, format, status, 'errors', [{ code: status, description: e ? e.message : '服务器内部错误' }]);
  }

  const query = (req: Request) => req.query as Record<string, unknown>;

  endpoint('get', '/discovery', async (req, res, format) => {
    parse(JurisdictionQuery, query(req));
    const url = `${req.protocol}://${req.get('host')}${OPEN311_BASE}`;
    send(res, format, 200, 'discovery', {
      changeset: '2026-12-07T00:00:00+08:00',
      contact: `${(await regions.countyName()) ?? ''}融媒体中心`,
      key_service: '向县融媒体中心申请，由管理员在工作台「Open311 接口密钥」签发 api_key',
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url, changeset: '2026-12-07T00:00:00+08:00', type: 'production', formats: ['application/json', 'text/xml'] }],
    });
  });

  endpoint('get', '/services', async (req, res, format) => {
    parse(JurisdictionQuery, query(req));
    send(res, format, 200, 'services', (await requests.activeCategories()).map(toService));
  });

  endpoint('get', '/services/:code', async (req, res, format) => {
    parse(JurisdictionQuery, query(req));
    send(res, format, 200, 'service_definition', toServiceDefinition(await requests.serviceByCode(String(req.params.code))));
  });

  endpoint('post', '/requests', async (req, res, format) => {
    // Every attempt counts against the address's write limit, so guessing keys is throttled too.
    await limitWrite(req, null);
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const input = parse(PostRequestInput, nestAttributes({ ...query(req), ...body }));
    if (!input.api_key) throw specError(400, 'api_key 为必填项');
    const key = await keys.verify(input.api_key);
    if (!key) throw specError(403, 'api_key 无效或已吊销');
    const header = req.get('idempotency-key');
    const headerKey = header === undefined ? undefined : parse(IdempotencyKey, header);
    const { filed, created } = await requests.file(key, input, headerKey);
    send(res, format, created ? 201 : 200, 'service_requests', [filed]);
  });

  endpoint('get', '/requests', async (req, res, format) => {
    send(res, format, 200, 'service_requests', await requests.list(parse(GetRequestsQuery, query(req))));
  });

  endpoint('get', '/requests/:id', async (req, res, format) => {
    parse(JurisdictionQuery, query(req));
    send(res, format, 200, 'service_requests', await requests.one(String(req.params.id)));
  });

  endpoint('get', '/tokens/:token', async (req, res, format) => {
    parse(JurisdictionQuery, query(req));
    send(res, format, 200, 'service_requests', await requests.token(String(req.params.token)));
  });

  // Anything else here, and refusals before an endpoint (body too large, wrong type): the spec's errors, in JSON unless the path asked for XML.
  router.use((req, res) => sendError(req, res, req.path.endsWith('.xml') ? 'xml' : 'json', specError(404, `${req.method} ${OPEN311_BASE}${req.path} 不存在`)));
  router.use((err: unknown, req: Request, res: Response, _next: (e?: unknown) => void) => {
    const status = (err as { status?: number; type?: string }).status;
    const e = err instanceof AppError ? err : status === 413 ? new AppError(413, 'PAYLOAD_TOO_LARGE', '请求体过大') : status === 400 ? specError(400, '请求体无法解析') : err;
    sendError(req, res, req.path.endsWith('.xml') ? 'xml' : 'json', e);
  });
  return router;
}

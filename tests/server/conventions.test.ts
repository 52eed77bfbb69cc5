import { startTestServer, type TestServer } from '../helpers/server';
import { ConfigError, loadConfig } from '../../server/core/config';
import { operationIdOf } from '../../server/core/openapi';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: false, config: { jsonBodyLimit: '1kb', h5Dir: 'no-such-folder' } });
});
afterAll(() => s?.stop());

describe('health', () => {
  it('GET /healthz and GET /readyz answer when the database does', async () => {
    expect((await s.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await s.api('GET', '/readyz')).body).toEqual({ status: 'ready' });
  });

  it('GET /readyz answers 503 when the database is gone, while /healthz stays up', async () => {
    const t = await startTestServer({ seed: false });
    try {
      await t.stopDatabase();
      const ready = await t.api('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.error.code).toBe('NOT_READY');
      expect((await t.api('GET', '/healthz')).status).toBe(200);
      const regions = await t.api('GET', '/api/v1/regions');
      expect(regions.status).toBe(503);
      expect(regions.body.error.message).toContain('稍后重试');
    } finally {
      await t.stop();
    }
  });

  it('sends a request id and security headers', async () => {
    const res = await s.api('GET', '/healthz', { headers: { 'x-request-id': 'trace-me' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('error format', () => {
  it('unknown API path: 404 in the error format', async () => {
    const res = await s.api('GET', '/api/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('invalid JSON: 400', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { raw: '{"openid":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('JSON');
  });

  it('a body over the limit: 413', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON: 415', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { raw: 'openid=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it('a JSON array where an object is expected: 400', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { body: [1, 2] });
    expect(res.status).toBe(400);
  });

  it('$ keys nested anywhere: 400', async () => {
    const res = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'a', password: 'b', x: [{ $where: '1' }] } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.x.0.$where');
  });
});

describe('GET /', () => {
  it('says how to build the H5 app when it is missing', async () => {
    const res = await s.api('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('npm run build:h5');
  });
});

describe('GET /api/docs', () => {
  it('is an OpenAPI document generated from the route schemas', async () => {
    const res = await s.api('GET', '/api/docs');
    expect(res.body.openapi).toBe('3.1.0');
    const login = res.body.paths['/api/v1/auth/password-login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(login.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(res.body.paths['/api/v1/regions/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
    expect(res.body.paths['/api/v1/bot/bindings/redeem'].post['x-access']).toBe('bot');
  });

  it('names every operation for client generators, uniquely, from its method and path', async () => {
    // Catches: operations without an operationId (generators invent unstable names) or two with one name.
    const paths = (await s.api('GET', '/api/docs')).body.paths as Record<string, Record<string, { operationId?: string }>>;
    const ids = Object.values(paths).flatMap((p) => Object.values(p).map((op) => op.operationId));
    expect(ids.length).toBeGreaterThan(80);
    for (const id of ids) expect(id).toMatch(/^(get|post|put|patch|delete)[A-Z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(paths['/api/v1/appeals/{id}/accept']!.post!.operationId).toBe('postAppealsByIdAccept');
    expect(paths['/api/v1/auth/wechat-web/start']!.get!.operationId).toBe('getAuthWechatWebStart');
    expect(operationIdOf('get', '/api/v1/news/articles/{id}/like')).toBe('getNewsArticlesByIdLike');
  });

  it('tells clients that every write may be answered 429 with Retry-After, and reads are not', async () => {
    // Catches: the write limits missing from the API document, so a client is not built to wait and retry.
    const paths = (await s.api('GET', '/api/docs')).body.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    const ops = Object.values(paths).flatMap((p) => Object.entries(p));
    const writes = ops.filter(([method]) => method !== 'get');
    expect(writes.length).toBeGreaterThan(20);
    for (const [, op] of writes) expect(op.responses['429']?.headers).toHaveProperty('Retry-After');
    for (const [, op] of ops.filter(([method]) => method === 'get')) expect(op.responses['429']).toBeUndefined();
  });
});

describe('config', () => {
  it('refuses production without secrets, naming each variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (err) {
      expect(String(err)).toContain('JWT_SECRET');
      expect(String(err)).toContain('BOT_TOKEN');
      expect(String(err)).toContain('MONGODB_URI');
    }
  });

  it('refuses a bad port and a half WeChat configuration', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ WECHAT_APPID: 'wx1' })).toThrow(/WECHAT_SECRET/);
  });

  it('has working development defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.wechat).toBeUndefined();
    expect(c.env).toBe('development');
  });
});

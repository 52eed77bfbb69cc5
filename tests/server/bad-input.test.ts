/**
 * Every endpoint, from the same route table the server mounts: bad input gets a 4xx in the error
 * format with a message that names what was wrong. A new route is covered without a new test.
 * Each route is called by the least privileged caller it allows (a listed role before the admin,
 * who passes every check), so validation is proven for the people who really call it; who gets
 * 401 or 403 is tests/server/role-matrix.test.ts.
 */
import { routeGroups } from '../../server/app';
import type { RouteDef } from '../../server/core/route';
import { demoPeople } from '../../common/demo-county';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  s = await startTestServer();
  tokens.user = await s.residentToken();
  tokens.bot = s.ctx.config.botToken;
  for (const p of demoPeople) {
    const role = p.roles[0];
    if (p.username && p.roles.length === 1 && !tokens[role]) tokens[role] = await s.staffToken(p.username);
  }
});
afterAll(() => s?.stop());

const MISSING_ID = '0123456789abcdef01234567';

function allRoutes(): { path: string; def: RouteDef }[] {
  return routeGroups(s.ctx).flatMap((g) => g.routes.map((def) => ({ path: g.prefix + def.path, def })));
}

function tokenFor(def: RouteDef): string | undefined {
  if (def.access === 'public') return undefined;
  if (def.access === 'user') return tokens.user;
  if (def.access === 'bot') return tokens.bot;
  const role = def.access.find((r) => r !== 'admin' && tokens[r]) ?? 'admin';
  return tokens[role];
}

const fill = (path: string, id: string) => path.replace(/:[A-Za-z]+/g, id).replace(/\/$/, '');

function expectClearError(res: { status: number; body: any }, label: string) {
  if (res.status < 400 || res.status >= 500) throw new Error(`${label}: expected 4xx, got ${res.status} ${JSON.stringify(res.body)}`);
  // The caller is one the route allows: a 401/403 would mean the input was never looked at.
  if (res.status === 401 || res.status === 403) throw new Error(`${label}: the caller was refused (${res.status}) before the input was checked`);
  expect(typeof res.body?.error?.code).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(3);
}

describe('every endpoint refuses bad input with a clear 4xx', () => {
  it('unknown body keys', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.body)) {
      const res = await s.api(def.method.toUpperCase(), fill(path, MISSING_ID), { token: tokenFor(def), body: { notAField: 1 } });
      expectClearError(res, `${def.method} ${path}`);
      expect(res.status).toBe(400);
    }
  });

  it('operator keys in the body', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.body)) {
      const res = await s.api(def.method.toUpperCase(), fill(path, MISSING_ID), { token: tokenFor(def), body: { $where: 'sleep(1000)' } });
      expectClearError(res, `${def.method} ${path}`);
      expect(res.body.error.message).toContain('$');
    }
  });

  it('a body that is not an object', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.body)) {
      const res = await s.api(def.method.toUpperCase(), fill(path, MISSING_ID), { token: tokenFor(def), body: ['x'] });
      expectClearError(res, `${def.method} ${path}`);
    }
  });

  it('malformed ids in the path', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.params)) {
      // Spaces: no id, ticket number or contact id has them.
      const res = await s.api(def.method.toUpperCase(), fill(path, 'not%20an%20id'), { token: tokenFor(def), body: def.body ? {} : undefined });
      expectClearError(res, `${def.method} ${path}`);
      const param = /:([A-Za-z]+)/.exec(path)![1];
      expect(res.body.error.message).toContain(`params.${param}`);
    }
  });

  it('unknown query parameters', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.query)) {
      const res = await s.api(def.method.toUpperCase(), `${fill(path, MISSING_ID)}?notAParam=1`, { token: tokenFor(def) });
      expectClearError(res, `${def.method} ${path}`);
      expect(res.status).toBe(400);
    }
  });

  it('no credentials where they are needed', async () => {
    for (const { path, def } of allRoutes().filter((r) => r.def.access !== 'public')) {
      const res = await s.api(def.method.toUpperCase(), fill(path, MISSING_ID), { body: def.body ? {} : undefined });
      expect(res.status).toBe(401);
    }
  });
});

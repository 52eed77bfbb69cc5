/**
 * The four catalogues (categories, departments, news columns, the services directory) share one CRUD
 * (server/core/catalogue.ts). Over HTTP for each: two creates of one code (or name) that both pass
 * their duplicate lookup before either inserts get one 201 and one 409 naming the value; an edit
 * changes the cached list's ETag at once.
 *
 * The races run on a small app built from the real kit (authentication, route mounting, error
 * middleware) with the feature's own route table, made with a hook that holds each create after its
 * lookup: the server's own app builds its tables without hooks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { authenticate } from '../../server/auth/authenticate';
import type { CatalogueHooks } from '../../server/core/catalogue';
import { errorMiddleware } from '../../server/core/error-middleware';
import { mountRoutes, type RouteDef } from '../../server/core/route';
import type { AppContext } from '../../server/context';
import { categoryRoutes } from '../../server/categories/routes';
import { departmentRoutes } from '../../server/departments/routes';
import { columnRoutes } from '../../server/news/column-routes';
import { serviceDirectoryRoutes } from '../../server/service-directory/routes';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer({ backgroundJobs: false });
  admin = await s.staffToken('admin');
}, 60_000);
afterAll(() => s?.stop());

let seq = 0;
/** Letters and digits only: valid as a category, department and column code alike. */
const fresh = (base: string) => `${base}x${++seq}`;

interface Kind {
  name: string;
  path: string;
  routes: (ctx: AppContext, hooks: CatalogueHooks) => RouteDef[];
  /** The unique field the race is on, and how the 409 names it. */
  key: 'code' | 'name';
  value: () => string;
  message: (value: string) => string;
  /** A create body with `value` in the key; `n` tells the two racing bodies apart elsewhere. */
  body: (value: string, n: number) => Record<string, unknown>;
  /** Where the admins' full list is read (retired entries too). */
  listAll: string;
}

const kinds: Kind[] = [
  {
    name: 'categories', path: '/api/v1/categories', routes: categoryRoutes, key: 'code', value: () => fresh('race'), listAll: '/api/v1/categories?all=true',
    message: (v) => `分类编码「${v}」已存在`,
    body: (code, n) => ({ code, name: `并发分类${n}`, group: '测试' }),
  },
  {
    name: 'departments', path: '/api/v1/departments', routes: departmentRoutes, key: 'code', value: () => fresh('race'), listAll: '/api/v1/departments',
    message: (v) => `部门编码「${v}」已存在`,
    // Different names, one code: the 409 must name the code that clashed.
    body: (code, n) => ({ code, name: `并发部门${seq}-${n}` }),
  },
  {
    name: 'columns', path: '/api/v1/columns', routes: columnRoutes, key: 'code', value: () => fresh('race'), listAll: '/api/v1/columns?all=true',
    message: (v) => `栏目编码「${v}」已存在`,
    body: (code, n) => ({ code, name: `并发栏目${n}`, reviewLevels: 1 }),
  },
  {
    name: 'services', path: '/api/v1/services', routes: serviceDirectoryRoutes, key: 'name', value: () => `并发服务${++seq}`, listAll: '/api/v1/services?all=true',
    message: (v) => `服务名称「${v}」已存在`,
    body: (name, n) => ({ name, group: '测试分组', phone: n === 1 ? '12345' : '12346' }),
  },
];

/** Holds every create after its duplicate lookup until two have looked: then both insert. */
function holdTwoCreates() {
  let looked = 0;
  let release!: () => void;
  const bothLooked = new Promise<void>((r) => (release = r));
  const hooks: CatalogueHooks = {
    afterLookup: async () => {
      if (++looked === 2) release();
      await bothLooked;
    },
  };
  return { hooks, looked: () => looked };
}

/** The route table served over HTTP by the real kit: authentication, mounting, error middleware. */
async function serve(routes: RouteDef[]): Promise<{ post: (body: unknown) => Promise<{ status: number; body: any }>; close: () => Promise<void> }> {
  const app = express();
  app.use(express.json(), authenticate(s.ctx));
  const router = Router();
  mountRoutes(router, routes, { limitWrite: async () => {} });
  app.use('/', router);
  app.use(errorMiddleware);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    post: async (body) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(kinds)('$name', (k) => {
  it('two creates of one value that both passed the lookup: one 201, one 409 naming the value', async () => {
    // Catches: the race's loser answered by the unique index's bare 409 (编码已存在, no value) or a 500, or both stored.
    const hold = holdTwoCreates();
    const app = await serve(k.routes(s.ctx, hold.hooks));
    try {
      const value = k.value();
      const [a, b] = await Promise.all([app.post(k.body(value, 1)), app.post(k.body(value, 2))]);
      // Both were held after their lookup until the other had looked too: neither lookup saw the other's entry.
      expect(hold.looked()).toBe(2);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error).toEqual({ code: 'DUPLICATE', message: k.message(value), details: [{ path: `body.${k.key}`, message: '已存在' }] });
      const all = await s.api('GET', k.listAll, { token: admin });
      expect(all.body.items.filter((e: Record<string, string>) => e[k.key] === value)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it("an edit changes the cached list's ETag at once, and the list shows it", async () => {
    // Catches: a catalogue whose list cache is not invalidated by an edit (304 to an old ETag, stale names in pickers).
    const value = k.value();
    const created = await s.api('POST', k.path, { token: admin, body: k.body(value, 1) });
    expect(created.status).toBe(201);
    const first = await s.api('GET', k.path, { token: admin });
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await s.api('GET', k.path, { token: admin, headers: { 'If-None-Match': etag } })).status).toBe(304);
    const renamed = `改名${++seq}`;
    expect((await s.api('PATCH', `${k.path}/${created.body.id}`, { token: admin, body: { name: renamed } })).status).toBe(200);
    const after = await s.api('GET', k.path, { token: admin, headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(after.body.items.find((e: { id: string }) => e.id === created.body.id).name).toBe(renamed);
  });
});

describe('edits onto another entry’s unique value', () => {
  it('a department renamed onto another department’s name is a 409 naming it', async () => {
    // Catches: the rename reaching the unique index and coming back as the bare 名称已存在 (no name, no body.name path).
    const a = await s.api('POST', '/api/v1/departments', { token: admin, body: { code: fresh('dept'), name: `甲部门${++seq}` } });
    const b = await s.api('POST', '/api/v1/departments', { token: admin, body: { code: fresh('dept'), name: `乙部门${++seq}` } });
    const res = await s.api('PATCH', `/api/v1/departments/${b.body.id}`, { token: admin, body: { name: a.body.name } });
    expect([res.status, res.body.error]).toEqual([409, { code: 'DUPLICATE', message: `部门名称「${a.body.name}」已存在`, details: [{ path: 'body.name', message: '已存在' }] }]);
  });
});

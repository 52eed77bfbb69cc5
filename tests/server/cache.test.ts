/**
 * The read cache (server/core/cache): read-mostly routes served from memory with ETag/304, and
 * still correct when several server processes share one database. Two servers run here on the
 * same database: A (with its own embedded database) and B (a second app connected to A's).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { ReadCache } from '../../server/core/cache/read-cache';
import { readStamps, type Stamps } from '../../server/core/cache/stamps';
import type { RunningServer } from '../../server/server';
import { seedDemoCounty } from '../../server/seed/seed';
import { startSecondServer, startTestServer, type TestServer } from '../helpers/server';

let a: TestServer;
let b: RunningServer;
let admin: string;

beforeAll(async () => {
  a = await startTestServer();
  b = await startSecondServer(a);
  admin = await a.staffToken('admin');
});
afterAll(async () => {
  await b?.close();
  await a?.stop();
});

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag'), cacheControl: res.headers.get('cache-control'), vary: res.headers.get('vary') };
}

/** Wait for a condition the server reaches on its own (bounded: fails the test instead of hanging). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const categoryNamed = (body: { items: { code: string; name: string }[] }, code: string) => body.items.find((c) => c.code === code)?.name;

describe('two server processes on one database', () => {
  it('GET /categories on B serves from memory, and a write through A shows on B at once', async () => {
    const first = await get(b.url, '/api/v1/categories');
    const loads = b.ctx.cache.stats.loads;
    const again = await get(b.url, '/api/v1/categories');
    // Catches a cache that is never used (every request reloading from the database).
    expect(b.ctx.cache.stats.loads).toBe(loads);
    expect(again.text).toBe(first.text);

    const noise = first.body.items.find((c: { code: string }) => c.code === 'noise');
    const patched = await a.api('PATCH', `/api/v1/categories/${noise.id}`, { token: admin, body: { name: '噪音扰民（夜间）' } });
    expect(patched.status).toBe(200);
    // Catches invalidation that only reaches the process that wrote (B's memory still old).
    expect(categoryNamed((await get(b.url, '/api/v1/categories')).body, 'noise')).toBe('噪音扰民（夜间）');
  });

  it('answers 304 without a body to a matching If-None-Match, and 200 with a new ETag after a write elsewhere', async () => {
    const first = await get(b.url, '/api/v1/regions');
    expect(first.status).toBe(200);
    // A strong ETag and revalidation on every use: catches weak or missing validators.
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.cacheControl).toBe('no-cache');

    const revalidated = await get(b.url, '/api/v1/regions', { 'if-none-match': first.etag! });
    // Catches a body sent again although the client has it.
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');

    const county = first.body.items[0];
    expect((await a.api('PATCH', `/api/v1/regions/${county.id}`, { token: admin, body: { name: '东溪县（新）' } })).status).toBe(200);
    const renamed = await get(b.url, '/api/v1/regions', { 'if-none-match': first.etag! });
    // Catches a stale 304 after a write through another process.
    expect(renamed.status).toBe(200);
    expect(renamed.etag).not.toBe(first.etag);
    expect(renamed.body.items[0].name).toBe('东溪县（新）');
    expect((await a.api('PATCH', `/api/v1/regions/${county.id}`, { token: admin, body: { name: county.name } })).status).toBe(200);
  });

  it('sends the prepared bytes with their length and type, and HEAD the same headers without a body', async () => {
    // Catches the cached body written without Express's res.send (cache/read-cache.ts respond)
    // losing its Content-Type or Content-Length, or sending the body to a HEAD request.
    const res = await fetch(`${b.url}/api/v1/categories`);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(body.length));
    const head = await fetch(`${b.url}/api/v1/categories`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('GET /regions/:id on B follows a rename through A', async () => {
    const id = await a.regionId('DX-01');
    const before = await get(b.url, `/api/v1/regions/${id}`);
    expect(before.body.name).toBe('城关镇');
    expect((await a.api('PATCH', `/api/v1/regions/${id}`, { token: admin, body: { name: '城关街道' } })).status).toBe(200);
    // Catches per-id entries that are not invalidated with the namespace.
    expect((await get(b.url, `/api/v1/regions/${id}`)).body.name).toBe('城关街道');
    expect((await a.api('PATCH', `/api/v1/regions/${id}`, { token: admin, body: { name: '城关镇' } })).status).toBe(200);
  });
});

describe('variants', () => {
  it('caches each query separately, whatever the parameter order', async () => {
    const roots = await get(b.url, '/api/v1/regions');
    const grids = await get(b.url, '/api/v1/regions?level=grid&pageSize=20');
    const reordered = await get(b.url, '/api/v1/regions?pageSize=20&level=grid');
    // Catches one entry served for every query string.
    expect(grids.body.items.every((r: { level: string }) => r.level === 'grid')).toBe(true);
    expect(roots.body.items.map((r: { level: string }) => r.level)).toEqual(['county']);
    expect(reordered.text).toBe(grids.text);
    expect(reordered.etag).toBe(grids.etag);
    expect(grids.etag).not.toBe(roots.etag);
  });

  it('keeps the admins-only catalogue (all=true) apart from the public one, marked private', async () => {
    const list = (await get(b.url, '/api/v1/categories')).body;
    const prices = list.items.find((c: { code: string }) => c.code === 'prices');
    expect((await a.api('PATCH', `/api/v1/categories/${prices.id}`, { token: admin, body: { active: false } })).status).toBe(200);
    const asAdmin = await get(b.url, '/api/v1/categories?all=true', { authorization: `Bearer ${admin}` });
    const anonymous = await get(b.url, '/api/v1/categories?all=true');
    // Catches the admin variant leaking to anyone who adds all=true (or the reverse).
    expect(categoryNamed(asAdmin.body, 'prices')).toBeDefined();
    expect(categoryNamed(anonymous.body, 'prices')).toBeUndefined();
    expect(asAdmin.cacheControl).toBe('private, no-cache');
    expect(asAdmin.vary).toMatch(/authorization/i);
    expect(anonymous.cacheControl).toBe('no-cache');
    expect((await a.api('PATCH', `/api/v1/categories/${prices.id}`, { token: admin, body: { active: true } })).status).toBe(200);
  });

  it('GET /departments stays for signed-in users only, private', async () => {
    // Catches a cached response served before the access check.
    expect((await get(b.url, '/api/v1/departments')).status).toBe(401);
    const res = await get(b.url, '/api/v1/departments', { authorization: `Bearer ${admin}` });
    expect(res.status).toBe(200);
    expect(res.cacheControl).toBe('private, no-cache');
  });
});

describe('a body read from two collections', () => {
  it('is reloaded after a write to either, and only then', async () => {
    const cache = new ReadCache({ readStamps: () => readStamps(a.ctx.conn) });
    let loads = 0;
    const spec = { namespace: ['categories', 'departments'], key: 'joined' };
    const load = async () => ({ n: ++loads });
    await cache.entry(spec, load);
    await cache.entry(spec, load);
    expect(loads).toBe(1);
    await a.models.Department.updateOne({ code: 'urban' }, { $set: { sort: 0 } });
    await cache.entry(spec, load);
    // Catches a label built from the first namespace only (a department write going unseen).
    expect(loads).toBe(2);
    await a.models.Region.updateOne({ code: 'DX' }, { $set: { sort: 0 } });
    await cache.entry(spec, load);
    // Catches entries dropped on writes to namespaces the body does not read.
    expect(loads).toBe(2);
  });
});

describe('writes outside the API bump the stamp', () => {
  const version = async (ns: string) => (await readStamps(a.ctx.conn)).v[ns] ?? 0;

  it('every kind of model write on departments bumps its namespace', async () => {
    const { Department } = a.models;
    const ops: [string, () => Promise<unknown>][] = [
      ['create', () => Department.create({ name: '测试部门一', code: 'test-one' })],
      ['insertMany', () => Department.insertMany([{ name: '测试部门二', code: 'test-two' }])],
      ['insertOne', async () => { await Department.insertOne({ name: '测试部门四', code: 'test-four' }); }],
      ['bulkSave', async () => { const d = (await Department.findOne({ code: 'test-four' }))!; d.sort = 905; await Department.bulkSave([d]); }],
      ['doc.save', async () => { const d = (await Department.findOne({ code: 'test-one' }))!; d.phone = '0000-1234'; await d.save(); }],
      ['updateOne', () => Department.updateOne({ code: 'test-one' }, { $set: { sort: 900 } })],
      ['updateMany', () => Department.updateMany({ code: /^test-/ }, { $set: { sort: 901 } })],
      ['findOneAndUpdate', () => Department.findOneAndUpdate({ code: 'test-two' }, { $set: { sort: 902 } })],
      ['findByIdAndUpdate', async () => Department.findByIdAndUpdate((await Department.findOne({ code: 'test-two' }))!._id, { $set: { sort: 903 } })],
      ['replaceOne', () => Department.replaceOne({ code: 'test-two' }, { name: '测试部门二', code: 'test-two', sort: 1 })],
      ['bulkWrite', () => Department.bulkWrite([{ updateOne: { filter: { code: 'test-two' }, update: { $set: { sort: 904 } } } }])],
      ['doc.deleteOne', async () => (await Department.findOne({ code: 'test-two' }))!.deleteOne()],
      ['findOneAndDelete', () => Department.findOneAndDelete({ code: 'test-one' })],
      ['insert then deleteMany', async () => { await Department.collection.insertOne({ name: '测试部门三', code: 'test-three' }); await Department.deleteMany({ code: /^test-/ }); }],
      ['deleteOne', () => Department.deleteOne({ code: 'nothing-matches' })],
      ['a failed insert (duplicate code)', () => Department.create({ name: '重复', code: 'urban' }).catch(() => undefined)],
    ];
    for (const [name, op] of ops) {
      const before = await version('departments');
      await op();
      // Catches a write path the plugin misses (one forgotten hook = stale data on every process).
      expect({ op: name, bumped: (await version('departments')) > before }).toEqual({ op: name, bumped: true });
    }
  });

  it('a department created through the model shows on B at once', async () => {
    const token = admin;
    expect((await get(b.url, '/api/v1/departments', { authorization: `Bearer ${token}` })).status).toBe(200);
    await a.models.Department.create({ name: '模型直写部门', code: 'model-direct' });
    const res = await get(b.url, '/api/v1/departments', { authorization: `Bearer ${token}` });
    // Catches invalidation wired to API routes only.
    expect(res.body.items.map((d: { code: string }) => d.code)).toContain('model-direct');
    await a.models.Department.deleteOne({ code: 'model-direct' });
  });

  it('seeding an empty database invalidates what a server cached while it was empty', async () => {
    const empty = await startTestServer({ seed: false });
    try {
      const before = await empty.api('GET', '/api/v1/regions');
      expect(before.body.items).toEqual([]);
      await seedDemoCounty(empty.models);
      // Catches seed writes that bypass the stamp.
      expect((await empty.api('GET', '/api/v1/regions')).body.items.map((r: { name: string }) => r.name)).toEqual(['东溪县']);
    } finally {
      await empty.stop();
    }
  });
});

describe('concurrency: stamp reads are shared, never stale', () => {
  let c: Server;
  let cUrl: string;
  let cache: ReadCache;
  let stampReads = 0;
  let hold: { gate: Promise<void>; reached: () => void } | null = null;

  /**
   * A third app on B's connection whose stamp reads can be held after they have read the database,
   * to make "a read in flight" last as long as the test needs.
   */
  beforeAll(async () => {
    cache = new ReadCache({
      readStamps: async (): Promise<Stamps> => {
        stampReads++;
        const stamps = await readStamps(b.ctx.conn);
        const h = hold;
        hold = null;
        if (h) {
          h.reached();
          await h.gate;
        }
        return stamps;
      },
    });
    c = createServer(createApp({ ...b.ctx, cache }));
    await new Promise<void>((resolve) => c.listen(0, '127.0.0.1', resolve));
    cUrl = `http://127.0.0.1:${(c.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    c.closeAllConnections();
    await new Promise((resolve) => c.close(resolve));
  });

  function holdNextRead() {
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const readDone = new Promise<void>((r) => (reached = r));
    hold = { gate, reached };
    return { release, readDone };
  }

  it('40 overlapping GETs after a write: 2 stamp reads, 1 load, all fresh', async () => {
    const list = await get(cUrl, '/api/v1/categories');
    const other = list.body.items.find((c: { code: string }) => c.code === 'other');
    expect((await a.api('PATCH', `/api/v1/categories/${other.id}`, { token: admin, body: { name: '其他问题（并发）' } })).status).toBe(200);

    const reads0 = stampReads;
    const loads0 = cache.stats.loads;
    const { release } = holdNextRead();
    const pending = Array.from({ length: 40 }, () => get(cUrl, '/api/v1/categories'));
    // All 40 are inside the server at once, waiting on the held read: the requests overlap.
    await until(() => cache.stats.waiting === 40, '40 requests waiting for the stamp');
    release();
    const results = await Promise.all(pending);

    // Catches one stamp read per request (no coalescing) and one load per request (no sharing).
    expect(stampReads - reads0).toBe(2);
    expect(cache.stats.loads - loads0).toBe(1);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    // Catches an entry from before the write served to requests that came after it.
    expect(categoryNamed(results[0].body, 'other')).toBe('其他问题（并发）');
  });

  it('a request that arrives while a stamp read is in flight waits for the next read (read-your-writes)', async () => {
    const list = await get(cUrl, '/api/v1/categories');
    const other = list.body.items.find((c: { code: string }) => c.code === 'other');
    const oldName = other.name;

    const { release, readDone } = holdNextRead();
    const early = get(cUrl, '/api/v1/categories');
    await readDone; // the early request's stamp read has read the database, and is held
    expect((await a.api('PATCH', `/api/v1/categories/${other.id}`, { token: admin, body: { name: '其他问题（读己之写）' } })).status).toBe(200);
    const late = get(cUrl, '/api/v1/categories');
    await until(() => cache.stats.waiting === 2, 'the late request to wait for the stamp');
    release();

    // The early request arrived before the write finished: the old entry is a right answer for it.
    expect(categoryNamed((await early).body, 'other')).toBe(oldName);
    // Catches a late request sharing the read that started before it arrived (and before the write).
    expect(categoryNamed((await late).body, 'other')).toBe('其他问题（读己之写）');
  });
});

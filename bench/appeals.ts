/**
 * Appeals under load, each figure beside its baseline in the same run:
 *
 *  1. Filing: `POST /api/v1/appeals` as the 30 demo residents (distinct idempotency keys,
 *     categories and regions in turn) at 10 and at 50 requests in flight, beside raw driver
 *     `insertOne`s of the very documents the API stored (read back, new _id, number and key) at the
 *     same concurrency on the same database. Appeals/s of each and the ratio.
 *  2. Direct dispatch: `dispatchMs` (submission to assignment) of the appeals filed in part 1 whose
 *     category names a unit, p50/p99, beside the filing request's own latency.
 *  3. The inbox (`GET /api/v1/appeals?view=inbox`): the county dispatcher and a department, first
 *     page and a filtered page, p50/p99 of sequential requests, with 10k and with 100k appeals in
 *     the database. The database is filled to each size with generated appeals shaped like filed
 *     ones (model.ts fields, deadlines and timeline by state, spread over the 24 community and grid
 *     paths, 8 departments, 17 categories and 90 days), bulk-inserted with the driver.
 *
 * The project runs in a child process as `npm start` runs it (its own embedded FerretDB in a temp
 * folder, demo county seeded, background jobs on, log level warn); this process drives it and
 * opens its own connection to the same database for the raw inserts and the loading.
 *
 *  5. With `--mine` (only this part): a resident's own appeals right after a write, through the API
 *     and through the driver (the old `$or` page beside each branch the list reads now), at 10k (and
 *     100k) or the sizes of `--size N[,N...]`.
 *
 *   npx tsx bench/appeals.ts [seconds] [--100k] [--filing | --inbox | --mine [--size N,N]]
 *   (default 6 s per filing measurement (2..30) and the 10k size, about 2 minutes; --100k adds
 *   the 100k size, whose loading alone took 8 minutes here; --filing runs only parts 1 and 2,
 *   --inbox only part 3)
 *
 * Roles of this file: no argument = the bench; `--project` = the child.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import pino from 'pino';
import { APPEAL_LISTS_CACHE } from '../server/appeals/model';
import { backfillAppealFollows } from '../server/appeals';
import { APPEAL_STATES } from '../server/appeals/state-machine';
import { bumpStamp } from '../server/core/cache/stamps';
import { pathPrefixRegex } from '../server/regions';
import { scopePathsOf } from '../server/appeals/scope';
import { withDbName } from '../server/db/embedded';
import { serveProject, startChild, START_TIMEOUT_MS, type Child } from './support/child';
import { ms, percentile, prng } from './support/stats';
import { childrenOf, cpuMsOf } from './support/proc';
import { BATCH, demoData, fillTo, type Demo, type Models } from './support/generated-appeals';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const SECONDS = Math.min(Math.max(Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--size')) || 6, 2), 30);
// 100k takes about 8 minutes to load on the 2-core development machine: only on request.
const SIZES = args.includes('--100k') ? [10_000, 100_000] : [10_000];
const CONCURRENCY = [10, 50];
/** Turns of API filing and driver inserts per concurrency (the seconds are shared among them). */
const ROUNDS = 3;
const MINE_ONLY = args.includes('--mine');
const PARTS = { filing: !MINE_ONLY && !args.includes('--inbox'), inbox: !MINE_ONLY && !args.includes('--filing'), mine: MINE_ONLY };
/** `--size N[,N...]` (with --mine): the sizes to fill to, ascending, instead of 10k (and 100k). */
const sizeAt = args.indexOf('--size');
const MINE_SIZES = sizeAt < 0 ? SIZES : [...new Set((args[sizeAt + 1] ?? '').split(',').map((v) => Math.min(Math.max(Number(v) || 10_000, 1000), 200_000)))].sort((a, b) => a - b);
const MAX_FILED = 5000; // per concurrency level, whatever the duration
const INBOX_SAMPLES = 100;
const INBOX_MAX_MS = 8000;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

// ---- small helpers ----

const sec = (t0: number) => (performance.now() - t0) / 1000;

/** Runs `task(i)` for i = 0, 1 … with `concurrency` in flight until `seconds` pass or `max` are started. */
async function pool(concurrency: number, seconds: number, max: number, task: (i: number) => Promise<void>): Promise<{ n: number; seconds: number }> {
  let next = 0;
  const t0 = performance.now();
  const stopAt = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < max && performance.now() < stopAt) await task(next++);
    }),
  );
  return { n: next, seconds: sec(t0) };
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

// ---- the bench ----

interface Filing {
  concurrency: number;
  api: { n: number; seconds: number; latencies: number[]; failed: number };
  raw: { n: number; seconds: number };
  /** CPU ms of the server process and its database during the API turns and the driver's. */
  cpu: { api: { server: number; db: number }; raw: { server: number; db: number } };
  dispatchMs: number[];
  directLatencies: number[];
}

async function fileThroughApi(base: string, tokens: string[], demo: Demo, concurrency: number, round: number): Promise<Filing['api'] & { keys: Map<string, number> }> {
  const latencies: number[] = [];
  const keys = new Map<string, number>();
  let failed = 0;
  const r = await pool(concurrency, SECONDS / ROUNDS, MAX_FILED / ROUNDS, async (i) => {
    const category = demo.categories[i % demo.categories.length];
    const region = demo.regions[i % demo.regions.length];
    const key = `bench-c${concurrency}-r${round}-${i}`;
    const body = { idempotencyKey: key, kind: 'help', categoryId: String(category._id), description: `第${i}号压测诉求：${region.name}附近路灯不亮，晚上出行不便，请尽快处理。`, regionId: String(region._id), place: '压测地点' };
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/appeals`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    const took = performance.now() - t0;
    if (res.status === 201) {
      latencies.push(took);
      keys.set(key, took);
    } else failed++;
  });
  return { ...r, latencies, failed, keys };
}

/** The same documents the API stored, inserted again by the driver (new _id, number and key). */
async function insertRaw(models: Models, prefix: string, concurrency: number, count: number): Promise<Filing['raw']> {
  const stored = await models.Appeal.collection.find({ idempotencyKey: { $regex: `^${prefix}` } }).limit(count).toArray();
  const copies = stored.map((d, i) => ({ ...d, _id: new Types.ObjectId(), number: `${d.number}-R${i}`, idempotencyKey: `raw-${d.idempotencyKey}` }));
  return pool(concurrency, 3600, copies.length, async (i) => {
    await models.Appeal.collection.insertOne(copies[i]);
  });
}

const SHAPE_SAMPLES = 30;
interface ShapeCase {
  name: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** p50 of each case's two filters as a list's first page reads them (alternating, after a warm-up). */
async function measureShapes(models: Models, cases: ShapeCase[]): Promise<{ before: number; after: number }[]> {
  const beyond = new Types.ObjectId('ffffffffffffffffffffffff');
  const page = async (f: Record<string, unknown>) => {
    const where = { ...f, _id: { $lt: beyond } };
    const t = performance.now();
    await models.Appeal.collection.find(where, { projection: { timeline: 0 } }).sort({ _id: -1 }).limit(21).toArray();
    return performance.now() - t;
  };
  const out: { before: number; after: number }[] = [];
  for (const c of cases) {
    await page(c.before);
    await page(c.after);
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < SHAPE_SAMPLES; i++) {
      before.push(await page(c.before));
      after.push(await page(c.after));
    }
    out.push({ before: percentile(before, 50), after: percentile(after, 50) });
  }
  return out;
}

interface InboxCase {
  name: string;
  url: string;
  token: string;
}

/** Sequential requests of one page; `beforeEach` (untimed) runs before every request after the warm-up. */
async function measureInbox(base: string, c: InboxCase, beforeEach?: () => Promise<unknown>): Promise<{ p50: number; p99: number; n: number; items: number }> {
  const get = async () => {
    const res = await fetch(base + c.url, { headers: { authorization: `Bearer ${c.token}` } });
    return json<{ items: unknown[] }>(res, c.name);
  };
  for (let i = 0; i < 3; i++) await get(); // warm-up
  const lat: number[] = [];
  let items = 0;
  const t0 = performance.now();
  while (lat.length < INBOX_SAMPLES && (performance.now() - t0 < INBOX_MAX_MS || lat.length < 5)) {
    await beforeEach?.();
    const s = performance.now();
    items = (await get()).items.length;
    lat.push(performance.now() - s);
  }
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length, items };
}

/** p50 of `read` over SHAPE_SAMPLES calls after a warm-up; `beforeEach` (untimed) before every timed call. */
async function p50Of(read: () => Promise<unknown>, beforeEach?: () => Promise<unknown>, samples = SHAPE_SAMPLES): Promise<number> {
  await read();
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) {
    await beforeEach?.();
    const t = performance.now();
    await read();
    lat.push(performance.now() - t);
  }
  return percentile(lat, 50);
}

/**
 * 5. A resident's "my appeals" (demo-resident-01, who files about one generated appeal in 30 and
 * follows some) right after a write, through the API, beside the driver reading the page the way
 * the list used to (one `$or` of reporter, submitter and follower) and each of the branches the
 * list reads now (mine.ts: reporter, submitter, the follow rows, the followed appeals by `_id`).
 */
async function measureMine(base: string, models: Models, demo: Demo, login: (url: string, body: unknown) => Promise<string>): Promise<void> {
  const conn = models.Appeal.db;
  const beyond = new Types.ObjectId('ffffffffffffffffffffffff');
  const rand = prng(20261207);
  const rows: { size: number; own: number; cells: number[] }[] = [];
  const names = ['API mine, after a write', 'API counts (resident), after a write', 'driver: the old badges ($or counts, at once)', 'driver: the old $or page', 'driver: reporter branch', 'driver: submitter branch', 'driver: follow rows', 'driver: followed appeals by _id'];
  console.log(`\n5. A resident's own appeals (GET /api/v1/appeals?view=mine, 20 a page) right after a write (stamp bumped before each request) and the driver's reads, p50 of ${SHAPE_SAMPLES}`);
  for (const size of MINE_SIZES) {
    const fill = await fillTo(models, demo, size, rand);
    // The generated followers' rows, as the project's next start writes them (appeals/follows.ts).
    await backfillAppealFollows({ conn, logger: pino({ level: 'warn' }) }, { full: true });
    await bumpStamp(conn, APPEAL_LISTS_CACHE);
    console.log(`   loaded ${fill.added} generated appeals to reach ${size} in ${fill.seconds.toFixed(1)} s`);
    const token = await login('/api/v1/auth/dev-login', { openid: demo.residents[0] });
    const me = new Types.ObjectId(((await json<{ id: string }>(await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }), 'me')).id));
    const or = { $or: [{ reporterId: me }, { submittedById: me }, { followerIds: me, followersCount: { $gt: 0 } }] };
    const own = await models.Appeal.collection.countDocuments(or);
    const afterWrite = () => bumpStamp(conn, APPEAL_LISTS_CACHE);
    const get = (url: string) => async () => json<unknown>(await fetch(base + url, { headers: { authorization: `Bearer ${token}` } }), url);
    const api = { p50: await p50Of(get('/api/v1/appeals?view=mine'), afterWrite) };
    const counts = { p50: await p50Of(get('/api/v1/appeals/counts'), afterWrite, 10) };
    const page = (f: Record<string, unknown>) => models.Appeal.collection.find({ ...f, _id: { $lt: beyond } }, { projection: { timeline: 0 } }).sort({ _id: -1 }).limit(21).toArray();
    const followIds = (await models.AppealFollow.collection.find({ userId: me, appealId: { $lt: beyond } }).sort({ appealId: -1 }).limit(21).toArray()).map((r) => r.appealId);
    const cells = [
      api.p50,
      counts.p50,
      await p50Of(() => Promise.all([...APPEAL_STATES.map((state) => ({ state })), { overdue: true }].map((c) => models.Appeal.collection.countDocuments({ ...or, ...c }))), undefined, 5),
      await p50Of(() => page(or)),
      await p50Of(() => page({ reporterId: me })),
      await p50Of(() => page({ submittedById: me })),
      await p50Of(() => models.AppealFollow.collection.find({ userId: me, appealId: { $lt: beyond } }).sort({ appealId: -1 }).limit(21).toArray()),
      await p50Of(() => models.Appeal.collection.find({ _id: { $in: followIds } }, { projection: { timeline: 0 } }).toArray()),
    ];
    rows.push({ size, own, cells });
  }
  const h = `${'p50 ms'.padEnd(40)} ${rows.map((r) => `${r.size / 1000}k (own ${r.own})`.padStart(16)).join(' ')}${rows.length > 1 ? ' ' + 'last/first'.padStart(11) : ''}`;
  console.log(h);
  console.log('-'.repeat(h.length));
  for (const [i, name] of names.entries()) {
    const ratio = rows.length > 1 ? ` ${`${(rows[rows.length - 1].cells[i] / rows[0].cells[i]).toFixed(2)}x`.padStart(11)}` : '';
    console.log(`${name.padEnd(40)} ${rows.map((r) => ms(r.cells[i]).padStart(16)).join(' ')}${ratio}`);
  }
}

async function bench(): Promise<void> {
  const cpus = os.cpus();
  console.log(`Appeals bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (compare rows of one run)`);
  const tStart = performance.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-appeals-'));
  let child: Child | null = null;
  let conn: mongoose.Connection | null = null;
  const cap = setTimeout(() => {
    console.error('bench/appeals.ts: time cap reached, stopping');
    process.exit(1);
  }, START_TIMEOUT_MS + 15 * 60_000);
  cap.unref();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
      // The load is many filings from few demo accounts: the per-account limits are not what it measures.
      APPEAL_LIMIT_SCALE: '100000', WRITE_RATE_LIMIT_PER_MINUTE: '100000', WRITE_RATE_LIMIT_PER_HOUR: '1000000', WRITE_RATE_LIMIT_ADDRESS_PER_MINUTE: '100000' };
    delete env.MONGODB_URI;
    let t0 = performance.now();
    child = await startChild(__filename, ['--project'], env);
    console.log(`project server + embedded database + seed ready in ${sec(t0).toFixed(1)} s (${child.url})`);
    const base = child.url;
    const serverPid = Number(child.extra[1]);
    const dbPid = childrenOf(serverPid)[0] ?? 0;
    const cpuNow = () => ({ server: cpuMsOf(serverPid), db: cpuMsOf(dbPid) });
    /** Adds the CPU used since `mark` to `into`; the new mark. */
    const addCpu = (into: { server: number; db: number }, mark: { server: number; db: number }) => {
      const now = cpuNow();
      into.server += now.server - mark.server;
      into.db += now.db - mark.db;
      return now;
    };

    const { createModels } = await import('../server/models');
    conn = await mongoose.createConnection(child.extra[0]).asPromise();
    const models = createModels(conn);
    const demo = await demoData(models);

    const login = async (url: string, body: unknown) => (await json<{ accessToken: string }>(await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), url)).accessToken;
    const tokens: string[] = [];
    for (const openid of demo.residents) tokens.push(await login('/api/v1/auth/dev-login', { openid }));
    if (PARTS.mine) {
      await measureMine(base, models, demo, login);
      return;
    }

    // ---- 1 and 2: filing ----
    console.log(`\n1. Filing appeals: POST /api/v1/appeals (30 residents, ${demo.categories.length} categories in turn, ${demo.categories.filter((c) => c.defaultDepartmentId).length} of them dispatched directly) for ${SECONDS} s or ${MAX_FILED} appeals in all,`);
    console.log(`   beside the driver inserting the same stored documents (insertOne, same concurrency, same database), in ${ROUNDS} turns of each.`);
    const filings: Filing[] = [];
    for (const concurrency of PARTS.filing ? CONCURRENCY : []) {
      // A short warm-up (JIT, connection pools), not counted.
      await pool(concurrency, 1, concurrency * 2, async (i) => {
        await fetch(`${base}/api/v1/appeals`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % 30]}` }, body: JSON.stringify({ idempotencyKey: `warm-c${concurrency}-${i}`, kind: 'help', categoryId: null, description: '预热请求，不计入结果', regionId: String(demo.regions[0]._id) }) }).then((r) => r.arrayBuffer());
      });
      // In turns (API, then the driver with the same documents, ROUNDS times), so a change in the
      // machine's load falls on both.
      const api: Awaited<ReturnType<typeof fileThroughApi>> = { n: 0, seconds: 0, latencies: [], failed: 0, keys: new Map() };
      const raw: Filing['raw'] = { n: 0, seconds: 0 };
      const cpu = { api: { server: 0, db: 0 }, raw: { server: 0, db: 0 } };
      for (let round = 0; round < ROUNDS; round++) {
        let mark = cpuNow();
        const a = await fileThroughApi(base, tokens, demo, concurrency, round);
        mark = addCpu(cpu.api, mark);
        const r = await insertRaw(models, `bench-c${concurrency}-r${round}-`, concurrency, a.latencies.length);
        addCpu(cpu.raw, mark);
        Object.assign(api, { n: api.n + a.n, seconds: api.seconds + a.seconds, failed: api.failed + a.failed, latencies: [...api.latencies, ...a.latencies], keys: new Map([...api.keys, ...a.keys]) });
        Object.assign(raw, { n: raw.n + r.n, seconds: raw.seconds + r.seconds });
      }
      const stored = await models.Appeal.collection.find({ idempotencyKey: { $regex: `^bench-c${concurrency}-` }, directDispatch: true }, { projection: { idempotencyKey: 1, dispatchMs: 1 } }).toArray();
      filings.push({
        concurrency,
        api,
        raw,
        cpu,
        dispatchMs: stored.map((d) => d.dispatchMs as number),
        directLatencies: stored.map((d) => api.keys.get(d.idempotencyKey as string)).filter((x): x is number => x !== undefined),
      });
    }
    const h1 = `${'in flight'.padEnd(10)} ${'API appeals/s'.padStart(13)} ${'driver inserts/s'.padStart(16)} ${'ratio'.padStart(6)} ${'API p50/p99 ms'.padStart(15)} ${'appeals'.padStart(8)} ${'failed'.padStart(7)}`;
    console.log(h1);
    console.log('-'.repeat(h1.length));
    for (const f of filings) {
      const apiRate = f.api.latencies.length / f.api.seconds;
      const rawRate = f.raw.n / f.raw.seconds;
      console.log(
        `${String(f.concurrency).padEnd(10)} ${apiRate.toFixed(0).padStart(13)} ${rawRate.toFixed(0).padStart(16)} ${(apiRate / rawRate).toFixed(2).padStart(6)} ${`${ms(percentile(f.api.latencies, 50))} / ${ms(percentile(f.api.latencies, 99))}`.padStart(15)} ${String(f.api.latencies.length).padStart(8)} ${String(f.api.failed).padStart(7)}`,
      );
    }
    console.log('ratio = API appeals/s / driver inserts/s of the same documents.');
    // Where the time goes on a machine the run keeps busy: CPU of the server process and of its
    // embedded database per appeal, during the API turns and during the driver's (whose server
    // CPU is its background jobs: delivering the filings' messages, the learner).
    const h1c = `${'in flight'.padEnd(10)} ${'API: server / database ms CPU'.padStart(30)} ${'driver: database / server ms CPU'.padStart(33)}`;
    console.log(`\nCPU per appeal (the server process and its embedded database, from /proc):\n${h1c}\n${'-'.repeat(h1c.length)}`);
    for (const f of filings) {
      const per = (x: number, n: number) => (n ? (x / n).toFixed(1) : '-');
      console.log(`${String(f.concurrency).padEnd(10)} ${`${per(f.cpu.api.server, f.api.latencies.length)} / ${per(f.cpu.api.db, f.api.latencies.length)}`.padStart(30)} ${`${per(f.cpu.raw.db, f.raw.n)} / ${per(f.cpu.raw.server, f.raw.n)}`.padStart(33)}`);
    }

    console.log('\n2. Direct dispatch (直派): submission to assignment (dispatchMs stored on the appeal) beside the filing request latency of the same appeals');
    const h2 = `${'in flight'.padEnd(10)} ${'direct'.padStart(7)} ${'dispatchMs p50/p99'.padStart(19)} ${'request p50/p99 ms'.padStart(19)}`;
    console.log(h2);
    console.log('-'.repeat(h2.length));
    for (const f of filings) {
      console.log(`${String(f.concurrency).padEnd(10)} ${String(f.dispatchMs.length).padStart(7)} ${`${ms(percentile(f.dispatchMs, 50))} / ${ms(percentile(f.dispatchMs, 99))}`.padStart(19)} ${`${ms(percentile(f.directLatencies, 50))} / ${ms(percentile(f.directLatencies, 99))}`.padStart(19)}`);
    }

    // ---- 3: the inbox at 10k and 100k ----
    if (!PARTS.inbox) return;
    const dispatcher = await login('/api/v1/auth/password-login', { username: 'dispatcher', password: 'xianrong123' });
    const deptCode = 'urban';
    const dept = await login('/api/v1/auth/password-login', { username: `dept_${deptCode}`, password: 'xianrong123' });
    const qingshi = demo.regions.find((r) => r.code === 'DX-02-01')!; // 青石村, with its 3 grids
    const township = await login('/api/v1/auth/password-login', { username: 'chengguan', password: 'xianrong123' }); // 城关镇's dispatcher
    const community = await login('/api/v1/auth/password-login', { username: 'xicheng', password: 'xianrong123' }); // 西城社区's staff
    // The township's path: its communities' paths cut at the township (the demo's regions are communities and grids).
    const chengguan = { path: scopePathsOf(demo.regions.find((r) => r.code === 'DX-01-01')!.path).townshipPath };
    const water = demo.categories.find((c) => c.name.startsWith('停水'))!;
    const isoDay = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);
    const lastMonth = `from=${isoDay(Date.now() - 30 * DAY)}&to=${isoDay(Date.now())}`;
    const pages: InboxCase[] = [
      { name: 'county dispatcher, first page', url: '/api/v1/appeals?view=inbox', token: dispatcher },
      { name: 'county dispatcher, in_progress in 青石村', url: `/api/v1/appeals?view=inbox&state=in_progress&regionId=${qingshi._id}`, token: dispatcher },
      { name: 'county dispatcher, water, last 30 days', url: `/api/v1/appeals?view=inbox&categoryId=${water._id}&${lastMonth}`, token: dispatcher },
      { name: 'township dispatcher (城关镇), first page', url: '/api/v1/appeals?view=inbox', token: township },
      { name: 'township dispatcher (城关镇), state=in_progress', url: '/api/v1/appeals?view=inbox&state=in_progress', token: township },
      { name: 'community staff (西城社区), first page', url: '/api/v1/appeals?view=inbox', token: community },
      { name: `department (${deptCode}), first page`, url: '/api/v1/appeals?view=inbox', token: dept },
      { name: `department (${deptCode}), state=assigned`, url: '/api/v1/appeals?view=inbox&state=assigned', token: dept },
    ];
    // Each page twice: reloaded (the server keeps a page until an appeal changes: queries.ts) and
    // right after a write, i.e. read from the database (the lists' stamp bumped before each request).
    const afterWrite = () => bumpStamp(conn!, APPEAL_LISTS_CACHE);
    const cases = pages.flatMap((c) => [c, { ...c, name: `${c.name}, after a write`, afterWrite: true }]);
    console.log(`\n3. The inbox: GET /api/v1/appeals?view=inbox (20 per page, overdue first), sequential requests, ${INBOX_SAMPLES} samples or ${INBOX_MAX_MS / 1000} s each`);
    // The same scopes through the driver, as one page's larger part (not overdue) is read: the path
    // prefix the lists asked before the stored township/community paths, and the equality now.
    const shapes: ShapeCase[] = [
      { name: '城关镇, not overdue', before: { regionPath: pathPrefixRegex(chengguan.path), overdue: false }, after: { townshipPath: chengguan.path, overdue: false } },
      { name: '城关镇, in_progress, not overdue', before: { regionPath: pathPrefixRegex(chengguan.path), state: 'in_progress', overdue: false }, after: { townshipPath: chengguan.path, state: 'in_progress', overdue: false } },
      { name: '青石村, in_progress, not overdue', before: { regionPath: pathPrefixRegex(qingshi.path), state: 'in_progress', overdue: false }, after: { communityPath: qingshi.path, state: 'in_progress', overdue: false } },
    ];
    const shapeRows: { size: number; rows: { before: number; after: number }[] }[] = [];
    const rand = prng(20261126);
    const results: { size: number; rows: Awaited<ReturnType<typeof measureInbox>>[] }[] = [];
    for (const size of SIZES) {
      t0 = performance.now();
      const fill = await fillTo(models, demo, size, rand);
      // Inserted with the driver, past the models' stamp plugin: bumped as an import has to.
      await bumpStamp(conn!, APPEAL_LISTS_CACHE);
      console.log(`   loaded ${fill.added} generated appeals to reach ${size} in ${fill.seconds.toFixed(1)} s (${(fill.added / fill.seconds).toFixed(0)} docs/s, insertMany of ${BATCH})`);
      results.push({ size, rows: [] });
      for (const c of cases) results[results.length - 1].rows.push(await measureInbox(base, c, 'afterWrite' in c ? afterWrite : undefined));
      shapeRows.push({ size, rows: await measureShapes(models, shapes) });
    }
    const h3 = `${'inbox'.padEnd(56)} ${SIZES.map((s) => `${s / 1000}k p50/p99 ms`.padStart(18)).join(' ')}${SIZES.length > 1 ? ' ' + '100k/10k p50'.padStart(13) : ''}`;
    console.log(h3);
    console.log('-'.repeat(h3.length));
    for (const [i, c] of cases.entries()) {
      const cells = results.map((r) => `${ms(r.rows[i].p50)} / ${ms(r.rows[i].p99)} (${r.rows[i].n})`.padStart(18));
      const ratio = results.length > 1 ? ` ${(results[1].rows[i].p50 / results[0].rows[i].p50).toFixed(2).padStart(13)}` : '';
      console.log(`${c.name.padEnd(56)} ${cells.join(' ')}${ratio}`);
    }
    console.log(`\n4. A region's page through the driver (find, _id < any, newest first, limit 21), p50 of ${SHAPE_SAMPLES}: path prefix (before) / stored path (now)`);
    const h4 = `${'scope'.padEnd(34)} ${SIZES.map((s) => `${s / 1000}k before / now ms`.padStart(24)).join(' ')}`;
    console.log(h4);
    console.log('-'.repeat(h4.length));
    for (const [i, c] of shapes.entries()) console.log(`${c.name.padEnd(34)} ${shapeRows.map((r) => `${ms(r.rows[i].before)} / ${ms(r.rows[i].after)}`.padStart(24)).join(' ')}`);
    console.log('(n) = samples. Generated appeals: 53% closed, 12% in progress, 10% assigned, 8% replied, 4% submitted, 3% accepted, 6% rejected, 4% merged; 24 region paths, 8 departments.');
    if (SIZES.length === 1) console.log('100k appeals: run with --100k (loading them takes minutes).');
    console.log(`\ntotal ${sec(tStart).toFixed(0)} s`);
  } finally {
    await conn?.close();
    await child?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main = role === '--project' ? serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong'), String(process.pid)]) : bench();
main.then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * The measures (三率) and the county dashboard at a county's size, each figure beside its baseline
 * in the same run:
 *
 *  1. The daily rollup: the time to roll up the last 400 days of 100k appeals (a new installation,
 *     or a server that was down), beside the time to read every appeal's timeline once (the
 *     driver's cursor over the same fields): the rollup's own cost over the reading it needs.
 *  2. Sequential requests as the county dispatcher and a community's staff, signed in: the figures
 *     of a month, of a year, per township, per week, the monthly ranking and the dashboard, each
 *     p50/p99; the month's figures also before the rollup (computed from the timelines at each
 *     request), which is what every request would cost without it.
 *  3. At 100 connections, beside a bare Express 5 route that sends the same bytes
 *     (support/beside-bare.ts): the dashboard, the month's figures and the ranking.
 *
 * The project runs in a child process as `npm start` runs it (its own embedded database in a temp
 * folder, the demo county seeded); this process loads generated appeals with the driver
 * (support/generated-appeals.ts: states, deadlines and timelines as the moves leave them, over the
 * last 365 days, 3% still open).
 *
 *   npx tsx bench/measures.ts [seconds] [rounds] [--size N] [--no-baselines]
 *   (default 3 s per measurement (2..30), 2 rounds (1..5), 100000 appeals; loading them takes
 *   minutes). `--no-baselines` leaves out the two slow baselines (the month from the timelines
 *   before the rollup, and the driver's read of every timeline): at 100k appeals on a 2-core
 *   machine they take longer than everything else together (about 10 and 7 minutes).
 *
 * Roles of this file: no argument = the bench; `--project` = the project's child.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { withDbName } from '../server/db/embedded';
import { serveProject, startChild, type Child } from './support/child';
import { capture, measureBesideBare, startBesideBareRun } from './support/beside-bare';
import { demoData, fillTo, type Models } from './support/generated-appeals';
import { ms, percentile, prng } from './support/stats';

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const SECONDS = Math.min(Math.max(numbers[0] || 3, 2), 30);
const ROUNDS = Math.min(Math.max(numbers[1] || 2, 1), 5);
const sizeAt = args.indexOf('--size');
const SIZE = Math.min(Math.max(sizeAt >= 0 ? Number(args[sizeAt + 1]) || 100_000 : 100_000, 1000), 200_000);
const BASELINES = !args.includes('--no-baselines');
const SAMPLES = 40;
const SAMPLE_MAX_MS = 10_000;
const DAY = 24 * 3600 * 1000;

const sec = (t0: number) => (performance.now() - t0) / 1000;
const isoDay = (t: number) => new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 10);

async function token(base: string, url: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}

/** Sequential requests: p50/p99 over SAMPLES (or SAMPLE_MAX_MS), after one untimed warm-up. */
async function sequential(base: string, url: string, headers: Record<string, string>): Promise<{ p50: number; p99: number; n: number; first: number }> {
  const get = async () => {
    const t = performance.now();
    const res = await fetch(base + url, { headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 200)}`);
    return performance.now() - t;
  };
  const first = await get();
  const lat: number[] = [];
  const t0 = performance.now();
  while (lat.length < SAMPLES && (performance.now() - t0 < SAMPLE_MAX_MS || lat.length < 3)) lat.push(await get());
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length, first };
}

async function bench(): Promise<void> {
  const { tmp, cap, project } = await startBesideBareRun({ title: 'Measures bench', file: __filename, routes: 3, seconds: SECONDS, rounds: ROUNDS, extraSeconds: 3600 });
  const children: Child[] = [project];
  let conn: mongoose.Connection | null = null;
  try {
    const base = project.url;
    const { createModels } = await import('../server/models');
    conn = await mongoose.createConnection(project.extra[0]).asPromise();
    const models: Models = createModels(conn);
    const demo = await demoData(models);

    let t0 = performance.now();
    // A year of a county's appeals: those still open are the last days' (3%), as in a working county.
    const fill = await fillTo(models, demo, SIZE, prng(20261207), { spanDays: 365, openShare: 0.03 });
    console.log(`loaded ${fill.added} generated appeals over 365 days to reach ${SIZE} in ${fill.seconds.toFixed(0)} s`);

    // Signed in again after the rollup (below): at 100k appeals loading and rolling up outlast an access token.
    const signIn = async () => ({
      dispatcher: await token(base, '/api/v1/auth/password-login', { username: 'dispatcher', password: 'xianrong123' }),
      community: await token(base, '/api/v1/auth/password-login', { username: 'dongcheng', password: 'xianrong123' }),
    });
    let { dispatcher, community } = await signIn();
    const now = Date.now();
    const today = isoDay(now);
    const month = today.slice(0, 7);
    const lastMonthStart = isoDay(new Date(`${month}-01T00:00:00+08:00`).getTime() - DAY).slice(0, 7);
    const lastMonth = `from=${lastMonthStart}-01&to=${isoDay(new Date(`${month}-01T00:00:00+08:00`).getTime() - DAY)}`;

    // The project rolled its days up at start, before the load: forget them, so that part 2's
    // "before" reads the timelines and part 1 rolls up the loaded appeals.
    await conn.collection('measuredays').deleteMany({});
    await conn.collection('measurepacks').deleteMany({});

    const before = BASELINES ? await (async () => {
      console.log('\n2a. Before the rollup: the last month computed from the timelines at each request');
      const r = await sequential(base, `/api/v1/measures?${lastMonth}`, dispatcher);
      console.log(`last month, county, from the timelines: first ${ms(r.first)} ms, p50 ${ms(r.p50)} / p99 ${ms(r.p99)} ms (${r.n})`);
      return r;
    })() : null;

    console.log('\n1. The daily rollup of the last 400 days, beside one read of every timeline');
    console.log(`(${sec(t0).toFixed(0)} s so far)`);
    t0 = performance.now();
    let read = 0;
    if (BASELINES) for await (const _ of conn.collection('appeals').find({}, { projection: { regionPath: 1, departmentId: 1, categoryId: 1, channel: 1, submittedAt: 1, acceptBy: 1, firstContactBy: 1, resolveBy: 1, rating: 1, timeline: 1 } })) read++;
    const readSeconds = sec(t0);
    const { measureRollup } = await import('../server/measures');
    const { createLogger } = await import('../server/core/logger');
    const ctx = { conn, now: () => new Date(), logger: createLogger('warn') } as unknown as import('../server/context').AppContext;
    t0 = performance.now();
    const rolled = await measureRollup(ctx).run();
    const rollSeconds = sec(t0);
    // Each rolled-up day is one document with its cells packed (server/measures/pack.ts).
    let storedCells = 0;
    let packBytes = 0;
    for await (const d of conn.collection<{ cells: number }>('measuredays').find({ done: true })) storedCells += d.cells;
    for await (const d of conn.collection<{ pack: string }>('measurepacks').find()) packBytes += Buffer.byteLength(d.pack);
    const cells = `${storedCells} cells in ${(packBytes / 2 ** 20).toFixed(1)} MB of packs`;
    if (BASELINES) console.log(`${'read every timeline (driver cursor)'.padEnd(44)} ${readSeconds.toFixed(1).padStart(7)} s  (${read} appeals)`);
    console.log(`${'rollup of 400 days'.padEnd(44)} ${rollSeconds.toFixed(1).padStart(7)} s  (${rolled.days} days, ${rolled.cells} cells; ${cells} stored)`);

    ({ dispatcher, community } = await signIn());
    const year = `from=${isoDay(now - 365 * DAY)}&to=${today}`;
    const weeks = `from=${isoDay(now - 83 * DAY)}&to=${today}&step=week`;
    const cases: [string, string, Record<string, string>][] = [
      ['last month, county (after the rollup)', `/api/v1/measures?${lastMonth}`, dispatcher],
      ['this month, county', `/api/v1/measures?from=${month}-01&to=${today}`, dispatcher],
      ['the last 365 days, county', `/api/v1/measures?${year}`, dispatcher],
      ['last month per township', `/api/v1/measures/groups?${lastMonth}&by=township`, dispatcher],
      ['12 weeks per week', `/api/v1/measures/series?${weeks}`, dispatcher],
      ['ranking of communities, last month', `/api/v1/measures/rankings?month=${lastMonthStart}&by=community`, dispatcher],
      ['dashboard (county dispatcher)', '/api/v1/measures/dashboard', dispatcher],
      ['last month, 东城社区 staff', `/api/v1/measures?${lastMonth}`, community],
      ['12 weeks, 东城社区 staff', `/api/v1/measures/series?${weeks}`, community],
    ];
    console.log(`\n2. Sequential requests, signed in (${SAMPLES} samples or ${SAMPLE_MAX_MS / 1000} s each, after one untimed first read)`);
    const h = `${'request'.padEnd(44)} ${'first ms'.padStart(9)} ${'p50 / p99 ms'.padStart(16)} ${'n'.padStart(4)}`;
    console.log(h);
    console.log('-'.repeat(h.length));
    const row = (name: string, r: Awaited<ReturnType<typeof sequential>>) => console.log(`${name.padEnd(44)} ${ms(r.first).padStart(9)} ${`${ms(r.p50)} / ${ms(r.p99)}`.padStart(16)} ${String(r.n).padStart(4)}`);
    if (before) row('last month, county (BEFORE the rollup)', before);
    for (const [name, url, headers] of cases) row(name, await sequential(base, url, headers));
    console.log('The dashboard is read once per 30 s per scope (its first read is the cost; the rest are the memo).');

    console.log('\n3. At 100 connections beside a bare route');
    const routes = [
      await capture(base, 'GET /measures/dashboard (dispatcher)', '/api/v1/measures/dashboard', dispatcher),
      await capture(base, 'GET /measures last month (dispatcher)', `/api/v1/measures?${lastMonth}`, dispatcher),
      await capture(base, 'GET /measures/rankings (dispatcher)', `/api/v1/measures/rankings?month=${lastMonthStart}&by=township`, dispatcher),
    ];
    const file = path.join(tmp, 'bare-routes.json');
    await fs.writeFile(file, JSON.stringify(routes));
    const bare = await startChild(path.join(__dirname, 'api.ts'), ['--bare', file], process.env);
    children.push(bare);
    const ok = await measureBesideBare(routes, base, bare.url, { seconds: SECONDS, rounds: ROUNDS, nameWidth: 40 });
    console.log(`\nreq/s: mean of ${ROUNDS} rounds; p50/p99: median of the rounds' figures. ratio = project req/s / bare req/s.`);
    if (!ok) {
      console.error('\nsome responses failed or were not 2xx: the figures above are not meaningful');
      process.exitCode = 1;
    }
  } finally {
    await conn?.close();
    for (const c of children.reverse()) await c.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main = role === '--project' ? serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong')]) : bench();
main.then(
  () => role && process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

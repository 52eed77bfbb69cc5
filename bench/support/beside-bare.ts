/**
 * Routes of the project measured beside a bare Express 5 app that sends the same bytes (bench/api.ts
 * and bench/feed.ts): capture what the project answers, load both sides with autocannon in turns
 * after a warm-up, and print one table with the ratio.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startChild, START_TIMEOUT_MS, type Child } from './child';

export const CONNECTIONS = 100;
export const WARMUP_SECONDS = 2;

/** One route as the project answered it; the bare child (`bench/api.ts --bare <file>`) serves these. */
export interface Captured {
  name: string;
  url: string;
  headers: Record<string, string>;
  status: number;
  contentType: string;
  /** base64 */
  body: string;
}

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

export async function load(base: string, r: Captured, seconds: number): Promise<Measured> {
  const result = await autocannon({ url: base + r.url, connections: CONNECTIONS, duration: seconds, headers: r.headers });
  const bad = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad };
}

export async function capture(base: string, name: string, url: string, headers: Record<string, string> = {}): Promise<Captured> {
  const res = await fetch(base + url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${name}: status ${res.status} ${body.toString('utf8').slice(0, 200)}`);
  return { name, url, headers, status: res.status, contentType: res.headers.get('content-type') ?? 'application/octet-stream', body: body.toString('base64') };
}

const fmt = (n: number, w: number, digits = 0) => n.toFixed(digits).padStart(w);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function summarize(runs: Measured[]): Measured {
  return { rps: mean(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), bad: runs.reduce((a, r) => a + r.bad, 0) };
}

/**
 * Warms each route up, then measures project and bare route in turns, every route once per round,
 * so a burst of other work on the machine weighs on both sides alike; prints the table (req/s the
 * mean over rounds, p50/p99 the median). Returns false if a response failed or was not 2xx.
 */
export async function measureBesideBare(
  routes: Captured[],
  project: string,
  bare: string,
  opts: {
    seconds: number;
    rounds: number;
    nameWidth: number;
    /**
     * Waits after each load of the project until it has worked off what autocannon left in flight
     * (requests it stopped waiting for still hold the database), so a slow route's backlog is not
     * measured as the next route's time.
     */
    settle?: () => Promise<void>;
  },
): Promise<boolean> {
  const settle = opts.settle ?? (async () => {});
  console.log('warming up …\n');
  for (const r of routes) {
    await load(project, r, WARMUP_SECONDS);
    await settle();
    await load(bare, r, 1);
  }

  const runs = routes.map(() => ({ project: [] as Measured[], bare: [] as Measured[] }));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, r] of routes.entries()) {
      runs[i].project.push(await load(project, r, opts.seconds));
      await settle();
      runs[i].bare.push(await load(bare, r, opts.seconds));
    }
  }

  const header = `${'route'.padEnd(opts.nameWidth)} ${'project req/s'.padStart(13)} ${'bare req/s'.padStart(10)} ${'ratio'.padStart(6)} ${'project p50/p99 ms'.padStart(19)} ${'bare p50/p99 ms'.padStart(16)} ${'bytes'.padStart(6)}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  let ok = true;
  for (const [i, r] of routes.entries()) {
    const p = summarize(runs[i].project);
    const b = summarize(runs[i].bare);
    const bytes = Buffer.from(r.body, 'base64').length;
    console.log(
      `${r.name.padEnd(opts.nameWidth)} ${fmt(p.rps, 13)} ${fmt(b.rps, 10)} ${fmt(p.rps / b.rps, 6, 2)} ${`${p.p50} / ${p.p99}`.padStart(19)} ${`${b.p50} / ${b.p99}`.padStart(16)} ${String(bytes).padStart(6)}` +
        (p.bad || b.bad ? `  ! ${p.bad} project, ${b.bad} bare responses not 2xx or failed` : ''),
    );
    if (p.bad || b.bad) ok = false;
  }
  return ok;
}

/**
 * The start every beside-a-bare-route bench shares: says what machine and load it runs on, sets a
 * last-resort time cap (whatever hangs, the run ends; children get their stdin closed by our exit),
 * and starts the project as `npm start` runs it (`<file> --project`, its own database in a temp
 * folder, the demo county seeded). The caller stops the children, removes `tmp` and clears `cap`.
 */
export async function startBesideBareRun(o: { title: string; file: string; routes: number; seconds: number; rounds: number; /** Time for work besides the measurements (loading data). */ extraSeconds?: number }): Promise<{ tmp: string; cap: NodeJS.Timeout; project: Child }> {
  const cpus = os.cpus();
  console.log(`${o.title}: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the figures; compare rows of one run)`);
  console.log(`autocannon, ${CONNECTIONS} connections, ${o.seconds} s per measurement, ${o.rounds} rounds, after a ${WARMUP_SECONDS} s warm-up per route; project and bare route in turns`);
  const name = path.basename(o.file, path.extname(o.file));
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-bench-${name}-`));
  const cap = setTimeout(() => {
    console.error(`bench/${name}: time cap reached, stopping`);
    process.exit(1);
  }, START_TIMEOUT_MS + o.routes * (o.rounds * (2 * o.seconds + 2) + WARMUP_SECONDS + 3) * 1000 + 60_000 + (o.extraSeconds ?? 0) * 1000);
  cap.unref();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env.MONGODB_URI;
  const t0 = performance.now();
  let project: Child;
  try {
    project = await startChild(o.file, ['--project'], env);
  } catch (err) {
    clearTimeout(cap);
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  console.log(`project server + embedded database + seed ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${project.url})`);
  return { tmp, cap, project };
}

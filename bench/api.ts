/**
 * HTTP API throughput and latency on loopback: the real server (as the tests start it: its own
 * embedded FerretDB on a free port, server on port 0, demo county seeded), driven by global fetch
 * with a bounded number of concurrent requests, next to a `GET /healthz` baseline in the same run.
 *
 *   npx tsx bench/api.ts [requests]     (default 500 per scenario, at most 5000; 60 s cap per scenario)
 */
import os from 'node:os';
import { startTestServer, type TestServer } from '../tests/helpers/server';
import { DEMO_PASSWORD } from '../server/seed/demo-county';

const REQUESTS = Math.min(Math.max(Number(process.argv[2]) || 500, 10), 5000);
const CONCURRENCY = 8;
const TIME_CAP_MS = 60_000;
const WARMUP = 16;

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  token?: string;
  expectStatus: number;
  requests: number;
}

interface Result {
  scenario: Scenario;
  done: number;
  wallMs: number;
  latencies: number[];
  bytes: number;
  unexpected: string[];
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** 4.2 → "4.2x slower", 0.5 → "2.0x faster" (a ratio of cost: baseline rate / rate, or latency / baseline latency). */
function times(ratio: number): string {
  return ratio >= 1 ? `${ratio.toFixed(1)}x slower` : `${(1 / ratio).toFixed(1)}x faster`;
}

async function once(base: string, s: Scenario): Promise<{ status: number; bytes: number }> {
  const headers: Record<string, string> = {};
  if (s.token) headers.authorization = `Bearer ${s.token}`;
  if (s.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + s.path, { method: s.method, headers, body: s.body === undefined ? undefined : JSON.stringify(s.body) });
  const buf = await res.arrayBuffer();
  return { status: res.status, bytes: buf.byteLength };
}

async function run(base: string, s: Scenario): Promise<Result> {
  const unexpected: string[] = [];
  // Warm-up (not counted): JIT, connection pool, first queries.
  for (let i = 0; i < Math.min(WARMUP, s.requests); i++) await once(base, s);

  const latencies: number[] = [];
  let next = 0;
  let bytes = 0;
  const t0 = performance.now();
  const deadline = t0 + TIME_CAP_MS;
  const worker = async () => {
    while (next < s.requests && performance.now() < deadline) {
      next++;
      const t = performance.now();
      try {
        const r = await once(base, s);
        latencies.push(performance.now() - t);
        bytes = r.bytes;
        if (r.status !== s.expectStatus && unexpected.length < 5) unexpected.push(`status ${r.status}`);
      } catch (err) {
        if (unexpected.length < 5) unexpected.push(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { scenario: s, done: latencies.length, wallMs: performance.now() - t0, latencies, bytes, unexpected };
}

async function main() {
  const cpus = os.cpus();
  console.log(`API bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the figures; compare rows of one run)`);
  console.log(`database: embedded FerretDB 1.24 (SQLite) on 127.0.0.1, demo county seeded; ${CONCURRENCY} concurrent requests, up to ${REQUESTS} per scenario, ${TIME_CAP_MS / 1000} s cap`);

  const t0 = performance.now();
  let server: TestServer | undefined;
  let failed = false;
  try {
    server = await startTestServer({ config: { loginRateLimitPerMinute: 1_000_000 } });
    console.log(`server + database + seed ready in ${(performance.now() - t0).toFixed(0)} ms (${server.url})\n`);
    const residentToken = await server.residentToken('demo-resident-01');

    const scenarios: Scenario[] = [
      { name: 'GET /healthz (baseline)', method: 'GET', path: '/healthz', expectStatus: 200, requests: REQUESTS },
      { name: 'GET /regions (roots)', method: 'GET', path: '/api/v1/regions', expectStatus: 200, requests: REQUESTS },
      { name: 'GET /regions?level=grid&pageSize=20', method: 'GET', path: '/api/v1/regions?level=grid&pageSize=20', expectStatus: 200, requests: REQUESTS },
      { name: 'GET /me (resident token)', method: 'GET', path: '/api/v1/me', token: residentToken, expectStatus: 200, requests: REQUESTS },
      {
        name: 'POST /auth/password-login',
        method: 'POST',
        path: '/api/v1/auth/password-login',
        body: { username: 'dongcheng', password: DEMO_PASSWORD },
        expectStatus: 200,
        requests: Math.min(50, REQUESTS),
      },
      { name: 'POST /auth/dev-login {"$x":1} (400)', method: 'POST', path: '/api/v1/auth/dev-login', body: { $x: 1 }, expectStatus: 400, requests: REQUESTS },
    ];

    const results: Result[] = [];
    for (const s of scenarios) results.push(await run(server.url, s));

    const base = results[0];
    const baseRps = (base.done / base.wallMs) * 1000;
    const baseP50 = pct([...base.latencies].sort((a, b) => a - b), 50);
    const header = `${'scenario'.padEnd(38)} ${'requests'.padStart(8)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'bytes'.padStart(6)}   vs /healthz`;
    console.log(header);
    console.log('-'.repeat(header.length + 12));
    for (const r of results) {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      const rps = (r.done / r.wallMs) * 1000;
      const p50 = sorted.length ? pct(sorted, 50) : NaN;
      const p99 = sorted.length ? pct(sorted, 99) : NaN;
      const rel = r === base ? 'baseline' : `${times(baseRps / rps)} by req/s, p50 ${times(p50 / baseP50)}`;
      console.log(
        `${r.scenario.name.padEnd(38)} ${String(r.done).padStart(8)} ${rps.toFixed(0).padStart(8)} ${p50.toFixed(2).padStart(8)} ${p99.toFixed(2).padStart(8)} ${String(r.bytes).padStart(6)}   ${rel}` +
          (r.done < r.scenario.requests ? `  (stopped by the ${TIME_CAP_MS / 1000} s cap)` : ''),
      );
      if (r.unexpected.length) {
        failed = true;
        console.log(`  ! expected status ${r.scenario.expectStatus}, got: ${r.unexpected.join('; ')}`);
      }
    }
  } finally {
    await server?.stop();
  }
  if (failed) {
    console.error('\nsome responses had an unexpected status: figures above are not meaningful');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

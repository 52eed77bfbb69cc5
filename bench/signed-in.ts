/**
 * What signed-in people do, under load, each route beside a bare Express 5 route that sends the
 * same bytes: the feed with a resident's token (and without, for reference), `GET /me`, a
 * resident's own appeals, the county dispatcher's inbox and the workbench badges (`/appeals/counts`).
 *
 * The project runs in a child process as `npm start` runs it (its own embedded database in a temp
 * folder, the demo county seeded, about 40 appeals). The bare app is bench/api.ts's `--bare` child,
 * answering each URL and token with the exact status, content-type and bytes the project returned.
 * support/beside-bare.ts drives both with autocannon (100 connections) in turns after a warm-up.
 *
 *   npx tsx bench/signed-in.ts [seconds] [rounds]   (default 3 s per measurement (2..30), 3 rounds (1..5); stops by itself)
 *
 * Roles of this file: no argument = the bench; `--project` = the project's child.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { serveProject, startChild, type Child } from './support/child';
import { capture, measureBesideBare, startBesideBareRun } from './support/beside-bare';

const SECONDS = Math.min(Math.max(Number(process.argv[2]) || 3, 2), 30);
const ROUNDS = Math.min(Math.max(Number(process.argv[3]) || 3, 1), 5);

async function post<T>(base: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Until the project answers a cached read (one stamp read) within 100 ms again, at most 60 s: a
 * route that the project serves slower than autocannon's connections ask leaves requests queued
 * on the database after the measurement ends. Returns how long it took.
 */
async function settled(base: string): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < 60_000) {
    const t = performance.now();
    await (await fetch(`${base}/api/v1/categories`)).arrayBuffer();
    if (performance.now() - t < 100) break;
  }
  return performance.now() - t0;
}

async function bench(): Promise<void> {
  const { tmp, cap, project } = await startBesideBareRun({ title: 'Signed-in bench', file: __filename, routes: 6, seconds: SECONDS, rounds: ROUNDS });
  const children: Child[] = [project];
  try {

    const resident = { authorization: `Bearer ${(await post<{ accessToken: string }>(project.url, '/api/v1/auth/dev-login', { openid: 'demo-resident-01' })).accessToken}` };
    const dispatcher = {
      authorization: `Bearer ${(await post<{ accessToken: string }>(project.url, '/api/v1/auth/password-login', { username: 'dispatcher', password: 'xianrong123' })).accessToken}`,
    };

    const routes = [
      await capture(project.url, 'GET /news/feed (anonymous)', '/api/v1/news/feed'),
      await capture(project.url, 'GET /news/feed (resident token)', '/api/v1/news/feed', resident),
      await capture(project.url, 'GET /me (resident)', '/api/v1/me', resident),
      await capture(project.url, 'GET /appeals?view=mine (resident)', '/api/v1/appeals?view=mine', resident),
      await capture(project.url, 'GET /appeals?view=inbox (county dispatcher)', '/api/v1/appeals?view=inbox', dispatcher),
      await capture(project.url, 'GET /appeals/counts (county dispatcher)', '/api/v1/appeals/counts', dispatcher),
    ];
    const file = path.join(tmp, 'bare-routes.json');
    await fs.writeFile(file, JSON.stringify(routes));
    const bare = await startChild(path.join(__dirname, 'api.ts'), ['--bare', file], process.env);
    children.push(bare);

    let backlog = 0;
    const settle = async () => {
      backlog = Math.max(backlog, await settled(project.url));
    };
    const failed = !(await measureBesideBare(routes, project.url, bare.url, { seconds: SECONDS, rounds: ROUNDS, nameWidth: 44, settle }));
    console.log(`\nlongest wait for the project to work off requests left in flight after a measurement: ${(backlog / 1000).toFixed(1)} s`);
    console.log(`\nreq/s: mean of ${ROUNDS} rounds; p50/p99: median of the rounds' figures. ratio = project req/s / bare req/s.`);
    console.log('Aims (issue 16): feed with a token and /me at least 0.5; mine at least 0.4; inbox and counts at least 0.3, each p99 under 100 ms.');
    if (failed) {
      console.error('\nsome responses failed or were not 2xx: the figures above are not meaningful');
      process.exitCode = 1;
    }
  } finally {
    for (const c of children.reverse()) await c.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main = role === '--project' ? serveProject() : bench();
main.then(
  () => role && process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

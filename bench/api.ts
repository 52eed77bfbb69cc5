/**
 * Read routes under load, each beside a bare Express 5 route that sends the same bytes.
 *
 * The project runs as a user runs it (what `npm start` does, without the bot and the H5 build):
 * a child process with its own embedded database in a temp folder, the demo county seeded. A second
 * child is a bare Express 5 app that answers each route's URL with the exact status, content-type
 * and bytes the project returned. autocannon (100 connections, fixed duration) drives them in turns
 * (project route, bare route, next route ..., then again for each round) after a warm-up, from
 * this process. Rounds spread each route's samples over the run, so a burst of other work on the
 * machine weighs on both sides alike: req/s is the mean over rounds, p50/p99 the median.
 *
 *   npx tsx bench/api.ts [seconds] [rounds]   (default 3 s per measurement (2..30), 3 rounds (1..5); stops by itself)
 *
 * Roles of this file: no argument = the bench; `--project` and `--bare <file>` = the two children.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { serveProject, startChild, untilParentGoes, START_TIMEOUT_MS, type Child } from './support/child';
import { capture, measureBesideBare, CONNECTIONS, WARMUP_SECONDS, type Captured } from './support/beside-bare';

const ROOT = path.resolve(__dirname, '..');
const SECONDS = Math.min(Math.max(Number(process.argv[2]) || 3, 2), 30);
const ROUNDS = Math.min(Math.max(Number(process.argv[3]) || 3, 1), 5);

/** Child 2: a bare Express 5 app sending, for each URL and token, exactly what the project sent. */
async function serveBare(file: string): Promise<void> {
  const routes: Captured[] = JSON.parse(await fs.readFile(file, 'utf8'));
  // One URL may answer differently with and without a token (bench/signed-in.ts's feed).
  const keyOf = (url: string, authorization: string | undefined) => `${url}|${authorization ?? ''}`;
  const byKey = new Map(routes.map((r) => [keyOf(r.url, r.headers.authorization), { ...r, bytes: Buffer.from(r.body, 'base64') }]));
  const app = express();
  app.use((req, res) => {
    const r = byKey.get(keyOf(req.originalUrl, req.get('authorization')));
    if (!r) return void res.status(404).end();
    res.status(r.status).set('Content-Type', r.contentType).send(r.bytes);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as import('node:net').AddressInfo;
  process.stdout.write(`READY http://127.0.0.1:${port}\n`);
  await untilParentGoes();
  server.closeAllConnections();
  server.close();
}

async function bench(): Promise<void> {
  const cpus = os.cpus();
  console.log(`API bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the figures; compare rows of one run)`);
  console.log(`autocannon, ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds, after a ${WARMUP_SECONDS} s warm-up per route; project and bare route in turns`);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-api-'));
  const children: Child[] = [];
  // A last resort: whatever hangs, the run ends (children get their stdin closed by our exit).
  const routesCount = 7;
  const cap = setTimeout(() => {
    console.error('bench/api.ts: time cap reached, stopping');
    process.exit(1);
  }, START_TIMEOUT_MS + routesCount * (ROUNDS * (2 * SECONDS + 2) + WARMUP_SECONDS + 3) * 1000 + 60_000);
  cap.unref();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    delete env.MONGODB_URI;
    const t0 = performance.now();
    const project = await startChild(__filename, ['--project'], env);
    children.push(project);
    console.log(`project server + embedded database + seed ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${project.url})`);

    const login = await fetch(`${project.url}/api/v1/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openid: 'demo-resident-01' }) });
    if (login.status !== 200) throw new Error(`dev-login: ${login.status}`);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const auth = { authorization: `Bearer ${token}` };
    const townships = (await (await fetch(`${project.url}/api/v1/regions?level=township`)).json()) as { items: { id: string }[] };

    const routes = [
      await capture(project.url, 'GET /healthz', '/healthz'),
      await capture(project.url, 'GET /api/v1/categories', '/api/v1/categories'),
      await capture(project.url, 'GET /api/v1/regions', '/api/v1/regions'),
      await capture(project.url, 'GET /api/v1/regions?level=grid&pageSize=20', '/api/v1/regions?level=grid&pageSize=20'),
      await capture(project.url, 'GET /api/v1/regions/:id', `/api/v1/regions/${townships.items[0].id}`),
      await capture(project.url, 'GET /api/v1/departments (token)', '/api/v1/departments', auth),
      await capture(project.url, 'GET /api/v1/me (token, not cached)', '/api/v1/me', auth),
    ];
    const file = path.join(tmp, 'bare-routes.json');
    await fs.writeFile(file, JSON.stringify(routes));
    const bare = await startChild(__filename, ['--bare', file], process.env);
    children.push(bare);

    const failed = !(await measureBesideBare(routes, project.url, bare.url, { seconds: SECONDS, rounds: ROUNDS, nameWidth: 42 }));
    console.log(`\nreq/s: mean of ${ROUNDS} rounds; p50/p99: median of the rounds' figures. ratio = project req/s / bare req/s.`);
    console.log('The bare app sends the captured bytes from memory: the ceiling for this machine.');
    console.log('departments and me carry a resident token: each request loads the signed-in user from the database first.');
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
const main = role === '--project' ? serveProject() : role === '--bare' ? serveBare(process.argv[3]) : bench();
main.then(
  // The children exit as soon as their work is done, whatever handle a library keeps open.
  () => role && process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

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
import path from 'node:path';
import express from 'express';
import { serveApp, serveProject, startChild, type Child } from './support/child';
import { capture, measureBesideBare, startBesideBareRun, type Captured } from './support/beside-bare';

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
  await serveApp(app);
}

async function bench(): Promise<void> {
  const { tmp, cap, project } = await startBesideBareRun({ title: 'API bench', file: __filename, routes: 7, seconds: SECONDS, rounds: ROUNDS });
  const children: Child[] = [project];
  try {

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

/**
 * `npm start` as a newcomer runs it: the first start seeds the demo county and prints the URLs,
 * everything answers, Ctrl-C stops it all, and a second start keeps the data.
 * (Uses its own data folder and free ports; the builds it needs are made by `npm test` first.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  let out = '';
  // Its own process group, like a terminal's: Ctrl-C reaches the script and its children.
  const child = spawn(TSX, ['scripts/start.ts'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(started: Started, text: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!started.output().includes(text)) {
    if (Date.now() > until) throw new Error(`timed out waiting for "${text}" in:\n${started.output()}`);
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ctrlC = (s: Started) => process.kill(-s.child.pid!, 'SIGINT');

describe('npm start', () => {
  let dataDir: string;
  let running: Started | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'xianrong-start-'));
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      process.kill(-running.child.pid!, 'SIGKILL');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds on the first start, serves everything, stops on Ctrl-C and keeps the data', async () => {
    const port = await freePort();
    const simPort = await freePort();
    const env = { PORT: String(port), BOT_SIMULATOR_PORT: String(simPort), DATA_DIR: dataDir };

    running = start(env);
    await waitFor(running, 'Press Ctrl-C to stop.', 120_000);
    expect(running.output()).toContain('Seeding the demo county');
    expect(running.output()).toContain(`http://127.0.0.1:${port}/`);
    expect(running.output()).toContain('demo-resident-01');

    expect((await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).status).toBe('ready');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('<div id="app">');
    const regions = await (await fetch(`http://127.0.0.1:${port}/api/v1/regions`)).json();
    expect(regions.items[0].name).toBe('东溪县');
    // The bot is up on the simulated WeChat and answers in a group.
    await waitFor(running, 'server reachable');
    const said = await fetch(`http://127.0.0.1:${simPort}/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'xicheng-neighbours@chatroom', contactId: 'wxid_demo_xicheng_staff', text: '绑定 000000' }),
    });
    expect(JSON.stringify(await said.json())).toContain('绑定码无效');

    ctrlC(running);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('Stopped.');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    running = start(env);
    await waitFor(running, 'Press Ctrl-C to stop.', 120_000);
    expect(running.output()).not.toContain('Seeding the demo county');
    ctrlC(running);
    expect(await running.exited).toBe(0);
  }, 300_000);
});

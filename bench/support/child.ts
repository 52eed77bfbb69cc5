/**
 * Bench scripts run the project (and their baselines) in child processes of their own, so the
 * measuring process does not share an event loop with what it measures. The child prints one line,
 * `READY <url> [<extra> ...]`, and runs until the parent closes its stdin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
/** How long a child may take to be ready: the first run may build the embedded database. */
export const START_TIMEOUT_MS = 300_000;

/** In a child: until the parent closes our stdin (or dies) or sends a signal. */
export function untilParentGoes(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    process.stdin.resume();
  });
}

/** In a child: `app` on a free port of 127.0.0.1, its READY line printed, until the parent goes. */
export async function serveApp(app: import('express').Express): Promise<void> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as import('node:net').AddressInfo;
  process.stdout.write(`READY http://127.0.0.1:${port}\n`);
  await untilParentGoes();
  server.closeAllConnections();
  server.close();
}

/**
 * In a child: the real server on its own embedded database (from the environment), seeded like
 * `npm start` does; `extra` adds words to the READY line (e.g. the database address).
 */
export async function serveProject(extra: (server: import('../../server/server').RunningServer) => string[] = () => []): Promise<void> {
  const { loadConfig } = await import('../../server/core/config');
  const { createLogger } = await import('../../server/core/logger');
  const { startServer } = await import('../../server/server');
  const { isEmpty, seedDemoCounty } = await import('../../server/seed/seed');
  const config = loadConfig(process.env);
  const server = await startServer(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  try {
    if (await isEmpty(server.models)) await seedDemoCounty(server.models);
    process.stdout.write(`READY ${[server.url, ...extra(server)].join(' ')}\n`);
    await untilParentGoes();
  } finally {
    await server.close();
  }
}

export interface Child {
  url: string;
  /** The READY line's words after the URL. */
  extra: string[];
  stop(): Promise<void>;
}

/** In the parent: run `script args` with tsx and wait for its READY line. */
export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const child: ChildProcess = spawn(TSX, [script, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0] ?? script} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /^READY (.+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.resume();
        const [url, ...extra] = m[1].trim().split(/\s+/);
        resolve({ url, extra, stop });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${args[0] ?? script} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
}

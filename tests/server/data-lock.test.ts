/**
 * One process per data folder: a second process opening the embedded database on a folder that
 * another one holds is refused with a clear message; the lock goes with the process that held it
 * (stop, exit, or a stale lock after a crash, taken over).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../server/core/logger';
import { acquireDataLock, LOCK_FILE } from '../../server/db/data-lock';
import { openDatabase } from '../../server/server';
import { testConfig } from '../helpers/server';

const root = path.resolve(__dirname, '../..');

/**
 * Run another process that opens the data folder as `npm start` and `npm run seed` do
 * (openDatabase), then does `then`: 'stop' (stop and release), 'exit' (process.exit while holding
 * it), 'hang' (wait to be killed; resolves once it holds the folder).
 */
function openInChild(dataDir: string, then: 'stop' | 'exit' | 'hang') {
  const code = `(async () => {
    const { openDatabase } = require(${JSON.stringify(path.join(root, 'server/server.ts'))});
    const { createLogger } = require(${JSON.stringify(path.join(root, 'server/core/logger.ts'))});
    try {
      const { embedded } = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }, createLogger('silent'));
      console.log('OPENED');
      if (${JSON.stringify(then)} === 'stop') { await embedded.stop(); process.exit(0); }
      if (${JSON.stringify(then)} === 'exit') process.exit(0);
      setInterval(() => {}, 1000);
    } catch (err) {
      console.log('REFUSED ' + err.message);
      process.exit(2);
    }
  })();`;
  // Node itself with tsx's hooks (not the tsx launcher, whose kill would not reach its node child).
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const opened = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('OPENED')) resolve();
    });
    child.once('exit', () => reject(new Error(`the child ended without opening the folder: ${out}`)));
  });
  opened.catch(() => {});
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.once('exit', (c) => resolve({ code: c, out })));
  return { child, opened, exited };
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-lock-'));
});
afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

const lockFile = () => path.join(dataDir, LOCK_FILE);

// Catches: two processes on one data folder (npm run seed beside npm start), each with its own
// FerretDB on the same SQLite files. Before the fix the child opened the folder and printed OPENED.
it('refuses a second process on a folder this one holds, with a clear message; after release it works', async () => {
  const { embedded } = await openDatabase(testConfig({ dataDir }), createLogger('silent'));
  try {
    const second = await openInChild(dataDir, 'stop').exited;
    expect(second.code).toBe(2);
    expect(second.out).toContain(`The data folder ${dataDir} is in use by another Xianrong process (pid ${process.pid}`);
    expect(second.out).toContain('npm start and npm run seed cannot run on one folder at the same time');
    // This process's database is untouched.
    expect(() => process.kill(embedded!.pid, 0)).not.toThrow();
  } finally {
    await embedded!.stop();
  }
  expect(existsSync(lockFile())).toBe(false);
  const after = await openInChild(dataDir, 'stop').exited;
  expect(after.out).toContain('OPENED');
  expect(after.code).toBe(0);
  expect(existsSync(lockFile())).toBe(false);
});

// Catches: a lock that outlives a crashed process and locks the county out until someone deletes it.
it('takes over the stale lock of a process that was killed', async () => {
  const crashed = openInChild(dataDir, 'hang');
  await crashed.opened;
  expect(JSON.parse(await fs.readFile(lockFile(), 'utf8')).pid).not.toBe(process.pid);
  crashed.child.kill('SIGKILL');
  await crashed.exited;
  // Killed: it could not remove its lock (its FerretDB exits on its own when its stdin closes).
  expect(existsSync(lockFile())).toBe(true);

  const lock = acquireDataLock(dataDir);
  try {
    expect(JSON.parse(await fs.readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
  } finally {
    lock.release();
  }
});

// Catches: a lock of a process that ended without stop() (process.exit) left behind.
it('is released when the holding process exits', async () => {
  const run = await openInChild(dataDir, 'exit').exited;
  expect(run.out).toContain('OPENED');
  expect(existsSync(lockFile())).toBe(false);
});

// Catches: a second open of the same folder inside one process (two servers in one test run, say).
it('refuses a second lock in the same process, and a stale lock file with a dead pid is taken over', async () => {
  const lock = acquireDataLock(dataDir);
  expect(() => acquireDataLock(dataDir)).toThrow(/is in use by another Xianrong process.*this process has it open already/);
  lock.release();

  const gone = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => gone.once('exit', resolve));
  await fs.writeFile(lockFile(), JSON.stringify({ pid: gone.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 'stale' }));
  const taken = acquireDataLock(dataDir);
  expect(JSON.parse(await fs.readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
  taken.release();
  expect(existsSync(lockFile())).toBe(false);
});

/**
 * One process per data folder: a second process opening the embedded database on a folder that
 * another one holds is refused with a clear message; the lock goes with the process that held it
 * (stop, exit, or a stale lock after a crash, taken over), and a start right after a crash waits
 * for the killed holder to finish dying instead of being refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../server/core/logger';
import { acquireDataLock, DataFolderLockedError, LOCK_FILE } from '../../server/db/data-lock';
import { DB_LOCK_FILE, startEmbeddedDb, type EmbeddedDb } from '../../server/db/embedded';
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
// (The refusal comes after the 10 s a start waits for a holder that might be dying.)
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

  const lock = await acquireDataLock(dataDir);
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
  const lock = await acquireDataLock(dataDir);
  // Refused at once: waiting for ourselves would never end.
  await expect(acquireDataLock(dataDir)).rejects.toThrow(/is in use by another Xianrong process.*this process has it open already/);
  lock.release();

  const gone = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => gone.once('exit', resolve));
  await fs.writeFile(lockFile(), JSON.stringify({ pid: gone.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 'stale' }));
  const taken = await acquireDataLock(dataDir);
  expect(JSON.parse(await fs.readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
  taken.release();
  expect(existsSync(lockFile())).toBe(false);
});

// Catches: a restart right after a crash refused with DataFolderLockedError because the killed
// holder had not finished dying (alive for a moment after SIGKILL, then a zombie until reaped,
// and its database still exiting). Before the fix acquireDataLock threw at once.
it('a start right after the holder was SIGKILLed waits for it to die and opens the folder', async () => {
  const crashed = openInChild(dataDir, 'hang');
  await crashed.opened;
  const holderPid = crashed.child.pid!;
  crashed.child.kill('SIGKILL');
  // At once, before this process has even reaped the killed child.
  const waitedFor: (number | null)[] = [];
  const lock = await acquireDataLock(dataDir, { onWait: (pid) => waitedFor.push(pid) });
  try {
    expect(JSON.parse(await fs.readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    // Either it saw the holder still dying and waited, or saw it was gone already: never refused.
    expect(waitedFor.every((pid) => pid === holderPid)).toBe(true);
  } finally {
    lock.release();
  }
  await crashed.exited;
});

// Catches: the whole platform restarted by a service manager right after kill -9: the new
// server refused or (with no database lock) a second FerretDB on SQLite files the dying one still had open.
it('openDatabase right after a SIGKILL of the process that held the folder succeeds', async () => {
  const crashed = openInChild(dataDir, 'hang');
  await crashed.opened;
  crashed.child.kill('SIGKILL');
  const { embedded } = await openDatabase(testConfig({ dataDir }), createLogger('silent'));
  try {
    expect(() => process.kill(embedded!.pid, 0)).not.toThrow();
  } finally {
    await embedded!.stop();
  }
  await crashed.exited;
});

describe("the database wrapper's flock on its folder", () => {
  const dbDir = () => path.join(dataDir, 'db');
  let holder: EmbeddedDb | undefined;
  afterEach(async () => {
    if (holder) {
      try {
        process.kill(holder.pid, 'SIGCONT');
      } catch {
        /* gone */
      }
      await holder.stop();
    }
    holder = undefined;
  });

  // Catches: two database processes on one set of SQLite files (the collection locks that make
  // claims atomic live in one process's memory). Before the fix the second one started.
  it('a live database process keeps the folder: another is refused with a message naming it', async () => {
    holder = await startEmbeddedDb({ dataDir: dbDir() });
    const locked: (number | null)[] = [];
    const second = startEmbeddedDb({ dataDir: dbDir(), lockWaitMs: 1000, onLocked: (pid) => locked.push(pid) });
    await expect(second).rejects.toThrow(DataFolderLockedError);
    await expect(second).rejects.toThrow(`is in use by another Xianrong process (pid ${holder.pid})`);
    expect(locked.length).toBeGreaterThan(0);
    expect(locked.every((pid) => pid === holder!.pid)).toBe(true);
    expect(existsSync(path.join(dbDir(), DB_LOCK_FILE))).toBe(true);
    expect(() => process.kill(holder!.pid, 0)).not.toThrow();
  });

  // Catches: a start that gives up at once while the old database is still dying. The holder is
  // frozen (SIGSTOP) so it certainly still holds the lock when the new start first tries; it is
  // killed only once the new start has been refused, so the start must have waited.
  it('a start waits for a holder that dies meanwhile, then opens the folder', async () => {
    holder = await startEmbeddedDb({ dataDir: dbDir() });
    const dying = holder;
    process.kill(dying.pid, 'SIGSTOP');
    let refusals = 0;
    const next = await startEmbeddedDb({
      dataDir: dbDir(),
      onLocked: () => {
        if (refusals++ === 0) process.kill(dying.pid, 'SIGKILL');
      },
    });
    try {
      expect(refusals).toBeGreaterThan(0);
      expect((await dying.exited).signal).toBe('SIGKILL');
      expect(() => process.kill(next.pid, 0)).not.toThrow();
      expect((await fs.readFile(path.join(dbDir(), DB_LOCK_FILE), 'utf8')).trim()).toBe(String(next.pid));
    } finally {
      await next.stop();
    }
    holder = undefined;
  });
});

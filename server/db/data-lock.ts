/**
 * One process per data folder. Two processes on one `data/` folder (`npm run seed` beside `npm
 * start`) would run two FerretDB processes on one set of SQLite files; the second is refused with
 * a clear message instead.
 *
 * Two locks guard the folder. This one, `<dataDir>/LOCK`, holds the owner's pid, host and start
 * time, so a refusal can name the holder. It is created atomically (written to a private file,
 * then hard-linked to LOCK, which fails if LOCK exists), so a reader never sees a half-written
 * lock. A lock whose process is gone (or is a zombie, or whose pid now belongs to another process,
 * seen from /proc on Linux, or that was written before a reboot) is stale and taken over. The lock
 * is released by release() and, as a last resort, when the process exits; after a SIGKILL it stays
 * behind and the next start takes it over as stale. The other lock is the database wrapper's
 * flock on `<dataDir>/db/ferretdb.lock` (db/ferretdb/main.go), which the kernel releases when the
 * database process dies however it dies.
 *
 * A holder that is still dying (killed, not yet gone: a restart by a service manager right after
 * a crash) is waited for, up to DATA_LOCK_WAIT_MS, before the start is refused.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'LOCK';
/** How long a start waits for the holder of a data folder to finish dying before it is refused. */
export const DATA_LOCK_WAIT_MS = 10_000;
const POLL_MS = 100;

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** Linux: the boot the process ran in, and its start time in clock ticks since that boot. */
  bootId?: string;
  procStart?: string;
  token: string;
}

export interface DataLock {
  /** The lock file. */
  path: string;
  /** Remove the lock (only if it is still ours). Safe to call twice. */
  release(): void;
}

/** Who holds a folder, as far as known (the database wrapper's lock knows only the pid). */
export type LockHolder = Pick<LockInfo, 'pid'> & Partial<Pick<LockInfo, 'host' | 'startedAt'>>;

export class DataFolderLockedError extends Error {
  readonly lockPath: string;
  readonly holderPid: number | null;
  /** This very process holds it: waiting cannot help. */
  ownProcess = false;
  /**
   * `reason` is appended after the holder; `removable`: whether deleting the lock file is the way
   * out when the holder is not running (a pid file yes; an flock, which needs no cleanup, no).
   */
  constructor(dataDir: string, lockPath: string, holder: LockHolder | null, reason: string, removable = true) {
    const since = holder?.startedAt ? `, since ${holder.startedAt}` : '';
    const who = holder ? `pid ${holder.pid}${holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : ''}${since}` : 'unknown process';
    super(
      `The data folder ${dataDir} is in use by another Xianrong process (${who})${reason}. ` +
        'Two processes must not open one embedded database: stop the other one first (npm start and npm run seed cannot run on one folder at the same time), ' +
        `or use another DATA_DIR.${removable ? ` If that process is not running, delete ${lockPath}.` : ''}`,
    );
    this.name = 'DataFolderLockedError';
    this.lockPath = lockPath;
    this.holderPid = holder?.pid ?? null;
  }
}

/** Lock files this process holds (a second open of the same folder in one process is refused too). */
const held = new Map<string, string>();

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id') ?? undefined;

/** Fields 3 onwards of /proc/<pid>/stat (Linux only), or undefined. */
function procStat(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count after its end.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Field 22 of /proc/<pid>/stat: when the process started (ticks since boot). */
const procStart = (pid: number): string | undefined => procStat(pid)?.[19];

/** Field 3: a zombie (Z) or dead (X) process has released everything it held. */
const hasDied = (pid: number): boolean => ['Z', 'X', 'x'].includes(procStat(pid)?.[0] ?? '');

function parse(text: string | null): LockInfo | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    return Number.isInteger(v.pid) && typeof v.host === 'string' && typeof v.token === 'string' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

/** Why the lock's owner is gone, or null when it may still be running. */
function staleReason(info: LockInfo | null, lockPath: string): string | null {
  if (!info) return 'unreadable lock file';
  // Another machine (a shared folder): its processes cannot be checked from here.
  if (info.host !== os.hostname()) return null;
  const boot = bootId();
  if (info.bootId && boot && info.bootId !== boot) return 'written before the machine restarted';
  // Our own pid but not our lock: a restarted container reuses pids.
  if (info.pid === process.pid) return held.get(lockPath) === info.token ? null : 'left by an earlier process with our pid';
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return `process ${info.pid} is not running`;
    // EPERM: it exists, under another user.
  }
  const started = procStart(info.pid);
  if (info.procStart && started && started !== info.procStart) return `pid ${info.pid} now belongs to another process`;
  // Killed but not yet reaped by its parent: it holds nothing any more.
  if (hasDied(info.pid)) return `process ${info.pid} has ended (not yet reaped)`;
  return null;
}

export interface AcquireOptions {
  /** Wait this long for a holder to go away before refusing (default DATA_LOCK_WAIT_MS). */
  waitMs?: number;
  /** Called once when the folder is held and the start begins to wait. */
  onWait?: (holderPid: number | null) => void;
}

/**
 * Take `<dataDir>/LOCK`, waiting up to `waitMs` for a holder that is going away; then throw
 * DataFolderLockedError. Creates the folder if missing. A second lock in this process is refused
 * at once.
 */
export async function acquireDataLock(dataDir: string, opts: AcquireOptions = {}): Promise<DataLock> {
  const deadline = Date.now() + (opts.waitMs ?? DATA_LOCK_WAIT_MS);
  for (let waited = false; ; waited = true) {
    try {
      return tryAcquireDataLock(dataDir);
    } catch (err) {
      if (!(err instanceof DataFolderLockedError) || err.ownProcess || Date.now() >= deadline) throw err;
      if (!waited) opts.onWait?.(err.holderPid);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Take `<dataDir>/LOCK` now or throw DataFolderLockedError. */
export function tryAcquireDataLock(dataDir: string): DataLock {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, LOCK_FILE);
  if (held.has(lockPath)) {
    const err = new DataFolderLockedError(dir, lockPath, parse(readText(lockPath)), ' (this process has it open already)');
    err.ownProcess = true;
    throw err;
  }

  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), bootId: bootId(), procStart: procStart(process.pid), token: randomUUID() };
  const text = JSON.stringify(info);
  const mine = `${lockPath}.${process.pid}.${info.token}`;
  fs.writeFileSync(mine, text);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(mine, lockPath);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const existing = readText(lockPath);
      const holder = parse(existing);
      const stale = staleReason(holder, lockPath);
      if (stale === null || attempt >= 5) throw new DataFolderLockedError(dir, lockPath, holder, stale === null ? '' : ` (could not take over its stale lock: ${stale})`);
      // Take over: move the stale lock aside (atomic), and check that what we moved is what we judged
      // stale; if another process replaced it in between, put theirs back.
      const aside = `${lockPath}.stale.${process.pid}.${info.token}`;
      try {
        fs.renameSync(lockPath, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (readText(aside) !== existing) {
        try {
          fs.linkSync(aside, lockPath);
        } catch {
          /* a third process holds LOCK now; the next round reads it */
        }
      }
      fs.rmSync(aside, { force: true });
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  held.set(lockPath, info.token);

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    held.delete(lockPath);
    if (parse(readText(lockPath))?.token === info.token) fs.rmSync(lockPath, { force: true });
  };
  process.on('exit', release);
  return { path: lockPath, release };
}

/**
 * The embedded MongoDB-compatible database: FerretDB 1.24 on SQLite (db/ferretdb), started as a
 * child process when no MONGODB_URI is configured, and by tests on a free port in a temp folder.
 *
 * The child is started with its stdin as a pipe and `-exit-on-stdin-close`, so if this Node
 * process dies without calling stop() the database exits too instead of holding its port.
 *
 * The wrapper takes an flock on `<dataDir>/ferretdb.lock` before it opens SQLite and exits with
 * code 3 (`LOCKED <pid>` on stderr) when another database process holds it. Since the kernel
 * drops that lock when its holder dies, a start right after a crash, while the killed database is
 * still going away, waits for it (up to DATA_LOCK_WAIT_MS) instead of failing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_LOCK_WAIT_MS, DataFolderLockedError } from './data-lock';

/** The wrapper's exit code when another process holds the data folder (db/ferretdb/main.go). */
export const EXIT_LOCKED = 3;
/** The wrapper's lock file inside the data folder. */
export const DB_LOCK_FILE = 'ferretdb.lock';
const LOCKED_RETRY_MS = 100;

export interface EmbeddedDb {
  /** `mongodb://127.0.0.1:<port>/`, without a database name (see withDbName). */
  uri: string;
  /** The port it listens on (a restart on the same folder can ask for it again). */
  port: number;
  dataDir: string;
  /** The database process's id (tests kill it to see the server cope). */
  pid: number;
  /** Settles when the process has exited, whether stop() asked for it or not. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface StartEmbeddedDbOptions {
  /** Folder for the SQLite files; created if missing. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent = any free port. */
  port?: number;
  /** The database binary; by default the one the last build made (builtDbBinary). */
  binary?: string;
  /** Receives the database's stderr lines and build messages. */
  log?: (line: string) => void;
  /** FerretDB log level (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for another database process to let go of the folder (default DATA_LOCK_WAIT_MS). */
  lockWaitMs?: number;
  /** Called each time the folder was found held by another database process (its pid, if known). */
  onLocked?: (holderPid: number | null) => void;
}

/** The wrapper refused the folder: another process holds its flock. */
class FolderHeld extends Error {
  constructor(readonly holderPid: number | null) {
    super('data folder held by another database process');
  }
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const STDERR_KEEP = 20;

/** Put a database name into a MongoDB URI, keeping its query string: `mongodb://h:p/` → `mongodb://h:p/name`. */
export function withDbName(uri: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${encodeURIComponent(name)}${m[2] ?? ''}`;
}

/**
 * Where the build (scripts/build-db.ts, run by `npm start`, `npm test` and `npm run build:db`)
 * records the binary it made for the current sources. The server only reads it: starting a server
 * never builds anything.
 */
export const BUILT_BINARY_POINTER = path.resolve(__dirname, '../../.cache/ferretdb/current');

/** The binary the last build made (or XIANRONG_DB_BINARY), with a clear error when there is none. */
export function builtDbBinary(): string {
  const fromEnv = process.env.XIANRONG_DB_BINARY;
  if (fromEnv) return fromEnv;
  try {
    return path.resolve(path.dirname(BUILT_BINARY_POINTER), '../..', readFileSync(BUILT_BINARY_POINTER, 'utf8').trim());
  } catch {
    throw new Error('the embedded database is not built yet: run `npm run build:db` (or `npm start`, which builds it), or set MONGODB_URI');
  }
}

export async function startEmbeddedDb(opts: StartEmbeddedDbOptions): Promise<EmbeddedDb> {
  const log = opts.log ?? (() => {});
  const binary = opts.binary ?? builtDbBinary();
  const dataDir = path.resolve(opts.dataDir);
  const deadline = Date.now() + (opts.lockWaitMs ?? DATA_LOCK_WAIT_MS);
  for (;;) {
    try {
      return await launch(binary, dataDir, opts, log);
    } catch (err) {
      if (!(err instanceof FolderHeld)) throw err;
      opts.onLocked?.(err.holderPid);
      if (Date.now() >= deadline) {
        const reason = ` (its database process still held the folder after ${Math.round((opts.lockWaitMs ?? DATA_LOCK_WAIT_MS) / 1000)} s)`;
        throw new DataFolderLockedError(dataDir, path.join(dataDir, DB_LOCK_FILE), err.holderPid ? { pid: err.holderPid } : null, reason, false);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS));
    }
  }
}

async function launch(binary: string, dataDir: string, opts: StartEmbeddedDbOptions, log: (line: string) => void): Promise<EmbeddedDb> {
  const args = [
    '-listen',
    `127.0.0.1:${opts.port ?? 0}`,
    '-data',
    dataDir,
    '-log-level',
    opts.logLevel ?? 'warn',
    '-exit-on-stdin-close',
  ];

  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  let exited = false;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });

  let errBuf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    errBuf += chunk;
    let i: number;
    while ((i = errBuf.indexOf('\n')) >= 0) {
      const line = errBuf.slice(0, i);
      errBuf = errBuf.slice(i + 1);
      stderrTail.push(line);
      if (stderrTail.length > STDERR_KEEP) stderrTail.shift();
      // A refusal while a dying holder goes away is retried, not news (the final one is an error).
      if (!line.startsWith('LOCKED ')) log(line);
    }
  });
  // Writing to a closed stdin (child gone) must not crash us.
  child.stdin.on('error', () => {});

  const describeTail = () => {
    const lines = [...stderrTail, ...(errBuf ? [errBuf] : [])];
    return lines.length ? `\nlast database output:\n${lines.join('\n')}` : '';
  };

  const uri = await new Promise<string>((resolve, reject) => {
    let outBuf = '';
    const timer = setTimeout(() => {
      fail(new Error(`the embedded database (${binary}) did not report READY within ${READY_TIMEOUT_MS / 1000} s${describeTail()}`));
    }, READY_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    const fail = (err: Error) => {
      cleanup();
      if (!exited) child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: string) => {
      outBuf += chunk;
      const m = /^READY (\S+)\s*$/m.exec(outBuf);
      if (m) {
        cleanup();
        resolve(m[1]);
      }
    };
    const onError = (err: Error) => fail(new Error(`could not start the embedded database (${binary}): ${err.message}`));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      // Let the last stderr chunk arrive before describing it.
      setImmediate(() => {
        if (code === EXIT_LOCKED) {
          const holder = /^LOCKED (\d+)/m.exec([...stderrTail, errBuf].join('\n'));
          return fail(new FolderHeld(holder && Number(holder[1]) > 0 ? Number(holder[1]) : null));
        }
        fail(new Error(`the embedded database exited before it was ready (code ${code}, signal ${signal})${describeTail()}`));
      });
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.resume();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(killer);
      child.stdin.destroy();
    })();
    return stopping;
  };

  const port = Number(new URL(uri).port);
  return { uri, port, dataDir, pid: child.pid!, exited: exitPromise, stop };
}

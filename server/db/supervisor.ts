/**
 * Keeps the embedded database running: a FerretDB process that exits without being asked to
 * (crash, OOM killer, `kill -9`) is logged as an error and started again on the same port and
 * folder, with backoff (0.5 s, 1 s, 2 s … capped), until stop(). Committed data is in the SQLite
 * files, so a restart loses nothing; the driver reconnects to the same address by itself.
 */
import type { Logger } from 'pino';
import type { EmbeddedDb } from './embedded';

export interface SupervisedDb extends EmbeddedDb {
  /** Called with false when the database process died, true when a restart is up. */
  onStatus(listener: (up: boolean) => void): void;
}

export interface SuperviseOptions {
  /** Start the database again on this port (same folder). */
  restart(port: number): Promise<EmbeddedDb>;
  logger: Logger;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Up this long before dying: the next restart starts again from the first delay. */
  stableAfterMs?: number;
  /** After the database stopped for good (stop()), e.g. release the data folder lock. */
  afterStop?: () => void;
}

export function superviseEmbeddedDb(first: EmbeddedDb, opts: SuperviseOptions): SupervisedDb {
  const { logger, initialDelayMs = 500, maxDelayMs = 15_000, stableAfterMs = 30_000 } = opts;
  const listeners: ((up: boolean) => void)[] = [];
  const emit = (up: boolean) => {
    for (const l of listeners) l(up);
  };
  let current = first;
  let upSince = Date.now();
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const schedule = () => {
    const delayMs = Math.min(initialDelayMs * 2 ** failures, maxDelayMs);
    failures++;
    logger.warn({ component: 'ferretdb', delayMs, attempt: failures }, 'restarting the embedded database');
    timer = setTimeout(() => {
      timer = undefined;
      restarting = restart().finally(() => (restarting = undefined));
    }, delayMs);
  };

  const restart = async () => {
    let db: EmbeddedDb;
    try {
      db = await opts.restart(current.port);
    } catch (err) {
      if (stopped) return;
      logger.error({ component: 'ferretdb', err }, 'the embedded database did not start again');
      schedule();
      return;
    }
    if (stopped) {
      await db.stop();
      return;
    }
    current = db;
    upSince = Date.now();
    logger.info({ component: 'ferretdb', pid: db.pid, port: db.port }, 'the embedded database is running again');
    watch(db);
    emit(true);
  };

  const watch = (db: EmbeddedDb) => {
    void db.exited.then(({ code, signal }) => {
      if (stopped || db !== current) return;
      logger.error({ component: 'ferretdb', pid: db.pid, code, signal }, 'the embedded database stopped unexpectedly');
      if (Date.now() - upSince >= stableAfterMs) failures = 0;
      emit(false);
      schedule();
    });
  };
  watch(first);

  let stopping: Promise<void> | undefined;
  return {
    get uri() {
      return current.uri;
    },
    get port() {
      return current.port;
    },
    get dataDir() {
      return current.dataDir;
    },
    get pid() {
      return current.pid;
    },
    get exited() {
      return current.exited;
    },
    onStatus(listener) {
      listeners.push(listener);
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        try {
          await restarting;
          await current.stop();
        } finally {
          opts.afterStop?.();
        }
      })()),
  };
}

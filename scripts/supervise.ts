/**
 * Keeps a child process running (`npm start` uses it for the bot): a child that exits without
 * being asked to is logged and started again after a backoff of 1 s, 2 s, 4 s … at most 60 s; a
 * child that ran for a minute before it stopped starts again from 1 s. stop() ends the current
 * child (SIGTERM, SIGKILL after a grace) and starts no other.
 *
 * The clock is injected, so tests drive the backoff with a fake one instead of waiting.
 */
import type { ChildProcess } from 'node:child_process';

/** The part of a ChildProcess the supervisor uses (tests pass a fake). */
export type SupervisedChild = Pick<ChildProcess, 'pid' | 'exitCode' | 'signalCode' | 'kill' | 'once'>;

export interface SupervisorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SupervisorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SuperviseChildOptions {
  /** For the log lines, e.g. "The bot". */
  name: string;
  start(): SupervisedChild;
  log(line: string): void;
  /** First wait before a restart (default 1 s), doubled per quick failure up to maxDelayMs (60 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A child that ran this long before it stopped is restarted after the first delay again (60 s). */
  stableAfterMs?: number;
  /** stop(): how long SIGTERM gets before SIGKILL (5 s). */
  stopGraceMs?: number;
  clock?: SupervisorClock;
}

export const CHILD_RESTART = { initialDelayMs: 1_000, maxDelayMs: 60_000, stableAfterMs: 60_000 } as const;

/** The wait before restart number `failures + 1` after `failures` quick failures in a row. */
export function restartDelayMs(failures: number, initialDelayMs: number = CHILD_RESTART.initialDelayMs, maxDelayMs: number = CHILD_RESTART.maxDelayMs): number {
  return Math.min(initialDelayMs * 2 ** failures, maxDelayMs);
}

export interface ChildSupervisor {
  /** The child running now (undefined while waiting to restart or after stop()). */
  readonly current: SupervisedChild | undefined;
  /** How many times the child was started again. */
  readonly restarts: number;
  /** Stop the child for good; resolves when it has exited. */
  stop(): Promise<void>;
}

const running = (c: SupervisedChild) => c.exitCode === null && c.signalCode === null;

export function superviseChild(opts: SuperviseChildOptions): ChildSupervisor {
  const clock = opts.clock ?? realClock;
  const { initialDelayMs = CHILD_RESTART.initialDelayMs, maxDelayMs = CHILD_RESTART.maxDelayMs, stableAfterMs = CHILD_RESTART.stableAfterMs, stopGraceMs = 5_000 } = opts;
  let current: SupervisedChild | undefined;
  let exited: Promise<void> = Promise.resolve();
  let failures = 0;
  let restarts = 0;
  let stopped = false;
  let timer: unknown;

  const launch = () => {
    const child = opts.start();
    const startedAt = clock.now();
    current = child;
    exited = new Promise<void>((resolve) => {
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        resolve();
        if (current === child) current = undefined;
        if (stopped) return;
        if (clock.now() - startedAt >= stableAfterMs) failures = 0;
        const delayMs = restartDelayMs(failures, initialDelayMs, maxDelayMs);
        failures++;
        opts.log(`${opts.name} stopped (${signal ?? `exit code ${code}`}); starting it again in ${Math.round(delayMs / 1000)} s (restart ${restarts + 1}).`);
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (stopped) return;
          restarts++;
          launch();
        }, delayMs);
      });
    });
  };
  launch();

  return {
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const child = current;
      if (!child || !running(child)) return;
      child.kill('SIGTERM');
      const killer = clock.setTimeout(() => {
        if (running(child)) child.kill('SIGKILL');
      }, stopGraceMs);
      await exited;
      clock.clearTimeout(killer);
    },
  };
}

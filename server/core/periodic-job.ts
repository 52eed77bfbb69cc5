/**
 * A job that runs now and then every `intervalMs`, never overlapping itself within one process;
 * a failed run is logged and the next one tries again. Work shared between processes must be
 * claimed in the database by the job itself (nothing here coordinates processes).
 */
import type { Logger } from 'pino';

/**
 * How a job waits between runs: the real timer, or a hand-driven one in tests (jest's fake timers
 * would also stop the database driver's own timers).
 */
export type Schedule = (run: () => void, ms: number) => { cancel(): void };

export const realSchedule: Schedule = (run, ms) => {
  const t = setTimeout(run, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

export interface PeriodicJob {
  /**
   * Stops the timer, tells a run in progress to stop (its `signal` aborts: a long run such as a
   * new installation's catch-up ends at its next step instead of holding the shutdown), and waits
   * for it.
   */
  stop(): Promise<void>;
}

export interface PeriodicJobOptions {
  intervalMs: number;
  schedule?: Schedule;
}

export function startPeriodicJob(logger: Logger, name: string, run: (signal: AbortSignal) => Promise<void>, opts: PeriodicJobOptions): PeriodicJob {
  const schedule = opts.schedule ?? realSchedule;
  const { intervalMs } = opts;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`${name} intervalMs must be a positive number, got ${intervalMs}`);
  let stopped = false;
  const stopping = new AbortController();
  let timer: { cancel(): void } | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    timer = undefined;
    running = run(stopping.signal)
      .catch((err: unknown) => logger.warn({ err }, `${name} failed; will retry at the next interval`))
      .finally(() => {
        if (!stopped) timer = schedule(tick, intervalMs);
      });
  };
  timer = schedule(tick, 0);
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      timer?.cancel();
      timer = undefined;
      await running;
    },
  };
}

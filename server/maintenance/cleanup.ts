/**
 * The cleanup job: FerretDB has no TTL indexes, so what has run out is deleted here.
 * - binding codes a day after they expired (used and cancelled codes expire too, at most 2 h
 *   after they were issued; the audit log keeps who bound what);
 * - sessions that have expired, or were revoked more than a day ago (the refresh grace period is
 *   far shorter);
 * - rate-limit windows that have ended.
 *
 * Every step is one idempotent deleteMany by a date: two server processes running it at once
 * delete each document once between them and never anything still in use.
 */
import type { AppContext } from '../context';
import { rateLimiter } from '../core/rate-limit/limiter';

const DAY = 24 * 60 * 60 * 1000;
/** How long spent binding codes and revoked sessions stay, to explain a refusal shortly after. */
export const KEEP_SPENT_MS = DAY;
export const DEFAULT_CLEANUP_INTERVAL_MS = 15 * 60 * 1000;

export interface CleanupResult {
  bindingCodes: number;
  sessions: number;
  rateWindows: number;
}

export async function runCleanup(ctx: AppContext): Promise<CleanupResult> {
  const now = ctx.now();
  const spentBefore = new Date(now.getTime() - KEEP_SPENT_MS);
  const { BindingCode, Session, RateWindow } = ctx.models;

  const bindingCodes = (await BindingCode.deleteMany({ expiresAt: { $lte: spentBefore } })).deletedCount;
  const sessions = (await Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { revokedAt: { $lte: spentBefore } }] })).deletedCount;
  const rateWindows = await rateLimiter(RateWindow, ctx.now).removeExpired();
  return { bindingCodes, sessions, rateWindows };
}

export interface CleanupJob {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `runCleanup` now and then every `intervalMs`. A failed run (e.g. the database away) is
 * logged and the next one tries again; runs never overlap within one process.
 */
/** How the job waits between runs: the real timer, or a hand-driven one in tests (jest's fake
 * timers would also stop the database driver's own timers). */
export type Schedule = (run: () => void, ms: number) => { cancel(): void };
const realSchedule: Schedule = (run, ms) => {
  const t = setTimeout(run, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

export function startCleanupJob(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): CleanupJob {
  const schedule = opts.schedule ?? realSchedule;
  const intervalMs = opts.intervalMs ?? DEFAULT_CLEANUP_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`cleanup intervalMs must be a positive number, got ${intervalMs}`);
  let stopped = false;
  let timer: { cancel(): void } | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    timer = undefined;
    running = runCleanup(ctx).then(
      (deleted) => {
        if (deleted.bindingCodes + deleted.sessions + deleted.rateWindows > 0) ctx.logger.info({ deleted }, 'cleanup: removed expired records');
      },
      (err: unknown) => ctx.logger.warn({ err }, 'cleanup failed; will retry at the next interval'),
    ).finally(() => {
      if (!stopped) timer = schedule(tick, intervalMs);
    });
  };
  timer = schedule(tick, 0);

  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
      await running;
    },
  };
}

import type { AppContext } from '../context';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { noticeModels, type NoticeDoc } from './model';
import { noticeFanOut } from './fan-out';

export const DEFAULT_FAN_OUT_SWEEP_MS = 30 * 1000;
const BATCH = 50;

/**
 * One pass: every published notice whose fan-out is not marked done (its publishing process died
 * between publishing and enqueueing every room) is fanned out again. The dedupe keys make this
 * safe to run from several processes at once and next to a publish still in progress.
 */
export async function sweepNoticeFanOut(ctx: AppContext): Promise<{ notices: number; enqueued: number }> {
  const fanOut = noticeFanOut(ctx);
  const open = await noticeModels(ctx.conn).Notice.find({ state: 'published', fanOutDone: false }).limit(BATCH).lean<NoticeDoc[]>();
  let enqueued = 0;
  for (const n of open) enqueued += await fanOut.run(n);
  return { notices: open.length, enqueued };
}

/** Completes the fan-out of a published notice whose publishing process died before enqueueing every room. */
export function startNoticeFanOutSweep(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  return startPeriodicJob(
    ctx.logger,
    'notice fan-out sweep',
    async () => {
      const r = await sweepNoticeFanOut(ctx);
      if (r.enqueued > 0) ctx.logger.info(r, 'notice fan-out sweep: completed deliveries a publish left undone');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_FAN_OUT_SWEEP_MS, schedule: opts.schedule },
  );
}

/**
 * Closes each open consultation at its time, with the recount from the ballots as its final
 * result, and finishes the group-chat posts of one whose opening was cut short (a crash between
 * opening and enqueueing). Runs in every server process; each close is one conditional write, so
 * two processes close a consultation once (the recount is the same whoever writes it).
 */
import type { AppContext } from '../context';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { consultationModels, type ConsultationDoc } from './model';
import { consultationService } from './service';
import { consultationFanOut } from './fan-out';

export const DEFAULT_CLOSER_INTERVAL_MS = 30 * 1000;
/**
 * Closed this long after the closing time: a vote that passed the check just before it has
 * written its ballot by then (ballots cast after the time are refused and left out of the count).
 */
export const CLOSE_GRACE_MS = 10 * 1000;
/** An opening older than this whose posts are not all enqueued was cut short. */
const FAN_OUT_STALE_MS = 60 * 1000;

export function consultationCloser(ctx: AppContext) {
  const { Consultation } = consultationModels(ctx.conn);
  const service = consultationService(ctx);
  const fanOut = consultationFanOut(ctx);
  return {
    async run(signal?: AbortSignal): Promise<{ closed: number; posted: number }> {
      const now = ctx.now();
      let closed = 0;
      const due = await Consultation.find({ state: 'open', closesAt: { $lte: new Date(now.getTime() - CLOSE_GRACE_MS) } }).limit(100).lean<ConsultationDoc[]>();
      for (const c of due) {
        if (signal?.aborted) break;
        const closing = await Consultation.findOneAndUpdate({ _id: c._id, state: 'open' }, { $set: { state: 'closed', closedAt: now }, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<ConsultationDoc>();
        if (!closing) continue;
        await service.finish(closing);
        closed++;
      }
      let posted = 0;
      const unfinished = await Consultation.find({ state: 'open', fanOutDone: false, openedAt: { $lte: new Date(now.getTime() - FAN_OUT_STALE_MS) } }).limit(100).lean<ConsultationDoc[]>();
      for (const c of unfinished) posted += await fanOut.run(c);
      return { closed, posted };
    },
  };
}

export function startConsultationCloser(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const closer = consultationCloser(ctx);
  return startPeriodicJob(
    ctx.logger,
    'consultation closer',
    async (signal) => {
      const r = await closer.run(signal);
      if (r.closed || r.posted) ctx.logger.info(r, 'consultations: closed or posted');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_CLOSER_INTERVAL_MS, schedule: opts.schedule },
  );
}

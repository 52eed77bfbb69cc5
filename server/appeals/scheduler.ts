/**
 * The deadline scheduler: flags appeals past the deadline of their step (督办) with an event on
 * the timeline that notifies the handlers; closes replied appeals whose 7-day rating window has
 * ended; relays notifications a crashed process left pending. Its state is the appeals' own
 * fields (`dueAt`, `overdue`), and each flag is a conditional update on `overdue: false`, so two
 * server processes running it at once flag each appeal once and restarts lose nothing.
 */
import type { AppContext } from '../context';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { appealModels, type AppealDoc } from './model';
import { OPEN_STATES } from './state-machine';
import { appendEvents, event, SYSTEM } from './events';
import { appealMoves } from './moves';
import { notificationRelay } from './notify';

export const DEFAULT_DEADLINE_SCAN_MS = 60 * 1000;
const BATCH = 500;

const OVERDUE_NOTES: Partial<Record<AppealDoc['state'], string>> = {
  submitted: '超过受理时限，请尽快受理',
  accepted: '超过派单时限，请尽快派单',
  in_progress: '超过办结时限，请尽快办结',
};
const overdueNote = (a: Pick<AppealDoc, 'state' | 'firstContactAt'>) =>
  a.state === 'assigned' ? (a.firstContactAt ? '超过办结时限，请尽快办结' : '超过首次联系时限，请尽快联系群众') : OVERDUE_NOTES[a.state] ?? '已超期';

export interface DeadlineRun {
  flagged: number;
  closed: number;
  relayed: number;
}

export function appealDeadlines(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  const relay = notificationRelay(ctx);
  const moves = appealMoves(ctx, (id) => relay.kick(id));

  return {
    async run(): Promise<DeadlineRun> {
      const now = ctx.now();
      let flagged = 0;
      const late = await Appeal.find({ dueAt: { $lte: now }, overdue: false, state: { $in: OPEN_STATES } }, { state: 1, dueAt: 1, firstContactAt: 1 }).limit(BATCH).lean<AppealDoc[]>();
      for (const a of late) {
        const won = await Appeal.updateOne(
          { _id: a._id, overdue: false, dueAt: a.dueAt, state: a.state },
          { $set: { overdue: true, notifyPending: true }, $inc: { overdueCount: 1, eventCount: 1 }, $push: appendEvents([event(now, 'overdue', SYSTEM, null, null, overdueNote(a))]).$push },
        );
        if (won.modifiedCount === 1) {
          flagged++;
          relay.kick(a._id);
        }
      }
      let closed = 0;
      const expired = await Appeal.find({ state: 'replied', dueAt: { $lte: now } }).limit(BATCH).lean<AppealDoc[]>();
      for (const a of expired) if (await moves.closeExpired(a)) closed++;
      await relay.idle();
      const relayed = await relay.sweep();
      // What a crash left held between a filing's messages and its appeal (notify.ts hold).
      const held = await relay.sweepHeld();
      if (held.released + held.dropped > 0) ctx.logger.warn(held, 'appeal filings\' held notifications swept: released where the appeal was stored, dropped where it was not');
      return { flagged, closed, relayed };
    },
    relay,
  };
}

export function startAppealScheduler(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const deadlines = appealDeadlines(ctx);
  const job = startPeriodicJob(
    ctx.logger,
    'appeal deadlines',
    async () => {
      const r = await deadlines.run();
      if (r.flagged + r.closed > 0) ctx.logger.info(r, 'appeal deadlines: flagged overdue and closed expired');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_DEADLINE_SCAN_MS, schedule: opts.schedule },
  );
  return {
    async stop() {
      await job.stop();
      await deadlines.relay.idle();
    },
  };
}

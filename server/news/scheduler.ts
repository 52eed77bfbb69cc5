/**
 * Publishes scheduled articles when their time comes. The state is the articles' own (`state:
 * scheduled`, `publishAt`), so it survives restarts, and each publish is a conditional update, so
 * two server processes running this at once publish each article once.
 */
import type { AppContext } from '../context';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { articleWorkflow } from './workflow';

export const DEFAULT_NEWS_SCAN_MS = 30 * 1000;

/** One pass, for the job and for tests that move the clock: how many articles it published. */
export const publishDueArticles = (ctx: AppContext) => articleWorkflow(ctx).publishDue();

export function startNewsScheduler(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  return startPeriodicJob(
    ctx.logger,
    'news scheduler',
    async () => {
      const published = await publishDueArticles(ctx);
      if (published > 0) ctx.logger.info({ published }, 'news scheduler: published scheduled articles');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_NEWS_SCAN_MS, schedule: opts.schedule },
  );
}

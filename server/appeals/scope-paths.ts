/**
 * A start-up step (server.ts): appeals filed before they carried `townshipPath` and
 * `communityPath` (model.ts) get them, derived from their region path (scope.ts scopePathsOf), so
 * the lists and badges that ask for a township or a community by equality find every appeal.
 *
 * Idempotent and safe to run in several processes at once: each round reads one appeal still
 * without the fields (`townshipPath: null`, which a missing field matches: a range of the
 * {townshipPath, overdue, _id} index) and writes both on every appeal of that region path still
 * without them, the same values whoever writes. Once done, a start costs one indexed read that
 * finds nothing.
 */
import type { AppContext } from '../context';
import { appealModels, type AppealDoc } from './model';
import { scopePathsOf } from './scope';

export async function backfillScopePaths(ctx: AppContext): Promise<{ appeals: number; regionPaths: number }> {
  const { Appeal } = appealModels(ctx.conn);
  const done = { appeals: 0, regionPaths: 0 };
  for (;;) {
    const one = await Appeal.findOne({ townshipPath: null }, { regionPath: 1 }).lean<Pick<AppealDoc, '_id' | 'regionPath'>>();
    if (!one) break;
    // An appeal without a region path (never written by filing) cannot be placed: left as it is, once.
    if (typeof one.regionPath !== 'string' || !one.regionPath.startsWith('/')) {
      ctx.logger.warn({ appealId: String(one._id) }, 'appeal without a region path: its township and community are left unset');
      break;
    }
    const r = await Appeal.updateMany({ regionPath: one.regionPath, townshipPath: null }, { $set: scopePathsOf(one.regionPath) });
    done.appeals += r.modifiedCount;
    done.regionPaths++;
  }
  if (done.appeals > 0) ctx.logger.info(done, 'appeals given their township and community paths');
  return done;
}

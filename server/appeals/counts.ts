/**
 * The workbench badges (`GET /appeals/counts`): the caller's appeals per state, the overdue ones,
 * and for dispatchers the two queues (to accept, direct dispatches to review), in one aggregation
 * grouped by what tells the badges apart, and kept in memory per scope until an appeal is filed or
 * moved (the appeal-counts stamp, model.ts), so every server process serves the next read after a
 * move fresh. `$group` on field paths and `$sum` only: both MongoDB and FerretDB 1.24 run it.
 */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { isStaff } from '../../common/roles';
import { readScopePaths } from '../users';
import { APPEAL_COUNTS_CACHE, appealModels } from './model';
import type { AppealCounts } from './schemas';
import { anyOf, ownFilter, workFilters, type Filter } from './scope';
import { APPEAL_STATES, type AppealState } from './state-machine';

/** Scopes remembered per process: one per resident who looked, one per staff scope. */
const MAX_SCOPES = 5_000;
const QUEUE_STATES: readonly AppealState[] = ['submitted', 'accepted'];

interface Group {
  _id: { state: AppealState; overdue: boolean; direct: boolean; reviewed: boolean; path?: string };
  n: number;
}

/** A filter as a cache key: regular expressions by their source, ids by their hex. */
const keyOf = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));

export function appealCounter(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);

  async function count(scope: Filter, inQueues: ((path: string) => boolean) | null, byPath: boolean): Promise<AppealCounts> {
    const id: Record<string, string> = { state: '$state', overdue: '$overdue', direct: '$directDispatch', reviewed: '$dispatchReviewed' };
    if (byPath) id.path = '$regionPath';
    const groups = await Appeal.aggregate<Group>([{ $match: scope }, { $group: { _id: id, n: { $sum: 1 } } }]);
    const byState = Object.fromEntries(APPEAL_STATES.map((s) => [s, 0])) as Record<AppealState, number>;
    let overdue = 0;
    let queue = 0;
    let direct = 0;
    for (const { _id: g, n } of groups) {
      if (g.state in byState) byState[g.state] += n;
      if (g.overdue === true) overdue += n;
      if (!inQueues || !inQueues(g.path ?? '')) continue;
      if (QUEUE_STATES.includes(g.state)) queue += n;
      if (g.direct === true && g.reviewed === false) direct += n;
    }
    return { byState, overdue, queue, direct };
  }

  return {
    /** Sends the caller's badges (ETag, private, 304 on a match); resolves to them. */
    respond(user: AuthUser, http: { req: Request; res: Response }): Promise<AppealCounts> {
      const admin = user.roles.includes('admin');
      const scope = isStaff(user.roles) ? (admin ? {} : anyOf(workFilters(user))) : anyOf(ownFilter(user));
      const dispatcher = admin || user.roles.includes('dispatcher');
      // The queues count the regions the caller dispatches in only (as the queue and direct views
      // list them): a subset of the scope. When it is the whole scope no group needs its region.
      const dispatching = admin ? {} : anyOf(workFilters(user, ['dispatcher']));
      const whole = keyOf(dispatching) === keyOf(scope);
      const paths = readScopePaths(user, ['dispatcher']);
      const inQueues = !dispatcher ? null : whole ? () => true : (path: string) => paths.some((p) => path.startsWith(p));
      const key = keyOf({ scope, queues: dispatcher ? (whole ? 'all' : paths) : null });
      return ctx.cache.respond(http, { namespace: APPEAL_COUNTS_CACHE, key, private: true, maxEntries: MAX_SCOPES }, () => count(scope, inQueues, dispatcher && !whole));
    },
  };
}

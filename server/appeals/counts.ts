/**
 * The workbench badges (`GET /appeals/counts`): the caller's appeals per state, the overdue ones,
 * and for dispatchers the two queues (to accept, direct dispatches to review), kept in memory per
 * scope until an appeal is filed or moved (the appeal-counts stamp, model.ts), so every server
 * process serves the next read after a move fresh.
 *
 * Each badge is its own `countDocuments` on the scope plus one indexed condition (a state, overdue,
 * the queue's states, the unreviewed direct dispatches), all at once. Not one `$group` over the
 * scope: the embedded database runs a count whose conditions are all exact as one SQL
 * `count(*)` on an index (db/ferretdb's count pushdown), but a `$group` by several fields reads and
 * decodes every appeal of the scope. Measured by bench/signed-in.ts right after a write (the
 * county dispatcher): the `$group` took 29.8 s at 10k appeals and 142 s at 100k; the same figures
 * as these counts 131 ms and 288 ms.
 */
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { isStaff } from '../../common/roles';
import { APPEAL_COUNTS_CACHE, appealModels } from './model';
import type { AppealCounts } from './schemas';
import { anyOf, ownFilter, workFilters, type Filter } from './scope';
import { APPEAL_STATES, type AppealState } from './state-machine';
import { appealFollows } from './follows';

/** Scopes remembered per process: one per resident who looked, one per staff scope. */
const MAX_SCOPES = 5_000;
const QUEUE_STATES: readonly AppealState[] = ['submitted', 'accepted'];

/** A filter as a cache key: regular expressions by their source, ids by their hex. */
const keyOf = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));

/** `scope` and `condition` both, as one plain filter when their fields differ (always, for the scopes here: paths, department, own), so the count has an index leading with the scope's field. */
const within = (scope: Filter, condition: Filter): Filter => (Object.keys(condition).some((k) => k in scope) ? { $and: [scope, condition] } : { ...scope, ...condition });

export function appealCounter(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  const countOf = (filter: Filter) => Appeal.countDocuments(filter);
  const follows = appealFollows(ctx);

  /**
   * A resident's badges: the state and overdue flag of each of their appeals, read branch by branch
   * on the indexes "my appeals" pages on (mine.ts: reporter, submitter, the follow rows then those
   * appeals by `_id`), each appeal counted once. Not counts of the `$or`: with a state beside it
   * the embedded database's planner walked a state index over the whole county (2.6-3.9 s at 10k
   * and 30k appeals, bench/appeals.ts --mine), and `{followerIds: me}` reads every joined appeal.
   * Grows with the resident's own appeals (hundreds), not with the county's.
   */
  async function ownCounts(user: AuthUser): Promise<AppealCounts> {
    const me = new Types.ObjectId(user.id);
    const FIELDS = { state: 1, overdue: 1 } as const;
    type Row = { _id: Types.ObjectId; state: AppealState; overdue: boolean; followerIds?: Types.ObjectId[] };
    const [reported, submitted, followed] = await Promise.all([
      Appeal.find({ reporterId: me }, FIELDS).sort({ _id: -1 }).lean<Row[]>(),
      Appeal.find({ submittedById: me }, FIELDS).sort({ _id: -1 }).lean<Row[]>(),
      follows.followedBy(me),
    ]);
    const joined = followed.length ? await Appeal.find({ _id: { $in: followed } }, { ...FIELDS, followerIds: 1 }).lean<Row[]>() : [];
    const rows = new Map<string, Row>();
    for (const r of [...reported, ...submitted, ...joined.filter((a) => (a.followerIds ?? []).some((f) => f.equals(me)))]) rows.set(String(r._id), r);
    const byState = Object.fromEntries(APPEAL_STATES.map((st) => [st, 0])) as Record<AppealState, number>;
    let overdue = 0;
    for (const r of rows.values()) {
      if (r.state in byState) byState[r.state]++;
      if (r.overdue === true) overdue++;
    }
    return { byState, overdue, queue: 0, direct: 0 };
  }

  /** The badges of `scope`; the queues of `queues` (the regions the caller dispatches in, a part of the scope), none when null. */
  async function count(scope: Filter, queues: Filter | null): Promise<AppealCounts> {
    const [states, overdue, queue, direct] = await Promise.all([
      Promise.all(APPEAL_STATES.map((state) => countOf(within(scope, { state })))),
      countOf(within(scope, { overdue: true })),
      queues ? countOf(within(queues, { state: { $in: [...QUEUE_STATES] } })) : 0,
      queues ? countOf(within(queues, { directDispatch: true, dispatchReviewed: false })) : 0,
    ]);
    const byState = Object.fromEntries(APPEAL_STATES.map((s, i) => [s, states[i]])) as Record<AppealState, number>;
    return { byState, overdue, queue, direct };
  }

  return {
    /** Sends the caller's badges (ETag, private, 304 on a match); resolves to them. */
    respond(user: AuthUser, http: { req: Request; res: Response }): Promise<AppealCounts> {
      const admin = user.roles.includes('admin');
      const scope = isStaff(user.roles) ? (admin ? {} : anyOf(workFilters(user))) : anyOf(ownFilter(user));
      const dispatcher = admin || user.roles.includes('dispatcher');
      // The queues count the regions the caller dispatches in only (as the queue and direct views
      // list them): a subset of the scope.
      const queues = dispatcher ? (admin ? {} : anyOf(workFilters(user, ['dispatcher']))) : null;
      const key = keyOf({ scope, queues });
      // Keyed by the caller's scope as the rules say it (ownFilter for a resident).
      const counted = () => (isStaff(user.roles) ? count(scope, queues) : ownCounts(user));
      return ctx.cache.respond(http, { namespace: APPEAL_COUNTS_CACHE, key, private: true, maxEntries: MAX_SCOPES }, counted);
    },
  };
}

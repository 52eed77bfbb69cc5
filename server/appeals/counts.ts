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
 * as these counts 131 ms and 288 ms. The county-wide scope's ended states, where the appeals pile
 * up, are counted in two parts so a write does not recount the county's history
 * (endedInCounty). A resident's badges are counts too, per branch of "my
 * appeals" (reporter, submitter, the follow rows' appeals by `_id`), added so that each appeal
 * counts once (ownCounts below): they no longer read the resident's appeals, whose number grows
 * with the county's (bench/appeals.ts --mine, figures below).
 */
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { isStaff } from '../../common/roles';
import { APPEAL_COUNTS_CACHE, APPEAL_SETTLED_CACHE, appealModels } from './model';
import type { AppealCounts } from './schemas';
import { anyOf, ownFilter, workFilters, type Filter } from './scope';
import { APPEAL_STATES, FINAL_STATES, type AppealState } from './state-machine';
import { chinaDayStart, chinaIsoDate } from '../../common/china-time';
import { appealFollows } from './follows';

/**
 * The stamps the badges are kept through: every counted write bumps the first; the second only
 * what may change the county's settled appeals, whose counts a recount takes from memory
 * (endedInCounty), so a read between a reopen's two bumps recounts again after the second.
 */
const BADGE_STAMPS = [APPEAL_COUNTS_CACHE, APPEAL_SETTLED_CACHE] as const;
/** Scopes remembered per process: one per resident who looked, one per staff scope. */
const MAX_SCOPES = 5_000;
const QUEUE_STATES: readonly AppealState[] = ['submitted', 'accepted'];
/** A resident's badges as conditions, in order: each state, then overdue. */
const BADGES: readonly ({ state: AppealState } | { overdue: true })[] = [...APPEAL_STATES.map((state) => ({ state })), { overdue: true as const }];

/** A filter as a cache key: regular expressions by their source, ids by their hex. */
const keyOf = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));

/** `scope` and `condition` both, as one plain filter when their fields differ (always, for the scopes here: paths, department, own), so the count has an index leading with the scope's field. */
const within = (scope: Filter, condition: Filter): Filter => (Object.keys(condition).some((k) => k in scope) ? { $and: [scope, condition] } : { ...scope, ...condition });

const HOUR_MS = 3_600_000;
/**
 * The day before which the county's ended appeals count as settled: the start of the China day
 * an hour ago. An hour's lag, so a process whose clock runs up to an hour behind another's still
 * stamps a closing after it (model.ts APPEAL_SETTLED_CACHE); the settled counts are counted again
 * once a day, at 01:00.
 */
export const settledBefore = (now: Date): Date => chinaDayStart(chinaIsoDate(now.getTime() - HOUR_MS));

export function appealCounter(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  const countOf = (filter: Filter) => Appeal.countDocuments(filter);
  const follows = appealFollows(ctx);

  /**
   * A resident's badges: exact-equality counts per badge (each state, then overdue), never their
   * appeals read. The union of the three "my appeals" branches (reporter R, submitter S, follower
   * F), each appeal once, per badge:
   *   |R ∪ S ∪ F| = |R| + (|S| - |R ∩ S|) + (|F| - |F ∩ (R ∪ S)|).
   * - R: `{reporterId: me, <badge>}` on {reporterId, submittedById, state, overdue} (model.ts):
   *   SQLite seeks the resident's keys and reads state and overdue from the index entries, never
   *   the stored appeals (EXPLAIN: no column of the table read).
   * - S \ R: a resident submits only what they report, so `{submittedById: me}` and
   *   `{reporterId: me, submittedById: me}` count the same (two counts, on {submittedById, _id} and
   *   the index above) and S adds nothing. Only when they differ (an account that filed for
   *   others, 代报, before its staff role was taken away) are the appeals it submitted for others
   *   read, as before: counts of `{submittedById: me, state}` have no index of their own (SQLite
   *   chose {state, closedAt} and read every appeal of the state), and that rare account does not
   *   make every filing pay for one.
   * - F: the follow rows' appeal ids (one range of {userId, appealId}), counted per badge by
   *   `{_id: {$in: ids}, <badge>}` on {state, _id} and {overdue, _id}. A row is a follow the
   *   appeal holds (follows.ts: written after the appeal's update; nothing removes a follower), so
   *   the counts take the rows as they are, where the list (mine.ts) checks `followerIds` on the
   *   appeals it reads anyway.
   * - F ∩ (R ∪ S): the follow route refuses one's own appeal, but a merge's join (it refuses only
   *   the target's reporter), an import or an older installation can make one;
   *   `{reporterId: me, _id: {$in: ids}}` (and the submitter's) find them on {reporterId, _id}
   *   and {submittedById, _id}, reading only those appeals (none, as a rule), and they are taken
   *   off F's counts.
   * The embedded database answers every count as one SQL `count(*)` (db/ferretdb's count
   * pushdown: all conditions exact equalities or `$in` of ids), nothing decoded: R's over the
   * resident's index entries alone, F's over the followed rows (SQLite checks each one's stored
   * `_id` type). Measured by bench/appeals.ts --mine right after a write (the bench resident, who
   * files or follows 360 of 10k appeals and 3,621 of 100k, about 300 of them followed): reading the
   * branches' appeals took 413 ms at 10k and 3866 ms at 100k (623 ms and 23.2 s in a run at load
   * average 8-14 on 2 cores); these counts 27.4 ms and 104 ms on a quiet machine (load average
   * 0.1-1.7; 33.1 ms and 181 ms at 4-6), and 34.8 ms and 32.8 ms at 10k and 30k. What grows
   * from 30k to 100k is not known yet: timed per part from 10k to 30k (32 and 98 followed
   * appeals, 360 and 1,093 of their own), none of the parts grew.
   * Not counts of the `$or`: with a state beside it the embedded database's planner walked a state
   * index over the whole county (2.6-3.9 s at 10k and 30k appeals), and `{followerIds: me}` reads
   * every joined appeal.
   */
  async function ownCounts(user: AuthUser): Promise<AppealCounts> {
    const me = new Types.ObjectId(user.id);
    const perBadge = (filter: Filter) => Promise.all(BADGES.map((badge) => countOf({ ...filter, ...badge })));
    const none = () => BADGES.map(() => 0);
    const [reported, submittedAll, bothAll, followed] = await Promise.all([
      perBadge({ reporterId: me }),
      countOf({ submittedById: me }),
      countOf({ reporterId: me, submittedById: me }),
      follows.followedBy(me),
    ]);
    type Row = { _id: Types.ObjectId; state: AppealState; overdue: boolean };
    const FIELDS = { state: 1, overdue: 1 } as const;
    const [forOthers, followedCounts, ownFollowed] = await Promise.all([
      submittedAll === bothAll ? [] : Appeal.find({ submittedById: me, reporterId: { $ne: me } }, FIELDS).lean<Row[]>(),
      followed.length ? perBadge({ _id: { $in: followed } }) : none(),
      followed.length
        ? Promise.all([Appeal.find({ reporterId: me, _id: { $in: followed } }, FIELDS).lean<Row[]>(), Appeal.find({ submittedById: me, _id: { $in: followed } }, FIELDS).lean<Row[]>()])
        : [[], []],
    ]);
    const matches = (badge: (typeof BADGES)[number]) => (r: Row) => ('state' in badge ? r.state === badge.state : r.overdue === true);
    // The followed appeals R or S counted already, once each.
    const again = [...new Map<string, Row>(ownFollowed.flat().map((r) => [String(r._id), r])).values()];
    // Each count is read at its own moment: a move between them must not make a badge negative.
    const total = BADGES.map((badge, i) => reported[i] + forOthers.filter(matches(badge)).length + Math.max(0, followedCounts[i] - again.filter(matches(badge)).length));
    const byState = Object.fromEntries(APPEAL_STATES.map((st, i) => [st, total[i]])) as Record<AppealState, number>;
    return { byState, overdue: total[APPEAL_STATES.length], queue: 0, direct: 0 };
  }

  /**
   * The county's appeals in each ended state (closed, rejected, merged): those settled before the
   * day (`closedAt` earlier, every move into an ended state stamps it) from memory, kept through
   * the appeal-settled stamp, which filings and the moves of open appeals do not bump
   * (model.ts), plus those ended since, counted each time on {state, closedAt}. An ended state is
   * where a county's appeals pile up (97 of 100), and an exact count walks every index entry of
   * its state: counted whole after every write, the county's badges grew with its history (issue
   * 16, bench/signed-in.ts: 10.4 ms at 10k appeals, 28.4 ms at 100k). Only for the county-wide
   * scope, which {state, closedAt} serves as it is; a township's or a department's scope is a
   * part of the county's appeals and is counted whole.
   */
  async function endedInCounty(request: object): Promise<number[]> {
    const day = settledBefore(ctx.now());
    const [settled, since] = await Promise.all([
      ctx.cache.value({ namespace: APPEAL_SETTLED_CACHE, key: `county:${day.toISOString()}` }, () => Promise.all(FINAL_STATES.map((state) => countOf({ state, closedAt: { $lt: day } }))), request),
      Promise.all(FINAL_STATES.map((state) => countOf({ state, closedAt: { $gte: day } }))),
    ]);
    return FINAL_STATES.map((_, i) => settled[i] + since[i]);
  }

  /** The badges of `scope`; the queues of `queues` (the regions the caller dispatches in, a part of the scope), none when null. */
  async function count(scope: Filter, queues: Filter | null, request: object): Promise<AppealCounts> {
    const county = Object.keys(scope).length === 0;
    const countState = (state: AppealState) => {
      const ended = FINAL_STATES.indexOf(state);
      return county && ended >= 0 ? endedCounts.then((n) => n[ended]) : countOf(within(scope, { state }));
    };
    const endedCounts = county ? endedInCounty(request) : Promise.resolve([]);
    // A caller who dispatches in their whole scope (the county's dispatcher, an admin): the queue
    // is the scope's submitted and accepted appeals, already counted, and not counted again.
    const queueIsScope = queues !== null && keyOf(queues) === keyOf(scope);
    const [states, overdue, queueCount, direct] = await Promise.all([
      Promise.all(APPEAL_STATES.map(countState)),
      countOf(within(scope, { overdue: true })),
      queues && !queueIsScope ? countOf(within(queues, { state: { $in: [...QUEUE_STATES] } })) : 0,
      queues ? countOf(within(queues, { directDispatch: true, dispatchReviewed: false })) : 0,
    ]);
    const byState = Object.fromEntries(APPEAL_STATES.map((s, i) => [s, states[i]])) as Record<AppealState, number>;
    const queue = queueIsScope ? QUEUE_STATES.reduce((n, st) => n + byState[st], 0) : queueCount;
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
      const counted = () => (isStaff(user.roles) ? count(scope, queues, http.req) : ownCounts(user));
      return ctx.cache.respond(http, { namespace: BADGE_STAMPS, key, private: true, maxEntries: MAX_SCOPES }, counted);
    },
  };
}

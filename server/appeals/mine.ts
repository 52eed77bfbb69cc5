/**
 * "My appeals" (`view=mine`) from the database: what the caller filed, what was filed for them and
 * what they follow (同问), newest first by `_id`. Not one `$or`: the embedded database serves the
 * follower branch `{followerIds: me}` by reading every appeal anyone joined (an array has no
 * per-element index there, db/ferretdb/README.md), so a page cost grew with the county's joined
 * appeals and the resident's own (229 ms at 10k appeals, 2082 ms at 100k, issue 16).
 *
 * Each branch is paged on its own index instead, `limit(page + 1)` at a time below the cursor: the
 * reporter's {reporterId, _id}, the submitter's {submittedById, _id} and the follow rows'
 * {userId, appealId} (model.ts AppealFollowDoc), whose appeals are then read by `_id`. The
 * branches are merged newest first and an appeal in two branches (a resident who reports and
 * follows) is listed once, so the page, its order and its cursor are the `$or`'s. A follow row is
 * taken only when the appeal still lists the caller as a follower (the appeal is the truth).
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { appealModels, type AppealDoc } from './model';
import type { Filter } from './scope';

/** The fields a list needs (not the timeline, which can be long). */
const LIST_FIELDS = { timeline: 0 } as const;
/** Greater than every ObjectId the database will hand out. */
const BEYOND_ANY_ID = new Types.ObjectId('ffffffffffffffffffffffff');

/** One branch of the union: its rows read so far and not yet merged (newest first), and where it goes on. */
interface Branch {
  rows: AppealDoc[];
  below: Types.ObjectId;
  exhausted: boolean;
  read(below: Types.ObjectId, n: number): Promise<{ rows: AppealDoc[]; below: Types.ObjectId | null; exhausted: boolean }>;
}

const and = (clauses: Filter[]): Filter => (clauses.length === 1 ? clauses[0] : { $and: clauses });
const newestFirst = (a: AppealDoc, b: AppealDoc) => (String(a._id) < String(b._id) ? 1 : String(a._id) > String(b._id) ? -1 : 0);

export function myAppeals(ctx: Pick<AppContext, 'conn'>) {
  const { Appeal, AppealFollow } = appealModels(ctx.conn);

  /** A branch that is one indexed field of the appeal (reporterId, submittedById). */
  const byField =
    (field: 'reporterId' | 'submittedById', me: Types.ObjectId, filters: Filter[]): Branch['read'] =>
    async (below, n) => {
      const rows = await Appeal.find(and([{ [field]: me }, ...filters, { _id: { $lt: below } }]), LIST_FIELDS).sort({ _id: -1 }).limit(n).lean<AppealDoc[]>();
      return { rows, below: rows.length ? rows[rows.length - 1]._id : null, exhausted: rows.length < n };
    };

  /** The follower branch: the caller's follow rows newest first, then those appeals that pass the filters by `_id`. */
  const followed =
    (me: Types.ObjectId, filters: Filter[]): Branch['read'] =>
    async (below, n) => {
      const follows = await AppealFollow.find({ userId: me, appealId: { $lt: below } }, { appealId: 1 }).sort({ appealId: -1 }).limit(n).lean();
      if (follows.length === 0) return { rows: [], below: null, exhausted: true };
      const ids = follows.map((f) => f.appealId);
      const rows = await Appeal.find(and([{ _id: { $in: ids } }, ...filters]), LIST_FIELDS).lean<AppealDoc[]>();
      const still = rows.filter((a) => (a.followerIds ?? []).some((f) => f.equals(me))).sort(newestFirst);
      return { rows: still, below: ids[ids.length - 1], exhausted: follows.length < n };
    };

  return {
    /**
     * Up to `limit` of the caller's appeals that pass `filters`, newest first, below the appeal
     * `after` (the cursor's, or none for the first page); `more` when another page follows.
     */
    async page(user: AuthUser, filters: Filter[], limit: number, after: string): Promise<{ rows: AppealDoc[]; more: boolean }> {
      const me = new Types.ObjectId(user.id);
      const start = after ? new Types.ObjectId(after) : BEYOND_ANY_ID;
      const want = limit + 1;
      const branches: Branch[] = [byField('reporterId', me, filters), byField('submittedById', me, filters), followed(me, filters)].map((read) => ({ rows: [], below: start, exhausted: false, read }));
      const refill = async (b: Branch) => {
        // A follower batch may hold nothing that passes the filters: read on until a row or the end.
        while (b.rows.length === 0 && !b.exhausted) {
          const got = await b.read(b.below, want);
          b.rows = got.rows;
          b.exhausted = got.exhausted || got.below === null;
          if (got.below) b.below = got.below;
        }
      };
      const out: AppealDoc[] = [];
      const seen = new Set<string>();
      while (out.length < want) {
        // Every branch that may still hold rows shows its newest before one is picked.
        await Promise.all(branches.map(refill));
        let pick: Branch | null = null;
        for (const b of branches) if (b.rows.length && (!pick || newestFirst(b.rows[0], pick.rows[0]) < 0)) pick = b;
        if (!pick) break;
        const row = pick.rows.shift()!;
        if (seen.has(String(row._id))) continue;
        seen.add(String(row._id));
        out.push(row);
      }
      return { rows: out.slice(0, limit), more: out.length > limit };
    },
  };
}

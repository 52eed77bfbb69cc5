/**
 * The public board (公开诉求): answered appeals their reporters made public, readable by anyone,
 * signed in or not, newest first by cursor, by category and community; and the dispatcher's 撤下,
 * which takes one off the board with a reason (isPublic false, `boardRemoved`, a timeline event,
 * audited). The rows are board-view.ts; the routes (cached for everyone alike) board-routes.ts.
 *
 * The query is `{isPublic, state ∈ replied|closed}` with the filters and an `_id` page bound,
 * newest first: the model's `{isPublic, state, _id}` and `{isPublic, state, categoryId, _id}`
 * indexes serve it, a community's filter the `{regionPath, state, _id}` one.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { staleVersion } from '../core/versions';
import { auditService } from '../audit';
import { pathPrefixRegex, regionLookup } from '../regions';
import { appealModels, type AppealDoc } from './model';
import { BOARD_STATES, type BoardDetail, type BoardPage, type BoardQuery, type UnpublishBody } from './board-schemas';
import { onBoard, toBoardDetail, toBoardItem } from './board-view';
import { actingRole, actorOf, appendEvents, event } from './events';
import { canRead, standingOf, type Filter } from './scope';

/** Greater than every ObjectId the database will hand out. */
const BEYOND_ANY_ID = new Types.ObjectId('ffffffffffffffffffffffff');

const encodeCursor = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url');
function decodeCursor(s: string): Types.ObjectId {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof c.after === 'string' && Types.ObjectId.isValid(c.after) && c.after.length === 24) return new Types.ObjectId(c.after);
  } catch {
    /* fall through */
  }
  throw badRequest('分页标记无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效' }]);
}

export function publicBoard(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  const regions = regionLookup(ctx);
  const audit = auditService(ctx);

  return {
    async page(q: BoardQuery): Promise<BoardPage> {
      const filter: Filter = { isPublic: true, state: { $in: [...BOARD_STATES] } };
      if (q.categoryId) filter.categoryId = new Types.ObjectId(q.categoryId);
      if (q.regionId) {
        const path = await regions.pathOf(q.regionId);
        if (path === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
        filter.regionPath = pathPrefixRegex(path);
      }
      // Always an `_id` range, also on a first page: the embedded database then walks the index
      // newest first and stops at the page's end (as queries.ts does).
      filter._id = { $lt: q.cursor ? decodeCursor(q.cursor) : BEYOND_ANY_ID };
      const rows = await Appeal.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<AppealDoc[]>();
      const items = rows.slice(0, q.limit);
      return { items: items.map((a) => toBoardItem(a)), nextCursor: rows.length > q.limit ? encodeCursor(String(items[items.length - 1]._id)) : null };
    },

    /** One item; 404 for anything not on the board (private, unanswered, taken off), with no hint that it exists. */
    async item(id: string): Promise<BoardDetail> {
      const a = await Appeal.findById(id).lean<AppealDoc>();
      if (!a || !onBoard(a)) throw notFound('公开诉求');
      return toBoardDetail(a);
    },

    /**
     * 撤下: a dispatcher whose regions hold it (or an admin) takes it off the board. One
     * conditional update on the version the decision was made on: a stale one is 409
     * STALE_VERSION, one no longer on the board 409 INVALID_STATE.
     */
    async unpublish(user: AuthUser, id: string, body: UnpublishBody): Promise<AppealDoc> {
      const a = await Appeal.findById(id).lean<AppealDoc>();
      if (!a) throw notFound('诉求');
      const s = standingOf(user, a);
      if (!canRead(s, a.isPublic)) throw notFound('诉求');
      if (!s.admin && !s.dispatcher) throw forbidden('只有负责该区域的调度员可以撤下公开诉求');
      if (a.eventCount !== body.version) throw staleVersion(a.eventCount);
      if (!onBoard(a)) throw invalidState('该诉求不在公开诉求栏，无需撤下');
      const now = ctx.now();
      const actor = actorOf(user, actingRole(user, 'dispatcher'));
      const updated = await Appeal.findOneAndUpdate(
        { _id: a._id, eventCount: body.version, isPublic: true, state: { $in: [...BOARD_STATES] } },
        {
          $set: { isPublic: false, boardRemoved: { at: now, byId: actor.id, byName: actor.name, reason: body.reason }, notifyPending: true },
          ...appendEvents([event(now, 'unpublish', actor, null, null, body.reason)]),
        },
        { returnDocument: 'after' },
      ).lean<AppealDoc>();
      if (!updated) {
        // Changed between the read and the write: name what it is now.
        const current = await Appeal.findById(a._id, { eventCount: 1 }).lean<AppealDoc>();
        if (!current) throw notFound('诉求');
        throw staleVersion(current.eventCount);
      }
      await audit.record(user.id, 'appeal.unpublish', 'appeal', id, { details: { reason: body.reason } });
      return updated;
    },
  };
}
export type PublicBoard = ReturnType<typeof publicBoard>;

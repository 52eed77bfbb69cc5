/**
 * Reading appeals: the lists of every role (views, filters, overdue first, cursor paging), the
 * inbox badges and the "same issue" candidates. Each list is the caller's scope AND the view AND
 * the filters, written as a MongoDB user would, in shapes the embedded database runs on indexes
 * (equality, `$in`, anchored prefixes, ranges; `_id` descending is newest first). The badges are
 * counts.ts.
 *
 * A page is kept in memory per caller and query (the read cache, core/cache) until an appeal is
 * filed or changes in a way a list shows (the stamp of APPEAL_LISTS_CACHE, model.ts) or a region
 * does (a `regionId` filter reads its path): the workbench and "my appeals" reload the same page
 * far more often than appeals move, and every server process serves the next read after a move
 * fresh.
 */
import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden } from '../core/errors';
import { chinaDayStart } from '../../common/china-time';
import { isStaff } from '../../common/roles';
import { queryKey } from '../core/cache/read-cache';
import { pathPrefixRegex, regionLookup, REGIONS_CACHE } from '../regions';
import { APPEAL_LISTS_CACHE, appealModels, type AppealDoc } from './model';
import type { AppealPage, ListAppealsQuery } from './schemas';
import { anyOf, ownFilter, readFilter, underRegion, workFilters, type Filter } from './scope';
import { APPEAL_STATES, OPEN_STATES } from './state-machine';
import { myAppeals } from './mine';
import { toSummary } from './views';

/** The fields a list needs (not the timeline, which can be long). */
const LIST_FIELDS = { timeline: 0 } as const;
const SIMILAR_DAYS = 7;
/** Pages remembered per process (each caller's pages and queries; least recently used dropped first). */
const MAX_PAGES = 5_000;
/** Greater than every ObjectId the database will hand out. */
const BEYOND_ANY_ID = new Types.ObjectId('ffffffffffffffffffffffff');

/** Page position: which part of the list (overdue first, then the rest) and the last id seen. */
interface Cursor {
  part: 'overdue' | 'rest' | 'all';
  after: string;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    // `after` is empty when a page ended exactly with the overdue part: the rest starts fresh.
    if (['overdue', 'rest', 'all'].includes(c.part) && (c.after === '' || Types.ObjectId.isValid(c.after))) return c;
  } catch {
    /* fall through */
  }
  throw badRequest('分页标记无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效' }]);
}

export function appealQueries(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  const regionTree = regionLookup(ctx);
  const mine = myAppeals(ctx);

  async function regionPath(id: string): Promise<string> {
    const path = await regionTree.pathOf(id);
    if (path === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
    return path;
  }

  /** The scope a view starts from: work scope for staff views, own appeals, or public ones. */
  function viewFilter(user: AuthUser, view: ListAppealsQuery['view']): Filter[] {
    const admin = user.roles.includes('admin');
    const work = () => (admin ? [] : [anyOf(workFilters(user))]);
    // The dispatcher's queues: the regions they dispatch in, not a community they also staff.
    const dispatching = () => (admin ? [] : [anyOf(workFilters(user, ['dispatcher']))]);
    switch (view) {
      case 'mine':
        return [anyOf(ownFilter(user))];
      case 'public':
        return [{ isPublic: true, state: { $in: APPEAL_STATES.filter((s) => s !== 'rejected' && s !== 'merged') } }];
      case 'inbox':
        if (!isStaff(user.roles)) throw forbidden('仅工作人员可以查看办理列表');
        return work();
      case 'overdue':
        if (!isStaff(user.roles)) throw forbidden('仅工作人员可以查看超期列表');
        return [...work(), { overdue: true }];
      case 'queue':
      case 'direct':
        if (!admin && !user.roles.includes('dispatcher')) throw forbidden('仅调度员可以查看');
        return view === 'queue' ? [...dispatching(), { state: { $in: ['submitted', 'accepted'] } }] : [...dispatching(), { directDispatch: true, dispatchReviewed: false }];
    }
  }

  async function filters(q: ListAppealsQuery): Promise<Filter[]> {
    const f: Filter[] = [];
    if (q.number) f.push({ number: q.number });
    if (q.state) f.push(q.state.length === 1 ? { state: q.state[0] } : { state: { $in: q.state } });
    if (q.categoryId) f.push({ categoryId: new Types.ObjectId(q.categoryId) });
    if (q.departmentId) f.push({ departmentId: new Types.ObjectId(q.departmentId) });
    if (q.regionId) f.push(underRegion(await regionPath(q.regionId)));
    if (q.overdue) f.push({ overdue: q.overdue === 'true' });
    if (q.from || q.to) {
      const range: Record<string, Date> = {};
      if (q.from) range.$gte = chinaDayStart(q.from);
      if (q.to) range.$lt = new Date(chinaDayStart(q.to).getTime() + 24 * 3600 * 1000);
      f.push({ submittedAt: range });
    }
    return f;
  }

  const and = (clauses: Filter[]): Filter => (clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0] : { $and: clauses });

  /** One page read from the database: the view's scope AND the filters, overdue first. */
  async function page(user: AuthUser, q: ListAppealsQuery, view: Filter[]): Promise<AppealPage> {
    const narrowing = await filters(q);
    const base = [...view, ...narrowing];
    // Overdue first, then the rest, each newest first; a list that already picks overdue or
    // not (the filter, the overdue view) is one part.
    const split = !q.overdue && q.view !== 'overdue' && q.view !== 'public' && q.view !== 'mine';
    let cursor: Cursor = q.cursor ? decodeCursor(q.cursor) : { part: split ? 'overdue' : 'all', after: '' };
    if (q.view === 'mine' && cursor.part === 'all') {
      // Each of the scope's branches paged on its own index and merged (mine.ts), not the `$or`
      // of `view`: the same page, order and cursor.
      const { rows, more } = await mine.page(user, narrowing, q.limit, cursor.after);
      const last = rows[rows.length - 1];
      return { items: rows.map((a) => toSummary(a, user)), nextCursor: more && last ? encodeCursor({ part: 'all', after: String(last._id) }) : null };
    }
    const items: AppealDoc[] = [];
    let next: string | null = null;
    for (;;) {
      const clauses = [...base];
      if (cursor.part === 'overdue') clauses.push({ overdue: true });
      if (cursor.part === 'rest') clauses.push({ overdue: false });
      // Always an ObjectId range on `_id`, also on a first page: with one the embedded database
      // knows every `_id` selected is an ObjectId and sorts by walking an index ending in `_id`
      // (the {overdue, _id} one) newest first, stopping at the page's end, instead of sorting
      // every appeal in scope (db/ferretdb/README.md, "_id ranges").
      clauses.push({ _id: { $lt: cursor.after ? new Types.ObjectId(cursor.after) : BEYOND_ANY_ID } });
      const want = q.limit - items.length;
      const rows = await Appeal.find(and(clauses), LIST_FIELDS).sort({ _id: -1 }).limit(want + 1).lean<AppealDoc[]>();
      items.push(...rows.slice(0, want));
      if (rows.length > want) {
        next = encodeCursor({ part: cursor.part, after: String(items[items.length - 1]._id) });
        break;
      }
      if (cursor.part !== 'overdue') break;
      cursor = { part: 'rest', after: '' };
      if (items.length === q.limit) {
        // This page ended exactly with the overdue part: the next page starts the rest.
        next = (await Appeal.exists(and([...base, { overdue: false }]))) ? encodeCursor(cursor) : null;
        break;
      }
    }
    return { items: items.map((a) => toSummary(a, user)), nextCursor: next };
  }

  return {
    /**
     * A page of a list as this caller may see it. With `http` the page is sent from the read cache
     * (ETag, private, 304 on a match) and the promise resolves to it; the key is the whole caller
     * (id, roles, scope: the rows' privacy depends on who asks) and the parsed query.
     */
    async list(user: AuthUser, q: ListAppealsQuery, http?: { req: Request; res: Response }): Promise<AppealPage> {
      // Refused views throw here, before the cache is asked.
      const view = viewFilter(user, q.view);
      if (!http) return page(user, q, view);
      const spec = { namespace: [APPEAL_LISTS_CACHE, REGIONS_CACHE], key: `${JSON.stringify(user)}|${queryKey(q)}`, private: true, maxEntries: MAX_PAGES };
      return ctx.cache.respond(http, spec, () => page(user, q, view));
    },

    /** 同问 candidates: open public appeals of the category in the same community, recent days. */
    async similar(user: AuthUser, categoryId: string, regionId: string) {
      const r = await regionTree.byId(regionId);
      if (!r) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
      // A grid's issues are its community's: look at the whole community.
      const communityPath = r.level === 'grid' ? r.path.split('/').slice(0, -2).join('/') + '/' : r.path;
      const since = new Date(ctx.now().getTime() - SIMILAR_DAYS * 24 * 3600 * 1000);
      const docs = await Appeal.find(
        { categoryId: new Types.ObjectId(categoryId), regionPath: pathPrefixRegex(communityPath), submittedAt: { $gte: since }, isPublic: true, state: { $in: [...OPEN_STATES, 'replied'] } },
        LIST_FIELDS,
      )
        .sort({ submittedAt: -1 })
        .limit(5)
        .lean<AppealDoc[]>();
      return { items: docs.map((a) => toSummary(a, user)) };
    },

    readFilter,
  };
}

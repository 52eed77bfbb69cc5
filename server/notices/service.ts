/**
 * Notices (通知公告): who writes them and for which regions, their life (draft → published →
 * withdrawn, each move one conditional update on the state it leaves), the readers' list and the
 * writers' view of the deliveries to group chats.
 *
 * Editors and reviewers (the media centre) write county-wide; community staff for their own
 * communities only, and they manage only the notices they wrote. Admin passes everything.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import type { Role } from '../../common/roles';
import { AppError, badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { staleVersion, versionFilter } from '../core/versions';
import { coversRegion } from '../users';
import { regionLookup, scopeOf, scopeRegions, type RegionScope } from '../regions';
import { boundRooms } from '../bindings';
import { outbox, zeroCounts, type OutboxCounts, type OutboxState } from '../outbox';
import { decodeCursor, documentTerms, encodeCursor, noticeListKeyOf, queryTerms } from '../news';
import { DELIVERY_STATE_LABELS, NOTICE_LEVEL_LABELS, NOTICE_STATE_LABELS } from '../../common/news-labels';
import { noticeModels, type NoticeDoc, type NoticeLink } from './model';
import { noticeFanOut, noticeRef, publicPublisher } from './fan-out';
import type { CreateNoticeBody, NoticeDelivery, NoticeDeliveryList, NoticeDetail, NoticeManageItem, NoticeSummary } from './schemas';

/** Roles that write notices county-wide (admin passes every role check, so it is one of them). */
const COUNTY_WRITERS = ['editor', 'reviewer', 'admin'] as const;
export const isCountyWriter = (user: AuthUser) => user.roles.some((r) => (COUNTY_WRITERS as readonly string[]).includes(r));
/** The role a publisher acts in: the media centre's (the first of COUNTY_WRITERS they hold) or their community's. */
const actingRole = (user: AuthUser): Role => COUNTY_WRITERS.find((r) => user.roles.includes(r)) ?? 'community_staff';

type Counts = OutboxCounts;
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const EXCERPT_CHARS = 80;

export function toNoticeSummary(n: NoticeDoc): NoticeSummary {
  return {
    id: String(n._id),
    title: n.title,
    level: n.level,
    levelLabel: NOTICE_LEVEL_LABELS[n.level],
    regionNames: n.regionNames,
    pinned: n.pinned,
    publishedAt: iso(n.publishedAt),
    excerpt: Array.from(n.body).slice(0, EXCERPT_CHARS).join(''),
  };
}
export const toNoticeDetail = (n: NoticeDoc): NoticeDetail => ({ ...toNoticeSummary(n), body: n.body, publisherName: publicPublisher(n), link: n.link ?? null });
/** The writers' view (staff only): the publisher by name. */
const toManageItem = (n: NoticeDoc, deliveries: Counts): NoticeManageItem => ({
  ...toNoticeDetail(n),
  publisherName: n.publishedByName ?? n.createdByName,
  state: n.state,
  stateLabel: NOTICE_STATE_LABELS[n.state],
  regionIds: n.regionIds.map(String),
  createdByName: n.createdByName,
  updatedAt: n.updatedAt.toISOString(),
  deliveries,
  version: n.version ?? 0,
});

/** The manage list pages by `_id` (newest first); its cursor is the last id. */
const encodeIdCursor = (id: unknown) => Buffer.from(String(id), 'utf8').toString('base64url');
function decodeIdCursor(cursor: string | undefined): Types.ObjectId | null {
  if (!cursor) return null;
  const hex = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(hex)) throw badRequest('分页游标无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效的游标' }]);
  return new Types.ObjectId(hex);
}

/** `/a/b/c/` → `/a/`, `/a/b/`, `/a/b/c/`: the region and every region above it. */
export function ancestorPaths(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, i) => `/${ids.slice(0, i + 1).join('/')}/`);
}

/** Adds the search to a filter (every term of the query); false when the query has no terms (nothing can match). */
function withSearch(filter: Record<string, unknown>, q: string | undefined): boolean {
  if (!q) return true;
  const terms = queryTerms(q);
  if (terms.length > 0) filter.searchTerms = { $all: terms };
  return terms.length > 0;
}

export interface NoticeServiceHooks {
  /** Called after an edit has read the notice and before it writes (tests hold two edits here, so both read the same version). */
  afterEditRead?: () => Promise<void>;
}

export function noticeService(ctx: AppContext, hooks: NoticeServiceHooks = {}) {
  const { Notice } = noticeModels(ctx.conn);
  const regionTree = regionLookup(ctx);
  const rooms = boundRooms(ctx);
  const fanOut = noticeFanOut(ctx);
  const box = outbox(ctx);

  async function countyName(): Promise<string> {
    return (await regionTree.countyName()) ?? '全县';
  }

  /**
   * The regions a writer names: existing townships or communities (the county means county-wide),
   * and for community staff, within their own communities and not empty.
   */
  async function resolveScope(user: AuthUser, ids: string[]): Promise<RegionScope> {
    const ordered = await scopeRegions(ctx, ids, '通知');
    if (!isCountyWriter(user)) {
      if (ordered.length === 0) throw badRequest('请选择通知范围：本人负责的社区', [{ path: 'body.regionIds', message: '社区工作人员须选择本社区' }]);
      // Only the communities they staff: a second role (a township's dispatcher) gives no right to notify it.
      const outside = ordered.find((d) => !coversRegion(user, d.path, ['community_staff']));
      if (outside) throw new AppError(403, 'FORBIDDEN', `只能向本人负责的社区发布通知，「${outside.name}」不在范围内`, [{ path: 'body.regionIds', message: '超出本人负责的社区' }]);
    }
    // Naming the county is the whole county: one representation (empty) for "county-wide".
    return scopeOf(ordered) ?? { regionIds: [], regionPaths: [], regionNames: [await countyName()] };
  }

  async function load(id: string): Promise<NoticeDoc> {
    const n = await Notice.findById(id).lean<NoticeDoc>();
    if (!n) throw notFound('通知');
    return n;
  }

  /** County writers manage every notice; community staff the ones they wrote. */
  async function loadManaged(user: AuthUser, id: string): Promise<NoticeDoc> {
    const n = await load(id);
    if (!isCountyWriter(user) && String(n.createdById) !== user.id) throw forbidden('只能管理本人发布的通知');
    return n;
  }

  function deliveryCounts(ids: Types.ObjectId[]): Promise<Map<string, Counts>> {
    return box.countsByRef(ids.map(noticeRef));
  }

  async function manageItem(n: NoticeDoc): Promise<NoticeManageItem> {
    return toManageItem(n, (await deliveryCounts([n._id])).get(noticeRef(n._id))!);
  }

  function stateConflict(n: Pick<NoticeDoc, 'state'>, action: string): AppError {
    return invalidState(`该通知${NOTICE_STATE_LABELS[n.state]}，不能${action}`);
  }

  return {
    /** Published notices for a reader: in the region's scope (its own, its ancestors', county-wide), emergency first. */
    async list(q: { regionId?: string; q?: string; cursor?: string; limit: number }) {
      const filter: Record<string, unknown> = { state: 'published' };
      if (q.regionId) {
        const path = await regionTree.pathOf(q.regionId);
        if (path === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '区域不存在' }]);
        filter.$or = [{ regionPaths: { $size: 0 } }, { regionPaths: { $in: ancestorPaths(path) } }];
      }
      if (!withSearch(filter, q.q)) return { items: [], nextCursor: null };
      const after = decodeCursor(q.cursor);
      if (after) filter.listKey = { $lt: after };
      const docs = await Notice.find(filter).sort({ listKey: -1 }).limit(q.limit + 1).lean<NoticeDoc[]>();
      const page = docs.slice(0, q.limit);
      return { items: page.map(toNoticeSummary), nextCursor: docs.length > q.limit ? encodeCursor(page[page.length - 1]!.listKey!) : null };
    },

    async detail(id: string): Promise<NoticeDetail> {
      const n = await load(id);
      if (n.state !== 'published') throw notFound('通知');
      return toNoticeDetail(n);
    },

    async manageList(user: AuthUser, q: { state?: NoticeDoc['state']; q?: string; cursor?: string; limit: number }) {
      const filter: Record<string, unknown> = {};
      if (!isCountyWriter(user)) filter.createdById = new Types.ObjectId(user.id);
      if (q.state) filter.state = q.state;
      if (!withSearch(filter, q.q)) return { items: [], nextCursor: null };
      const after = decodeIdCursor(q.cursor);
      if (after) filter._id = { $lt: after };
      const docs = await Notice.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<NoticeDoc[]>();
      const page = docs.slice(0, q.limit);
      const counts = await deliveryCounts(page.map((n) => n._id));
      return { items: page.map((n) => toManageItem(n, counts.get(noticeRef(n._id))!)), nextCursor: docs.length > q.limit ? encodeIdCursor(page[page.length - 1]!._id) : null };
    },

    async manageGet(user: AuthUser, id: string): Promise<NoticeManageItem> {
      return manageItem(await loadManaged(user, id));
    },

    /** A new draft; a retry with the same key gets the first draft (`created` false: the route answers 200). */
    async create(user: AuthUser, body: CreateNoticeBody, opts: { link?: NoticeLink } = {}): Promise<{ notice: NoticeManageItem; created: boolean }> {
      const createdById = new Types.ObjectId(user.id);
      const { idempotencyKey, ...content } = body;
      const hash = requestHash({ ...content, regionIds: [...new Set(content.regionIds)].sort() });
      const { doc, created } = await createOnce({
        findFirst: () => Notice.findOne({ createdById, idempotencyKey }).lean<NoticeDoc>(),
        hash,
        hashOf: (n) => n.createHash,
        insert: async () => {
          const scope = await resolveScope(user, body.regionIds);
          const n = await Notice.create({
            title: body.title,
            body: body.body,
            level: body.level,
            ...scope,
            state: 'draft',
            pinned: false,
            listKey: null,
            searchTerms: documentTerms(body.title, body.body),
            createdById,
            createdByName: user.name,
            idempotencyKey,
            createHash: hash,
            version: 0,
            fanOutDone: false,
            link: opts.link ?? null,
          });
          return n.toObject() as NoticeDoc;
        },
      });
      return { notice: created ? toManageItem(doc, zeroCounts()) : await manageItem(doc), created };
    },

    /** A draft, edited on `version`: one conditional write on it, so of two edits made on one version the second is a 409. */
    async update(user: AuthUser, id: string, body: Partial<Pick<CreateNoticeBody, 'title' | 'body' | 'level' | 'regionIds'>>, version: number): Promise<NoticeManageItem> {
      const n = await loadManaged(user, id);
      if (n.state !== 'draft') throw stateConflict(n, '修改');
      if ((n.version ?? 0) !== version) throw staleVersion(n.version);
      await hooks.afterEditRead?.();
      const set: Record<string, unknown> = {};
      if (body.title !== undefined) set.title = body.title;
      if (body.body !== undefined) set.body = body.body;
      if (body.level !== undefined) set.level = body.level;
      if (body.regionIds !== undefined) Object.assign(set, await resolveScope(user, body.regionIds));
      set.searchTerms = documentTerms(body.title ?? n.title, body.body ?? n.body);
      const updated = await Notice.findOneAndUpdate({ _id: n._id, state: 'draft', version: versionFilter(version) }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<NoticeDoc>();
      if (!updated) {
        const now = await load(id);
        throw now.state !== 'draft' ? stateConflict(now, '修改') : staleVersion(now.version);
      }
      return manageItem(updated);
    },

    /**
     * draft → published (one conditional update: two publishes, one wins, the other 409), then the
     * fan-out to the group chats. A crash between the two is completed by the fan-out sweep.
     * With `version` (If-Match) it publishes that version only: the text the writer saw, never one
     * changed since (409 STALE_VERSION).
     */
    async publish(user: AuthUser, id: string, version: number | null = null): Promise<NoticeManageItem> {
      const n = await loadManaged(user, id);
      if (n.state !== 'draft') throw stateConflict(n, '发布');
      if (version !== null && (n.version ?? 0) !== version) throw staleVersion(n.version);
      const publishedAt = ctx.now();
      const updated = await Notice.findOneAndUpdate(
        { _id: n._id, state: 'draft', ...(version !== null ? { version: versionFilter(version) } : {}) },
        {
          $inc: { version: 1 },
          $set: {
            state: 'published',
            pinned: n.level === 'emergency',
            listKey: noticeListKeyOf({ _id: n._id, publishedAt, level: n.level }),
            publishedAt,
            publishedById: new Types.ObjectId(user.id),
            publishedByName: user.name,
            publishedByRole: actingRole(user),
            fanOutDone: false,
          },
        },
        { returnDocument: 'after' },
      ).lean<NoticeDoc>();
      if (!updated) {
        const now = await load(id);
        throw now.state !== 'draft' || version === null ? stateConflict(now, '发布') : staleVersion(now.version);
      }
      await fanOut.run(updated);
      return manageItem((await Notice.findById(n._id).lean<NoticeDoc>())!);
    },

    /** published → withdrawn; deliveries no bot has taken yet are cancelled (failed, 通知已撤回). */
    async withdraw(user: AuthUser, id: string, reason: string): Promise<NoticeManageItem> {
      const n = await loadManaged(user, id);
      if (n.state !== 'published') throw stateConflict(n, '撤回');
      const updated = await Notice.findOneAndUpdate(
        { _id: n._id, state: 'published' },
        { $set: { state: 'withdrawn', pinned: false, withdrawnAt: ctx.now(), withdrawReason: reason }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ).lean<NoticeDoc>();
      if (!updated) throw stateConflict(await load(id), '撤回');
      await fanOut.cancelPending(n._id);
      return manageItem(updated);
    },

    /**
     * One row per group chat: the bound rooms in scope (while published, a room not yet reached
     * shows as pending) and every room a delivery was made for (even if unbound since).
     */
    async deliveries(user: AuthUser, id: string): Promise<NoticeDeliveryList> {
      const n = await loadManaged(user, id);
      const records = await box.deliveriesOf(noticeRef(n._id));
      const byRoom = new Map(records.map((r) => [r.recipient, r]));
      const inScope = n.state === 'published' ? await rooms.inScope(n.regionPaths) : [];
      const roomIds = [...new Set([...inScope.map((r) => r.roomId), ...byRoom.keys()])];
      const bound = roomIds.length ? await rooms.byRoomIds(roomIds) : [];
      const roomById = new Map(bound.map((r) => [r.roomId, r]));
      const regionIds = [...new Set(bound.map((r) => String(r.regionId)))];
      const regionName = regionIds.length ? await regionTree.namesOf(regionIds) : new Map<string, string>();
      const counts = zeroCounts();
      const items: NoticeDelivery[] = roomIds.map((roomId) => {
        const rec = byRoom.get(roomId);
        const room = roomById.get(roomId);
        const state: OutboxState = rec?.state ?? 'pending';
        counts[state]++;
        return {
          roomId,
          roomTopic: room?.topic ?? roomId,
          regionName: room ? regionName.get(String(room.regionId)) ?? '' : '',
          state,
          stateLabel: DELIVERY_STATE_LABELS[state] ?? state,
          attempts: rec?.attempts ?? 0,
          lastError: rec?.lastError ?? null,
          sentAt: iso(rec?.sentAt),
        };
      });
      items.sort((a, b) => a.regionName.localeCompare(b.regionName, 'zh') || a.roomTopic.localeCompare(b.roomTopic, 'zh') || a.roomId.localeCompare(b.roomId));
      return { items, counts };
    },
  };
}

/**
 * Hot spots as staff use them: the list and the open count of the caller's scope (dispatchers of
 * their regions, community staff of their community, admins all), one hot spot with its appeals,
 * and the two decisions a dispatcher makes on it: merge the group into one appeal (合并为一件) with
 * the appeals' own merge, or dismiss it with a reason (忽略). Both name the hot spot's version;
 * repeating the same decision (a retried request) answers what it did, and changes nothing.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { AppError, badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { staleVersion } from '../core/versions';
import { coversRegion, regionScopeFilter } from '../users';
import { appealService, clusterReads } from '../appeals';
import { appearance } from '../people';
import type { Role } from '../../common/roles';
import { hotspotModels, type HotspotDoc, type HotspotMemberDoc, type MergeOutcome } from './model';
import { HOTSPOT_STATE_LABELS, type DismissHotspotBody, type HotspotDetail, type HotspotPage, type HotspotSummary, type ListHotspotsQuery, type MergeHotspotBody } from './schemas';

/** Who sees hot spots: in these roles' regions (admins everywhere). */
export const HOTSPOT_VIEWERS: readonly Role[] = ['dispatcher', 'community_staff'];
/** Who merges or dismisses them: the dispatchers of the region (and admins). */
export const HOTSPOT_DECIDERS: readonly Role[] = ['dispatcher'];

const iso = (d: Date) => new Date(d).toISOString();
/** A staff member on the record, as the one rule shows them to staff (the only viewers of hot spots). */
const staffName = (user: AuthUser, p: { byId: Types.ObjectId; byName: string; byRole: string }) =>
  appearance({ name: p.byName, kind: 'staff', role: p.byRole, self: String(p.byId) === user.id }, { personal: true, anonymous: false, staff: true });

export function toSummary(h: HotspotDoc): HotspotSummary {
  return {
    id: String(h._id),
    regionId: String(h.communityId),
    regionName: h.regionName,
    label: h.label,
    categoryId: h.categoryId ? String(h.categoryId) : null,
    size: h.size,
    firstAt: iso(h.firstAt),
    lastAt: iso(h.lastAt),
    windowHours: h.windowHours,
    state: h.state,
    stateLabel: HOTSPOT_STATE_LABELS[h.state],
    version: h.version,
  };
}

export function hotspotService(ctx: AppContext) {
  const { Hotspot, HotspotMember } = hotspotModels(ctx.conn);
  const reads = clusterReads(ctx);
  const appeals = appealService(ctx);

  const scope = (user: AuthUser) => regionScopeFilter(user, 'regionPath', HOTSPOT_VIEWERS) ?? {};
  const mayDecide = (user: AuthUser, h: HotspotDoc) => coversRegion(user, h.regionPath, HOTSPOT_DECIDERS);

  /** The hot spot if the caller's scope holds it; 404 otherwise (no hint that it exists). */
  async function visible(user: AuthUser, id: string): Promise<HotspotDoc> {
    const h = Types.ObjectId.isValid(id) ? await Hotspot.findById(id).lean<HotspotDoc>() : null;
    if (!h || !coversRegion(user, h.regionPath, HOTSPOT_VIEWERS)) throw notFound('高频诉求');
    return h;
  }

  async function decidable(user: AuthUser, id: string): Promise<HotspotDoc> {
    const h = await visible(user, id);
    if (!mayDecide(user, h)) throw forbidden('只有负责该区域的调度员可以处理高频诉求');
    return h;
  }

  const memberIds = async (h: HotspotDoc) => (await HotspotMember.find({ hotspotId: h._id }, { _id: 1 }).sort({ submittedAt: 1 }).lean<HotspotMemberDoc[]>()).map((m) => String(m._id));

  async function detail(user: AuthUser, h: HotspotDoc): Promise<HotspotDetail> {
    const rows = await reads.rows(user, await memberIds(h));
    return {
      ...toSummary(h),
      appeals: rows.map((r) => ({ appeal: r.summary, version: r.version })),
      canDecide: h.state === 'open' && mayDecide(user, h),
      merge: h.merge ? { targetId: String(h.merge.targetId), targetNumber: h.merge.targetNumber, outcomes: h.merge.outcomes, at: iso(h.merge.at), byName: staffName(user, h.merge) } : null,
      dismissal: h.dismissal ? { reason: h.dismissal.reason, at: iso(h.dismissal.at), byName: staffName(user, h.dismissal) } : null,
    };
  }

  const actor = (user: AuthUser) => ({ at: ctx.now(), byId: new Types.ObjectId(user.id), byName: user.name, byRole: user.roles.includes('dispatcher') ? 'dispatcher' : 'admin' });

  return {
    async list(user: AuthUser, q: ListHotspotsQuery): Promise<HotspotPage> {
      const filter = { ...scope(user), state: q.state, ...(q.cursor ? { _id: { $lt: new Types.ObjectId(q.cursor) } } : {}) };
      const docs = await Hotspot.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<HotspotDoc[]>();
      const page = docs.slice(0, q.limit);
      return { items: page.map(toSummary), nextCursor: docs.length > q.limit ? String(page[page.length - 1]._id) : null };
    },
    /** The workbench's badge: open hot spots in the caller's scope. */
    count: async (user: AuthUser) => ({ open: await Hotspot.countDocuments({ ...scope(user), state: 'open' }) }),
    get: async (user: AuthUser, id: string) => detail(user, await visible(user, id)),

    async merge(user: AuthUser, id: string, body: MergeHotspotBody, version: number): Promise<{ hotspot: HotspotDetail; outcomes: MergeOutcome[] }> {
      const h = await decidable(user, id);
      // The same merge again (a retried request): what it did, unchanged.
      if (h.merge && h.merge.onVersion === version && (!body.targetId || body.targetId === String(h.merge.targetId))) return { hotspot: await detail(user, h), outcomes: h.merge.outcomes };
      if (h.state !== 'open') throw invalidState(`该高频诉求${HOTSPOT_STATE_LABELS[h.state]}，不能合并`);
      if (h.version !== version) throw staleVersion(h.version);
      const ids = await memberIds(h);
      const facts = await reads.facts(ids);
      const mergeable = ids.map((i) => facts.get(i)).filter((f) => f && f.state !== 'merged' && f.state !== 'rejected');
      const targetId = body.targetId ?? mergeable[0]?.id;
      if (!targetId || !ids.includes(targetId)) throw badRequest('合并目标须是该组中的诉求', [{ path: 'body.targetId', message: '不在该组中' }]);
      const target = facts.get(targetId);
      if (!target || target.state === 'merged' || target.state === 'rejected') throw invalidState('合并目标已合并或不予受理，请另选一件');

      const outcomes: MergeOutcome[] = [];
      for (const appealId of ids) {
        if (appealId === targetId) continue;
        const f = facts.get(appealId);
        if (!f) continue;
        const seen = body.appealVersions?.[appealId];
        if (f.state === 'merged' && f.duplicateOfId === targetId) outcomes.push({ appealId, number: f.number, result: 'already', message: null });
        else if (seen !== undefined && seen !== f.version) outcomes.push({ appealId, number: f.number, result: 'failed', message: '该诉求已有新的进展，请刷新后单独处理' });
        else {
          try {
            await appeals.moves.merge(user, appealId, { intoId: targetId, note: `高频诉求合并至 ${target.number}` });
            outcomes.push({ appealId, number: f.number, result: 'merged', message: null });
          } catch (err) {
            // A refusal of the appeals' merge (its state, the caller's regions): reported for that appeal; others go on.
            if (!(err instanceof AppError) || err.status >= 500) throw err;
            outcomes.push({ appealId, number: f.number, result: 'failed', message: err.message });
          }
        }
      }
      const merge = { onVersion: version, targetId: new Types.ObjectId(targetId), targetNumber: target.number, outcomes, ...actor(user) };
      const updated = await Hotspot.findOneAndUpdate({ _id: h._id, version, state: 'open' }, { $set: { state: 'merged', merge }, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<HotspotDoc>();
      return { hotspot: await detail(user, updated ?? (await visible(user, id))), outcomes };
    },

    async dismiss(user: AuthUser, id: string, body: DismissHotspotBody, version: number): Promise<HotspotDetail> {
      const h = await decidable(user, id);
      if (h.state === 'dismissed' && h.version === version + 1 && h.dismissal?.reason === body.reason) return detail(user, h);
      if (h.state !== 'open') throw invalidState(`该高频诉求${HOTSPOT_STATE_LABELS[h.state]}，不能忽略`);
      const updated = await Hotspot.findOneAndUpdate(
        { _id: h._id, version, state: 'open' },
        { $set: { state: 'dismissed', dismissal: { reason: body.reason, ...actor(user) } }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ).lean<HotspotDoc>();
      if (!updated) throw staleVersion((await visible(user, id)).version);
      return detail(user, updated);
    },
  };
}

import type { Types } from 'mongoose';
import { AppError, badRequest, conflict, isDuplicateKeyError, notFound } from '../core/errors';
import type { AppContext } from '../context';
import type { Paged } from '../core/validate';
import { newId } from '../db/schema-helpers';
import { REGION_LEVELS, type RegionDoc, type RegionLevel, regionModels } from './model';
import type { CreateRegionBody, NearestRegions, NearestRegionsQuery, Region, RegionSummary, UpdateRegionBody } from './schemas';
import { distanceM } from './geo';

/** The level a child of each level must have. */
const CHILD_LEVEL: Record<RegionLevel, RegionLevel | null> = { county: 'township', township: 'community', community: 'grid', grid: null };

/**
 * A centre farther than this from the point is not suggested: a point outside the county (or a
 * county whose centres are only partly set) suggests nothing rather than a far-away community.
 */
export const NEAREST_MAX_DISTANCE_M = 10_000;

const duplicateCode = (code: string) => new AppError(409, 'DUPLICATE', `区域编码「${code}」已存在`, [{ path: 'body.code', message: '已存在' }]);

export function toRegionSummary(r: RegionDoc): RegionSummary {
  return { id: String(r._id), name: r.name, level: r.level, pathNames: r.pathNames };
}

/** `s` matched literally inside a regular expression. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Escape a path for an anchored regex: ids are hex, but be safe for any string. */
export const pathPrefixRegex = (path: string) => new RegExp(`^${literal(path)}`);

/**
 * What else holds a region, counted before it is removed: the users who have it among their
 * regions or as their home, and the group chats bound to it. Users and bindings depend on regions,
 * not the other way round, so the composition root (app.ts) hands their counts in.
 */
export interface RegionHolders {
  usersIn(regionId: Types.ObjectId): Promise<number>;
  roomsIn(regionId: Types.ObjectId): Promise<number>;
}

/**
 * The regions of the level with a centre, nearest to the point first, within
 * NEAREST_MAX_DISTANCE_M. Computed here over every region of the level (a county has at most a
 * few hundred communities or grids): the embedded database has no geo queries or indexes. The
 * report form's suggestion and Open311's placing of a filed point (server/open311) ask this.
 */
export function nearestRegions(ctx: AppContext) {
  const { Region } = regionModels(ctx.conn);
  return async (q: NearestRegionsQuery): Promise<NearestRegions> => {
    const docs = await Region.find({ level: q.level }, { name: 1, level: 1, pathNames: 1, centre: 1 }).lean<RegionDoc[]>();
    const point = { lat: q.lat, lng: q.lng };
    const items = docs
      .flatMap((r) => (r.centre ? [{ region: toRegionSummary(r), distanceM: Math.round(distanceM(point, r.centre)) }] : []))
      .filter((x) => x.distanceM <= NEAREST_MAX_DISTANCE_M)
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, q.limit);
    return { items };
  };
}

export function regionService(ctx: AppContext, holders: RegionHolders) {
  const { Region } = regionModels(ctx.conn);

  async function childCounts(ids: Types.ObjectId[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await Region.aggregate<{ _id: Types.ObjectId; n: number }>([
      { $match: { parentId: { $in: ids } } },
      { $group: { _id: '$parentId', n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [String(r._id), r.n]));
  }

  async function toDtos(docs: RegionDoc[]): Promise<Region[]> {
    const counts = await childCounts(docs.map((d) => d._id));
    return docs.map((r) => ({
      id: String(r._id),
      name: r.name,
      code: r.code,
      level: r.level,
      parentId: r.parentId ? String(r.parentId) : null,
      path: r.path,
      pathNames: r.pathNames,
      childCount: counts.get(String(r._id)) ?? 0,
      centre: r.centre ? { lat: r.centre.lat, lng: r.centre.lng } : null,
    }));
  }

  return {
    toDtos,

    async get(id: string): Promise<RegionDoc> {
      const doc = await Region.findById(id).lean<RegionDoc>();
      if (!doc) throw notFound('区域');
      return doc;
    },

    /** Children of a parent (the roots without one), or a level's regions; `q` narrows to names containing it. */
    async list(q: { parentId?: string; level?: RegionLevel; q?: string; page: number; pageSize: number }): Promise<Paged<Region>> {
      const filter: Record<string, unknown> = {};
      if (q.parentId) filter.parentId = q.parentId;
      else if (!q.level && !q.q) filter.parentId = null;
      if (q.level) filter.level = q.level;
      if (q.q) filter.name = new RegExp(literal(q.q));
      const [docs, total] = await Promise.all([
        Region.find(filter).sort({ sort: 1, code: 1 }).skip((q.page - 1) * q.pageSize).limit(q.pageSize).lean<RegionDoc[]>(),
        Region.countDocuments(filter),
      ]);
      return { items: await toDtos(docs), total, page: q.page, pageSize: q.pageSize };
    },

    async create(input: CreateRegionBody): Promise<RegionDoc> {
      const _id = newId();
      let path = `/${_id}/`;
      let pathNames = [input.name];
      if (input.parentId) {
        const parent = await Region.findById(input.parentId).lean<RegionDoc>();
        if (!parent) throw badRequest('上级区域不存在', [{ path: 'body.parentId', message: '上级区域不存在' }]);
        const expected = CHILD_LEVEL[parent.level];
        if (expected !== input.level) {
          throw badRequest(
            expected ? `「${parent.name}」的下级只能是${expected}级区域` : `「${parent.name}」是网格，不能再有下级区域`,
            [{ path: 'body.level', message: `应为 ${expected ?? '无'}` }],
          );
        }
        path = `${parent.path}${_id}/`;
        pathNames = [...parent.pathNames, input.name];
      } else if (input.level !== REGION_LEVELS[0]) {
        throw badRequest('只有县级区域可以没有上级', [{ path: 'body.parentId', message: '必填' }]);
      }
      // Checked first for a message that names the code; the unique index still guards a race.
      if (await Region.exists({ code: input.code })) throw duplicateCode(input.code);
      try {
        const doc = await Region.create({ _id, name: input.name, code: input.code, level: input.level, parentId: input.parentId, path, pathNames, sort: input.sort ?? 0 });
        return doc.toObject();
      } catch (err) {
        throw isDuplicateKeyError(err) ? duplicateCode(input.code) : err;
      }
    },

    async update(id: string, patch: UpdateRegionBody): Promise<RegionDoc> {
      const doc = await Region.findById(id);
      if (!doc) throw notFound('区域');
      if (patch.sort !== undefined) doc.sort = patch.sort;
      if (patch.centre !== undefined) doc.centre = patch.centre;
      if (patch.name !== undefined && patch.name !== doc.name) {
        const depth = doc.pathNames.length - 1;
        doc.name = patch.name;
        doc.pathNames = [...doc.pathNames.slice(0, depth), patch.name];
        // Descendants carry the name in their pathNames: rewrite that one position.
        const descendants = await Region.find({ path: pathPrefixRegex(doc.path), _id: { $ne: doc._id } });
        for (const d of descendants) {
          const names = [...d.pathNames];
          names[depth] = patch.name;
          await Region.updateOne({ _id: d._id }, { $set: { pathNames: names } });
        }
      }
      await doc.save();
      return doc.toObject();
    },

    /** The regions of the level nearest the point (nearestRegions). */
    nearest: nearestRegions(ctx),

    async remove(id: string): Promise<void> {
      const doc = await Region.findById(id).lean<RegionDoc>();
      if (!doc) throw notFound('区域');
      const [children, users, rooms] = await Promise.all([
        Region.countDocuments({ parentId: doc._id }),
        holders.usersIn(doc._id),
        holders.roomsIn(doc._id),
      ]);
      if (children > 0) throw conflict(`「${doc.name}」还有 ${children} 个下级区域，不能删除`);
      if (users > 0) throw conflict(`「${doc.name}」还关联着 ${users} 个用户，不能删除`);
      if (rooms > 0) throw conflict(`「${doc.name}」还绑定着 ${rooms} 个群聊，不能删除`);
      await Region.deleteOne({ _id: doc._id });
    },
  };
}
export type RegionService = ReturnType<typeof regionService>;

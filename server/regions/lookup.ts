import type { Types } from 'mongoose';
import { recordsOf } from '../db/records';
import type { AppContext } from '../context';
import { regionModels, type RegionDoc, type RegionLevel } from './model';

/** A region's id as other features hold it: from a request (string) or a stored reference. */
export type RegionRef = string | Types.ObjectId;

/**
 * How other features read the region tree (regions/index.ts): by id, by ids, the county. Lean
 * documents, no cache: each call is one indexed query.
 */
export function regionLookup(ctx: AppContext) {
  const { Region } = regionModels(ctx.conn);

  return {
    /** The region, or null when there is none with that id. */
    byId: (id: RegionRef) => Region.findById(id).lean<RegionDoc>(),

    /** The regions among those ids that exist, in the database's order. */
    byIds: (ids: readonly RegionRef[]) => Region.find({ _id: { $in: ids } }).lean<RegionDoc[]>(),

    /** The region's path (`/county/township/…/`), or null when there is none with that id. */
    async pathOf(id: RegionRef): Promise<string | null> {
      const r = await Region.findById(id, { path: 1 }).lean<Pick<RegionDoc, '_id' | 'path'>>();
      return r?.path ?? null;
    },

    /** Region id → path, for those of the ids that exist. */
    async pathsOf(ids: readonly RegionRef[]): Promise<Map<string, string>> {
      const docs = await Region.find({ _id: { $in: ids } }, { path: 1 }).lean<Pick<RegionDoc, '_id' | 'path'>[]>();
      return new Map(docs.map((r) => [String(r._id), r.path]));
    },

    /** Region id → name, for those of the ids that exist. */
    async namesOf(ids: readonly RegionRef[]): Promise<Map<string, string>> {
      const docs = await Region.find({ _id: { $in: ids } }, { name: 1 }).lean<Pick<RegionDoc, '_id' | 'name'>[]>();
      return new Map(docs.map((r) => [String(r._id), r.name]));
    },

    /** The paths of those of the ids that are regions of that level (e.g. the communities among a user's regions). */
    async pathsAtLevel(ids: readonly RegionRef[], level: RegionLevel): Promise<string[]> {
      const docs = await Region.find({ _id: { $in: ids }, level }, { path: 1 }).lean<Pick<RegionDoc, '_id' | 'path'>[]>();
      return docs.map((r) => r.path);
    },

    /** Every region, or those of the levels, in the database's order. */
    all: (levels?: readonly RegionLevel[]) => Region.find(levels ? { level: { $in: levels } } : {}).lean<RegionDoc[]>(),

    /** The regions as records, written as given (the demo seed's reference data). */
    records: () => recordsOf(Region),

    /** Whether there may be any region (the collection's estimated count: an empty database has none). */
    estimatedCount: () => Region.estimatedDocumentCount(),

    /** The county's name (the root of the tree), or null before the tree is set up. */
    async countyName(): Promise<string | null> {
      const county = await Region.findOne({ parentId: null, level: 'county' }, { name: 1 }).lean<Pick<RegionDoc, '_id' | 'name'>>();
      return county?.name ?? null;
    },
  };
}
export type RegionLookup = ReturnType<typeof regionLookup>;

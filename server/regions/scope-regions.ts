import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { badRequest } from '../core/errors';
import { regionModels, type RegionDoc } from './model';

/** What an article or a notice stores of its scope (empty ids and paths: the whole county). */
export interface RegionScope {
  regionIds: Types.ObjectId[];
  regionPaths: string[];
  regionNames: string[];
}

/**
 * The regions a writer names as the scope of `what` (文章 or 通知): existing townships, communities or the
 * county, in the order named, duplicates dropped. An unknown id or a grid is a 400 on `body.regionIds.<i>`.
 */
export async function scopeRegions(ctx: AppContext, ids: string[], what: string): Promise<RegionDoc[]> {
  const unique = [...new Set(ids)];
  const docs = unique.length ? await regionModels(ctx.conn).Region.find({ _id: { $in: unique } }).lean<RegionDoc[]>() : [];
  const byId = new Map(docs.map((d) => [String(d._id), d]));
  const ordered: RegionDoc[] = [];
  for (const [i, id] of unique.entries()) {
    const d = byId.get(id);
    if (!d) throw badRequest(`${what}范围中的区域不存在`, [{ path: `body.regionIds.${i}`, message: '区域不存在' }]);
    if (d.level === 'grid') throw badRequest(`${what}范围只能是全县、乡镇或社区`, [{ path: `body.regionIds.${i}`, message: '不能选择网格' }]);
    ordered.push(d);
  }
  return ordered;
}

/** The stored scope of those regions; null when it is the whole county (none named, or the county among them). */
export function scopeOf(regions: RegionDoc[]): RegionScope | null {
  if (regions.length === 0 || regions.some((d) => d.level === 'county')) return null;
  return { regionIds: regions.map((d) => d._id), regionPaths: regions.map((d) => d.path), regionNames: regions.map((d) => d.name) };
}

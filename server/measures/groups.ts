/**
 * Figures per unit: a period's cells grouped by township, community, department, category or
 * channel, each group with its counts and rates, named for people to read.
 */
import type { AppContext } from '../context';
import { REGIONS_CACHE, regionLookup } from '../regions';
import { DEPARTMENTS_CACHE, departmentService } from '../departments';
import { CATEGORIES_CACHE, categoryService } from '../categories';
import { CHANNEL_LABELS, type AppealChannel } from '../../common/appeal-labels';
import type { CellKey } from './formulas';

export const GROUP_DIMENSIONS = ['township', 'community', 'department', 'category', 'channel'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** The id of the cell's unit on a dimension; null when the cell has none (an appeal filed above community level, not yet assigned…). */
export function unitOf(by: GroupDimension, c: CellKey): string | null {
  switch (by) {
    case 'township':
    case 'community': {
      // `/county/township/community/grid/`: the township is the second id, the community the third.
      const ids = c.regionPath.split('/').filter(Boolean);
      return ids[by === 'township' ? 1 : 2] ?? null;
    }
    case 'department':
      return c.departmentId;
    case 'category':
      return c.categoryId;
    case 'channel':
      return c.channel;
  }
}

type Unit = { id: string; name: string; active: boolean };

/** The units of a dimension as its owner holds them (one database read; unitsOf keeps them). */
async function loadUnits(ctx: AppContext, by: Exclude<GroupDimension, 'channel'>): Promise<Unit[]> {
  switch (by) {
    case 'township':
    case 'community':
      return (await regionLookup(ctx).all([by])).map((r) => ({ id: String(r._id), name: r.name, active: true }));
    case 'department':
      return (await departmentService(ctx).all()).map((d) => ({ id: String(d._id), name: d.name, active: d.active }));
    case 'category':
      return (await categoryService(ctx).all()).map((c) => ({ id: String(c._id), name: c.name, active: c.active }));
  }
}

/** Whose changes renew a dimension's list of units (the read cache's namespaces). */
const UNITS_CACHE = { township: REGIONS_CACHE, community: REGIONS_CACHE, department: DEPARTMENTS_CACHE, category: CATEGORIES_CACHE } as const;

/**
 * Every unit of a dimension with its name, in the order a list shows them: the units that exist
 * (active or not) and, for a grouping, any unit a cell names that is gone since. From the read
 * cache while the regions, departments or categories are unchanged (every ranking, grouping and
 * dashboard request asks: a county's hundreds of requests a minute read them once).
 */
export async function unitsOf(ctx: AppContext, by: GroupDimension): Promise<Unit[]> {
  if (by === 'channel') return (Object.entries(CHANNEL_LABELS) as [AppealChannel, string][]).map(([id, name]) => ({ id, name, active: true }));
  return ctx.cache.value({ namespace: UNITS_CACHE[by], key: `measure-units:${by}` }, () => loadUnits(ctx, by));
}

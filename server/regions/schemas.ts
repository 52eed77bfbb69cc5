import { z } from 'zod';
import { objectId, paging, pagedOf, trimmed } from '../core/validate';
import { REGION_LEVELS } from './model';
import { GeoPoint, latitude, longitude } from './geo';

export const RegionLevel = z.enum(REGION_LEVELS);

export const Region = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  level: RegionLevel,
  parentId: z.string().nullable(),
  path: z.string(),
  pathNames: z.array(z.string()),
  childCount: z.number().int(),
  /** The point the nearest-region suggestion measures from (GCJ-02); null until an admin sets it. */
  centre: z.object({ lat: z.number(), lng: z.number() }).nullable(),
});
export type Region = z.infer<typeof Region>;

export const RegionSummary = z.object({ id: z.string(), name: z.string(), level: RegionLevel, pathNames: z.array(z.string()) });
export type RegionSummary = z.infer<typeof RegionSummary>;

export const RegionList = pagedOf(Region);
export type RegionList = z.infer<typeof RegionList>;

export const ListRegionsQuery = z.strictObject({
  parentId: objectId.optional(),
  level: RegionLevel.optional(),
  /** Part of a name (e.g. the board's community search): names containing it, literally. */
  q: trimmed(1, 20).optional(),
  ...paging,
});

export const CreateRegionBody = z.strictObject({
  name: trimmed(1, 40),
  code: z.string().trim().regex(/^[A-Za-z0-9-]{2,32}$/, '只能包含字母、数字和连字符，2到32位'),
  level: RegionLevel,
  parentId: objectId.nullable().default(null),
  sort: z.number().int().min(0).max(100000).optional(),
});
export type CreateRegionBody = z.infer<typeof CreateRegionBody>;

export const UpdateRegionBody = z
  .strictObject({
    name: trimmed(1, 40).optional(),
    sort: z.number().int().min(0).max(100000).optional(),
    /** The region's centre for suggesting it from a point on the map; null removes it. */
    centre: GeoPoint.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');
export type UpdateRegionBody = z.infer<typeof UpdateRegionBody>;

/** `GET /regions/nearest?lat=&lng=&level=`: the regions of that level with centres, nearest first. */
export const NearestRegionsQuery = z.strictObject({
  lat: z.coerce.number().pipe(latitude),
  lng: z.coerce.number().pipe(longitude),
  level: z.enum(['community', 'grid']).default('community'),
  limit: z.coerce.number().int().min(1).max(10).default(3),
});
export type NearestRegionsQuery = z.infer<typeof NearestRegionsQuery>;

export const NearestRegions = z.object({
  items: z.array(z.object({ region: RegionSummary, distanceM: z.number().int() })),
});
export type NearestRegions = z.infer<typeof NearestRegions>;

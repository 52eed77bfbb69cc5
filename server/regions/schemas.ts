import { z } from 'zod';
import { objectId, paging, pagedOf, trimmed } from '../core/validate';
import { REGION_LEVELS } from './model';

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
});
export type Region = z.infer<typeof Region>;

export const RegionSummary = z.object({ id: z.string(), name: z.string(), level: RegionLevel, pathNames: z.array(z.string()) });
export type RegionSummary = z.infer<typeof RegionSummary>;

export const RegionList = pagedOf(Region);
export type RegionList = z.infer<typeof RegionList>;

export const ListRegionsQuery = z.strictObject({
  parentId: objectId.optional(),
  level: RegionLevel.optional(),
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
  .strictObject({ name: trimmed(1, 40).optional(), sort: z.number().int().min(0).max(100000).optional() })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');

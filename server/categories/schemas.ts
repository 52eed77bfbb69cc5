import { z } from 'zod';
import { objectId, trimmed } from '../core/validate';

const hours = (max: number) => z.number().int().min(1).max(max);
export const Deadlines = z.strictObject({ acceptHours: hours(720), firstContactHours: hours(720), resolveHours: hours(24 * 90) });

export const Category = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  group: z.string(),
  defaultDepartmentId: z.string().nullable(),
  deadlines: z.object({ acceptHours: z.number(), firstContactHours: z.number(), resolveHours: z.number() }),
  sort: z.number().int(),
  active: z.boolean(),
  /** Always sent; optional in the type so clients built before it still type-check. */
  keywords: z.array(z.string()).optional(),
});
export type Category = z.infer<typeof Category>;
export const CategoryList = z.object({ items: z.array(Category) });

export const ListCategoriesQuery = z.strictObject({
  /** Admins see retired categories too with `all=true`; everyone else sees active ones. */
  all: z.enum(['true', 'false']).optional(),
});

/** Admins' words for a category, which the category suggestion counts beside its name. */
const Keywords = z.array(trimmed(1, 20)).max(50);

const code = z.string().trim().regex(/^[a-z][a-z0-9-]{1,39}$/, '只能包含小写字母、数字和连字符，以字母开头');

export const CreateCategoryBody = z.strictObject({
  code,
  name: trimmed(1, 30),
  group: trimmed(1, 20),
  defaultDepartmentId: objectId.nullable().default(null),
  deadlines: Deadlines.optional(),
  sort: z.number().int().min(0).max(100000).default(0),
  keywords: Keywords.default([]),
});
export type CreateCategoryBody = z.infer<typeof CreateCategoryBody>;

export const UpdateCategoryBody = z
  .strictObject({
    name: trimmed(1, 30).optional(),
    group: trimmed(1, 20).optional(),
    defaultDepartmentId: objectId.nullable().optional(),
    deadlines: Deadlines.optional(),
    sort: z.number().int().min(0).max(100000).optional(),
    active: z.boolean().optional(),
    keywords: Keywords.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');
export type UpdateCategoryBody = z.infer<typeof UpdateCategoryBody>;

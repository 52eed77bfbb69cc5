import { z } from 'zod';
import { trimmed } from '../core/validate';

export const Department = z.object({ id: z.string(), name: z.string(), code: z.string(), phone: z.string().nullable(), sort: z.number().int(), active: z.boolean() });
export type Department = z.infer<typeof Department>;
export const DepartmentList = z.object({ items: z.array(Department) });

const code = z.string().trim().regex(/^[a-z][a-z0-9-]{1,31}$/, '只能包含小写字母、数字和连字符，以字母开头');
const phone = z.string().trim().regex(/^[0-9-]{5,20}$/, '请输入有效的电话号码');

export const CreateDepartmentBody = z.strictObject({ name: trimmed(1, 40), code, phone: phone.nullable().default(null), sort: z.number().int().min(0).max(100000).default(0) });
export const UpdateDepartmentBody = z
  .strictObject({ name: trimmed(1, 40).optional(), phone: phone.nullable().optional(), sort: z.number().int().min(0).max(100000).optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');

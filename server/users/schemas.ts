import { z } from 'zod';
import { objectId, paging, pagedOf, trimmed } from '../core/validate';
import { RegionSummary } from '../regions';
import { Role } from './roles';

export const Me = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string().nullable(),
  roles: z.array(Role),
  roleLabels: z.array(z.string()),
  isStaff: z.boolean(),
  regionId: z.string().nullable(),
  region: RegionSummary.nullable(),
  scopeRegionIds: z.array(z.string()),
  scopeRegions: z.array(RegionSummary),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  wechatContactBound: z.boolean(),
});
export type Me = z.infer<typeof Me>;

export const UpdateMeBody = z
  .strictObject({ regionId: objectId.optional(), name: trimmed(1, 20).optional() })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');

const phone = z.string().regex(/^1\d{10}$/, '请输入11位手机号');
const username = z.string().trim().regex(/^[a-z][a-z0-9_]{2,31}$/, '用户名为3到32位小写字母、数字或下划线，以字母开头');
const password = z.string().min(8, '密码至少8位').max(128);

/** A user as an admin sees it. The phone is masked here; the detail view shows it and is audited. */
export const UserAdminView = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string().nullable(),
  phone: z.string().nullable(),
  roles: z.array(Role),
  regionIds: z.array(z.string()),
  departmentId: z.string().nullable(),
  homeRegionId: z.string().nullable(),
  active: z.boolean(),
  wechatContactBound: z.boolean(),
  lastLoginAt: z.string().nullable(),
});
export type UserAdminView = z.infer<typeof UserAdminView>;
export const UserList = pagedOf(UserAdminView);

export const ListUsersQuery = z.strictObject({
  role: Role.optional(),
  regionId: objectId.optional(),
  departmentId: objectId.optional(),
  q: z.string().trim().max(40).optional(),
  ...paging,
});

const StaffRole = Role.exclude(['bot']);

export const CreateUserBody = z.strictObject({
  name: trimmed(1, 20),
  username,
  password,
  phone: phone.optional(),
  roles: z.array(StaffRole).min(1).max(8),
  regionIds: z.array(objectId).max(200).default([]),
  departmentId: objectId.nullable().default(null),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
  .strictObject({
    name: trimmed(1, 20).optional(),
    password: password.optional(),
    phone: phone.nullable().optional(),
    roles: z.array(StaffRole).min(1).max(8).optional(),
    regionIds: z.array(objectId).max(200).optional(),
    departmentId: objectId.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, '至少需要修改一项');
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

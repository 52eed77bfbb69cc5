/**
 * The services directory (办事指南): offices with phone numbers and hours. Admins edit it; the
 * mini-program's 服务 tab lists it and the bot answers keyword questions from it.
 */
import { z } from 'zod';
import { trimmed } from '../core/validate';

export const ServiceEntry = z.object({
  id: z.string(),
  /** 县政务服务中心 */
  name: z.string(),
  /** A heading the list groups by: 政务服务, 公共事业, 医疗, 便民热线 ... */
  group: z.string(),
  phone: z.string(),
  /** 工作日 8:30-12:00，14:30-17:30 */
  hours: z.string(),
  address: z.string(),
  /** Words a group-chat question must contain for the bot to answer with this entry (停水, 社保 ...). */
  keywords: z.array(z.string()),
  note: z.string(),
  sort: z.number().int(),
  active: z.boolean(),
});
export type ServiceEntry = z.infer<typeof ServiceEntry>;
export const ServiceEntryList = z.object({ items: z.array(ServiceEntry) });
export type ServiceEntryList = z.infer<typeof ServiceEntryList>;

const phone = z.string().trim().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{3,5})$/, '请输入有效的电话号码（手机、座机或短号如12345）');
const keyword = z.string().trim().min(1).max(10);
export const CreateServiceEntryBody = z.strictObject({
  name: trimmed(2, 30),
  group: trimmed(2, 10),
  phone,
  hours: z.string().trim().max(60).default(''),
  address: z.string().trim().max(60).default(''),
  keywords: z.array(keyword).max(20).default([]),
  note: z.string().trim().max(200).default(''),
  sort: z.number().int().min(0).max(9999).default(100),
});
export type CreateServiceEntryBody = z.infer<typeof CreateServiceEntryBody>;
export const UpdateServiceEntryBody = z.strictObject({
  name: trimmed(2, 30).optional(),
  group: trimmed(2, 10).optional(),
  phone: phone.optional(),
  hours: z.string().trim().max(60).optional(),
  address: z.string().trim().max(60).optional(),
  keywords: z.array(keyword).max(20).optional(),
  note: z.string().trim().max(200).optional(),
  sort: z.number().int().min(0).max(9999).optional(),
  active: z.boolean().optional(),
});
export type UpdateServiceEntryBody = z.infer<typeof UpdateServiceEntryBody>;
/** all=true (admins): the inactive entries too. */
export const ServiceListQuery = z.strictObject({ all: z.enum(['true', 'false']).optional() });

// The services-admin form: fields as typed, the checks the server makes (in Chinese, next to each
// field, before a round trip), the request bodies, and the server's 400 details mapped back.
import type { CreateServiceEntryInput, ServiceEntry, UpdateServiceEntryInput } from '../../../../api/types';
import { errorsFromServer } from '../../../../utils/appeal-form';

export interface ServiceForm {
  name: string;
  group: string;
  phone: string;
  hours: string;
  address: string;
  /** As typed: words separated by commas (，,、) or spaces. */
  keywords: string;
  note: string;
  active: boolean;
}
export type ServiceField = 'name' | 'group' | 'phone' | 'hours' | 'address' | 'keywords' | 'note' | 'form';
export type ServiceFormErrors = Partial<Record<ServiceField, string>>;

export const EMPTY_FORM: ServiceForm = { name: '', group: '', phone: '', hours: '', address: '', keywords: '', note: '', active: true };

export const formOf = (e: ServiceEntry): ServiceForm => ({
  name: e.name,
  group: e.group,
  phone: e.phone,
  hours: e.hours,
  address: e.address,
  keywords: e.keywords.join('、'),
  note: e.note,
  active: e.active,
});

/** `停水，水费 自来水、水表` → ['停水', '水费', '自来水', '水表'] (duplicates once). */
export function parseKeywords(text: string): string[] {
  return [...new Set(text.split(/[\s,，、;；]+/).map((w) => w.trim()).filter(Boolean))];
}

// The server's CreateServiceEntryBody (server/service-directory/schemas.ts), checked here first.
const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{3,5})$/;

export function checkServiceForm(f: ServiceForm): ServiceFormErrors {
  const e: ServiceFormErrors = {};
  const len = (s: string) => s.trim().length;
  if (len(f.name) < 2 || len(f.name) > 30) e.name = '名称需2到30个字';
  if (len(f.group) < 2 || len(f.group) > 10) e.group = '分组需2到10个字，如：政务服务、公共事业';
  if (!PHONE.test(f.phone.trim())) e.phone = '请输入有效的电话号码（手机、座机或短号如12345）';
  if (len(f.hours) > 60) e.hours = '办公时间最多60字';
  if (len(f.address) > 60) e.address = '地址最多60字';
  const words = parseKeywords(f.keywords);
  if (words.length > 20) e.keywords = '关键词最多20个';
  else if (words.some((w) => w.length > 10)) e.keywords = '每个关键词最多10个字';
  if (len(f.note) > 200) e.note = '备注最多200字';
  return e;
}

export function createBody(f: ServiceForm): CreateServiceEntryInput {
  return { name: f.name.trim(), group: f.group.trim(), phone: f.phone.trim(), hours: f.hours.trim(), address: f.address.trim(), keywords: parseKeywords(f.keywords), note: f.note.trim() };
}

export function updateBody(f: ServiceForm): UpdateServiceEntryInput {
  return { ...createBody(f), active: f.active };
}

const FIELD_OF: Record<string, ServiceField> = { name: 'name', group: 'group', phone: 'phone', hours: 'hours', address: 'address', keywords: 'keywords', note: 'note' };

/** A 400's details onto the fields (`body.keywords.3` → keywords); a 409 names the duplicate name. */
export function serverErrors(status: number, message: string, details: Array<{ path: string; message: string }> | undefined): ServiceFormErrors {
  if (status === 409) return { name: message };
  return errorsFromServer(details, message, FIELD_OF, 'form');
}

// The issue form of the Open311 keys page: what an admin types, checked before it is sent, and
// the body the server takes (server/open311/schemas.ts IssueOpen311KeyBody).
import type { IssueOpen311KeyInput } from '../../../../api/types';

export interface KeyForm {
  name: string;
  owner: string;
  perHour: string;
}
export type KeyFormErrors = Partial<Record<keyof KeyForm, string>>;

export const EMPTY_KEY_FORM: KeyForm = { name: '', owner: '', perHour: '100' };

export function checkKeyForm(f: KeyForm): KeyFormErrors {
  const errors: KeyFormErrors = {};
  if (!f.name.trim()) errors.name = '请填写系统名称';
  else if (f.name.trim().length > 60) errors.name = '名称最多60个字';
  if (!f.owner.trim()) errors.owner = '请填写使用单位';
  else if (f.owner.trim().length > 60) errors.owner = '单位最多60个字';
  const n = Number(f.perHour);
  if (!/^\d+$/.test(f.perHour.trim()) || n < 1 || n > 10000) errors.perHour = '每小时提交上限应为 1 到 10000 的整数';
  return errors;
}

export const issueBody = (f: KeyForm): IssueOpen311KeyInput => ({ name: f.name.trim(), owner: f.owner.trim(), perHour: Number(f.perHour) });

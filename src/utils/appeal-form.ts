// Checks shared by the two appeal forms (a resident's report, staff filing for someone): the same
// limits as the server's CreateAppealBody, in Chinese next to each field, so most mistakes never
// cost a round trip on a weak network; and the server's 400 details mapped back onto the fields.
import type { ApiErrorDetail } from '../api/types';
import { hasFailedUploads, hasPendingUploads, type PickedPhoto } from '../components/PhotoPicker';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, PLACE_MAX } from './appeal';

export type CommonField = 'kind' | 'category' | 'description' | 'photos' | 'place';

/** The fields both forms have. */
export function checkAppealFields(d: { kind: string | null; categoryId: string | null; description: string; place: string }, photos: PickedPhoto[]): Partial<Record<CommonField, string>> {
  const e: Partial<Record<CommonField, string>> = {};
  if (!d.kind) e.kind = '请选择诉求类型';
  if (!d.categoryId) e.category = '请选择问题分类';
  const length = d.description.trim().length;
  if (length < DESCRIPTION_MIN) e.description = `请至少写${DESCRIPTION_MIN}个字，说清楚是什么问题`;
  else if (length > DESCRIPTION_MAX) e.description = `最多${DESCRIPTION_MAX}字`;
  if (hasPendingUploads(photos)) e.photos = '照片还在上传，请稍候再提交';
  else if (hasFailedUploads(photos)) e.photos = '有照片上传失败，请点击照片重试或删除';
  if (d.place.trim().length > PLACE_MAX) e.place = `地点最多${PLACE_MAX}字`;
  return e;
}

/**
 * `body.reporter.phone` → the form field `fieldOf` names for `reporter.phone` (else `reporter`);
 * anything the form has no field for goes to `formField`, and so does the message when no detail
 * names a field.
 */
export function errorsFromServer<F extends string>(details: ApiErrorDetail[] | undefined, message: string, fieldOf: Record<string, F>, formField: F): Partial<Record<F, string>> {
  const errors: Partial<Record<F, string>> = {};
  for (const d of details ?? []) {
    const parts = d.path.split('.');
    const rest = parts[0] === 'body' ? parts.slice(1) : parts;
    const field = fieldOf[rest.slice(0, 2).join('.')] ?? fieldOf[rest[0] ?? ''] ?? formField;
    if (!errors[field]) errors[field] = d.message;
  }
  if (Object.keys(errors).length === 0) errors[formField] = message;
  return errors;
}

export const hasErrors = (errors: Partial<Record<string, string>>) => Object.values(errors).some(Boolean);

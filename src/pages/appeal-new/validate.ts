// The report form's checks, in Chinese next to each field: the same limits as the server's
// CreateAppealBody, so most mistakes never cost a round trip on a weak network; and the server's
// 400 details mapped back onto the field they name.
import type { ApiErrorDetail } from '../../api/types';
import type { AppealDraft } from '../../store/appeal-draft';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, PLACE_MAX } from '../../utils/appeal';
import { hasFailedUploads, hasPendingUploads, type PickedPhoto } from '../../components/PhotoPicker';

export type Field = 'kind' | 'category' | 'description' | 'photos' | 'community' | 'place' | 'form';
export type FieldErrors = Partial<Record<Field, string>>;

export function validateDraft(d: AppealDraft, photos: PickedPhoto[]): FieldErrors {
  const errors: FieldErrors = {};
  if (!d.kind) errors.kind = '请选择诉求类型';
  if (!d.categoryId) errors.category = '请选择问题分类';
  const length = d.description.trim().length;
  if (length < DESCRIPTION_MIN) errors.description = `请至少写${DESCRIPTION_MIN}个字，说清楚是什么问题`;
  else if (length > DESCRIPTION_MAX) errors.description = `最多${DESCRIPTION_MAX}字`;
  if (hasPendingUploads(photos)) errors.photos = '照片还在上传，请稍候再提交';
  else if (hasFailedUploads(photos)) errors.photos = '有照片上传失败，请点击照片重试或删除';
  if (!d.communityId) errors.community = '请选择问题所在的社区或村';
  if (d.place.trim().length > PLACE_MAX) errors.place = `地点最多${PLACE_MAX}字`;
  return errors;
}

const FIELD_OF: Record<string, Field> = {
  kind: 'kind',
  categoryId: 'category',
  description: 'description',
  photoIds: 'photos',
  regionId: 'community',
  place: 'place',
};

/** `body.description` → description; anything the form has no field for goes to the form. */
export function fieldErrorsFromServer(details: ApiErrorDetail[] | undefined, message: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of details ?? []) {
    const parts = d.path.split('.');
    const key = parts[0] === 'body' ? parts[1] : parts[0];
    const field = FIELD_OF[key ?? ''] ?? 'form';
    if (!errors[field]) errors[field] = d.message;
  }
  if (Object.keys(errors).length === 0) errors.form = message;
  return errors;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}

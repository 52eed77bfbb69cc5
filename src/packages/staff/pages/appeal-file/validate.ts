// The filing form's checks, with the server's limits (CreateAppealBody), shown next to each field.
import type { ApiErrorDetail } from '../../../../api/types';
import { hasFailedUploads, hasPendingUploads, type PickedPhoto } from '../../../../components/PhotoPicker';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, PLACE_MAX } from '../../../../utils/appeal';
import { chosenRegion } from '../../components/AppealRegionPicker';
import type { FileDraft } from './draft';

export type FileField = 'reporterName' | 'reporterPhone' | 'kind' | 'category' | 'description' | 'photos' | 'region' | 'place' | 'form';
export type FileErrors = Partial<Record<FileField, string>>;

/** The server's phone rule: a mobile number, or a landline with its area code. */
export const PHONE_PATTERN = /^1\d{10}$|^0\d{2,3}-?\d{7,8}$/;
export const REPORTER_NAME_MAX = 20;

export function validateFileDraft(d: FileDraft, photos: PickedPhoto[]): FileErrors {
  const e: FileErrors = {};
  const name = d.reporterName.trim();
  if (!name) e.reporterName = '请填写反映人姓名';
  else if (name.length > REPORTER_NAME_MAX) e.reporterName = `姓名最多${REPORTER_NAME_MAX}字`;
  const phone = d.reporterPhone.trim();
  if (phone && !PHONE_PATTERN.test(phone)) e.reporterPhone = '请输入11位手机号，或带区号的座机号';
  if (!d.kind) e.kind = '请选择诉求类型';
  if (!d.categoryId) e.category = '请选择问题分类';
  const length = d.description.trim().length;
  if (length < DESCRIPTION_MIN) e.description = `请至少写${DESCRIPTION_MIN}个字，说清楚是什么问题`;
  else if (length > DESCRIPTION_MAX) e.description = `最多${DESCRIPTION_MAX}字`;
  if (hasPendingUploads(photos)) e.photos = '照片还在上传，请稍候再提交';
  else if (hasFailedUploads(photos)) e.photos = '有照片上传失败，请点击照片重试或删除';
  if (!chosenRegion(d.regionTrail)) e.region = '请选择问题所在的社区/村或网格';
  if (d.place.trim().length > PLACE_MAX) e.place = `地点最多${PLACE_MAX}字`;
  return e;
}

const FIELD_OF: Record<string, FileField> = {
  kind: 'kind',
  categoryId: 'category',
  description: 'description',
  photoIds: 'photos',
  regionId: 'region',
  place: 'place',
  'reporter.name': 'reporterName',
  'reporter.phone': 'reporterPhone',
  reporter: 'reporterName',
};

/** The server's 400 details (`body.reporter.phone` ...) onto the form's fields. */
export function fileErrorsFromServer(details: ApiErrorDetail[] | undefined, message: string): FileErrors {
  const errors: FileErrors = {};
  for (const d of details ?? []) {
    const parts = d.path.split('.');
    const rest = parts[0] === 'body' ? parts.slice(1) : parts;
    const field = FIELD_OF[rest.slice(0, 2).join('.')] ?? FIELD_OF[rest[0] ?? ''] ?? 'form';
    if (!errors[field]) errors[field] = d.message;
  }
  if (Object.keys(errors).length === 0) errors.form = message;
  return errors;
}

export const hasFileErrors = (e: FileErrors) => Object.values(e).some(Boolean);

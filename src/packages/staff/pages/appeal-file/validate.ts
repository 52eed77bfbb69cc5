// The filing form's checks: the reporter's name and phone, the region, and the checks both appeal
// forms share (utils/appeal-form.ts); the server's 400 details mapped back onto the fields.
import type { ApiErrorDetail } from '../../../../api/types';
import type { PickedPhoto } from '../../../../components/PhotoPicker';
import { checkAppealFields, errorsFromServer, hasErrors } from '../../../../utils/appeal-form';
import { chosenRegion } from './AppealRegionPicker';
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
  // The category may be left to the server's suggestion (智能分类): a call's words are free text,
  // dispatched directly when the suggestion is sure, else waiting for a dispatcher with it shown.
  const { category: _optional, ...common } = checkAppealFields(d, photos);
  Object.assign(e, common);
  if (!chosenRegion(d.regionTrail)) e.region = '请选择问题所在的社区/村或网格';
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
export const fileErrorsFromServer = (details: ApiErrorDetail[] | undefined, message: string): FileErrors => errorsFromServer(details, message, FIELD_OF, 'form');

export const hasFileErrors = (e: FileErrors) => hasErrors(e);

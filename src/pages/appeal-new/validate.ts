// The report form's checks (the shared ones in utils/appeal-form.ts) and the server's 400 details
// mapped back onto the field they name.
import type { ApiErrorDetail } from '../../api/types';
import type { AppealDraft } from '../../store/appeal-draft';
import type { PickedPhoto } from '../../components/PhotoPicker';
import { checkAppealFields, errorsFromServer } from '../../utils/appeal-form';

export { hasErrors } from '../../utils/appeal-form';

export type Field = 'kind' | 'category' | 'description' | 'photos' | 'community' | 'place' | 'location' | 'form';
export type FieldErrors = Partial<Record<Field, string>>;

export function validateDraft(d: AppealDraft, photos: PickedPhoto[]): FieldErrors {
  const errors: FieldErrors = checkAppealFields(d, photos);
  if (!d.communityId) errors.community = '请选择问题所在的社区或村';
  return errors;
}

const FIELD_OF: Record<string, Field> = {
  kind: 'kind',
  categoryId: 'category',
  description: 'description',
  photoIds: 'photos',
  regionId: 'community',
  place: 'place',
  location: 'location',
};

/** `body.description` → description; anything the form has no field for goes to the form. */
export const fieldErrorsFromServer = (details: ApiErrorDetail[] | undefined, message: string): FieldErrors => errorsFromServer(details, message, FIELD_OF, 'form');

/**
 * Who may read a photo's original (EXIF: the time, the phone, the place it was taken: personal
 * data of whoever took it). docs/PRODUCT.md "Photos" states the rule:
 * - whoever uploaded these bytes (they have them already);
 * - otherwise the features whose records show the photo decide, each for its own records
 *   (holders.ts): for a photo of an appeal (the resident's photos or the unit's answer), those
 *   whose standing lets them see the appeal's personal data (appeals/scope.ts `seesPersonalData`:
 *   the admin, the dispatcher of its region, and unless it is anonymous, the handling department
 *   and the grid worker of its own grid), and the reporter for the photos of their own appeal
 *   (appeals/photos.ts); for an article's cover or body picture, the newsroom (editors, reviewers)
 *   and the admin (news/photo-holder.ts);
 * - a photo attached to nothing: its uploaders only.
 * Everyone else: 403 when they may read a record that shows it (the appeal, a published article),
 * as for a move they may not make, and 404 otherwise, as for the record itself: nobody learns
 * that a picture they cannot see belongs to a private appeal.
 */
import type { AuthUser } from '../core/route';
import type { PhotoRecords } from './holders';

export type OriginalAccess = 'allowed' | 'forbidden' | 'not_found';

export async function originalAccess(user: AuthUser, photo: { uploaderIds: string[] }, records: () => Promise<PhotoRecords[]>): Promise<OriginalAccess> {
  if (photo.uploaderIds.includes(user.id)) return 'allowed';
  const standings = (await records()).map((r) => r.standing(user));
  if (standings.includes('original')) return 'allowed';
  return standings.includes('record') ? 'forbidden' : 'not_found';
}

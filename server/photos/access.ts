/**
 * Who may read a photo's original (EXIF: the time, the phone, the place it was taken: personal
 * data of whoever took it). docs/PRODUCT.md "Photos" states the rule:
 * - whoever uploaded these bytes (they have them already);
 * - for a photo of an appeal (the resident's photos or the unit's answer): those whose standing
 *   lets them see the appeal's personal data (appeals/scope.ts `seesPersonalData`: the admin, the
 *   dispatcher of its region, and unless it is anonymous, the handling department and the grid
 *   worker of its own grid), and the reporter for the photos of their own appeal;
 * - for an article's cover or body picture: the newsroom (editors, reviewers) and the admin;
 * - a photo attached to nothing: its uploaders only.
 * Everyone else: 403 when they may read a record that shows it (the appeal, a published article),
 * as for a move they may not make, and 404 otherwise, as for the record itself: nobody learns
 * that a picture they cannot see belongs to a private appeal.
 */
import type { AuthUser } from '../core/route';
import { canRead, seesPersonalData, standingOf } from '../appeals/scope';
import type { Showing } from './references';

export type OriginalAccess = 'allowed' | 'forbidden' | 'not_found';

const NEWSROOM = ['editor', 'reviewer', 'admin'] as const;

export async function originalAccess(user: AuthUser, photo: { _id: string; uploaderIds: string[] }, records: () => Promise<Showing>): Promise<OriginalAccess> {
  if (photo.uploaderIds.includes(user.id)) return 'allowed';
  const showing = await records();
  let readable = false;
  for (const a of showing.appeals) {
    const s = standingOf(user, a);
    if (seesPersonalData(s, a.isAnonymous) || (s.reporter && a.photoIds.includes(photo._id))) return 'allowed';
    readable ||= canRead(s, a.isPublic);
  }
  if (showing.articles.length > 0) {
    if (NEWSROOM.some((r) => user.roles.includes(r))) return 'allowed';
    readable ||= showing.articles.some((a) => a.state === 'published');
  }
  return readable ? 'forbidden' : 'not_found';
}

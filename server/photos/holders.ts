/**
 * The records that show a photo belong to other features: appeals (the resident's photos, the
 * unit's answer) and news (article covers, pictures in the body). Those features sit above photos
 * (they attach photos through its face), so photos does not read them: each hands in a holder that
 * answers for its own records, and the composition root (app.ts) and the cleanup job
 * (maintenance/) pass the holders to the original's route (access.ts) and to the orphan cleanup.
 */
import type { AuthUser } from '../core/route';

/**
 * How a caller stands to a photo through one feature's records that show it: `original`, they may
 * read the photo's original; `record`, they may read a record that shows it but not the original
 * (403); `none`, neither (404, as for the record itself).
 */
export type PhotoStanding = 'original' | 'record' | 'none';

/** One feature's records that show a photo. */
export interface PhotoRecords {
  /** How many of the feature's records show the photo. */
  count: number;
  standing(user: AuthUser): PhotoStanding;
}

/**
 * A feature's answer to "which of your records show this photo?". `uploadedAt` (the photo record's
 * createdAt) bounds a search in text: a record can name a picture only in a save after its upload.
 */
export type PhotoHolder = (photoId: string, uploadedAt: Date) => Promise<PhotoRecords>;

/** Every holder's records for the photo, asked at once. */
export function recordsShowing(holders: readonly PhotoHolder[], photoId: string, uploadedAt: Date): Promise<PhotoRecords[]> {
  return Promise.all(holders.map((h) => h(photoId, uploadedAt)));
}

/** Whether any record of any holder shows the photo. */
export async function isShown(holders: readonly PhotoHolder[], photoId: string, uploadedAt: Date): Promise<boolean> {
  return (await recordsShowing(holders, photoId, uploadedAt)).some((r) => r.count > 0);
}

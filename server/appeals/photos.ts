import type { AppContext } from '../context';
import { photoService, type PhotoHolder } from '../photos';
import { appealModels, type AppealDoc } from './model';
import { canRead, seesPersonalData, standingOf } from './scope';

/**
 * Photos named in an appeal or an answer must exist and be the caller's own uploads (so nobody
 * attaches a picture they only saw the id of); the bot's own uploads for group-chat appeals.
 */
export function requirePhotos(ctx: AppContext, ids: readonly string[], ownerId: string, path: string): Promise<void> {
  return photoService(ctx).requireOwned([...ids], ownerId, path);
}

/** What the scope rules (scope.ts) need to place a caller, and where the photo is. */
type AppealShowing = Pick<AppealDoc, '_id' | 'regionPath' | 'departmentId' | 'reporterId' | 'submittedById' | 'followerIds' | 'isPublic' | 'isAnonymous' | 'photoIds'>;
const SHOWING_FIELDS = { regionPath: 1, departmentId: 1, reporterId: 1, submittedById: 1, followerIds: 1, isPublic: 1, isAnonymous: 1, photoIds: 1 } as const;

/**
 * The appeals that show a photo (among their photos or the unit's answer), for the photos feature
 * (photos/holders.ts), by the indexed photo fields. Those whose standing lets them see an appeal's
 * personal data read the originals of its photos, and the reporter those of their own appeal's
 * photos; whoever may read one of the appeals only the copies.
 */
export function appealPhotoHolder(ctx: AppContext): PhotoHolder {
  const { Appeal } = appealModels(ctx.conn);
  return async (photoId) => {
    const [inPhotos, inAnswers] = await Promise.all([
      Appeal.find({ photoIds: photoId }, SHOWING_FIELDS).lean<AppealShowing[]>(),
      Appeal.find({ 'answer.photoIds': photoId }, SHOWING_FIELDS).lean<AppealShowing[]>(),
    ]);
    const appeals = [...inPhotos, ...inAnswers];
    return {
      count: appeals.length,
      standing(user) {
        let readable = false;
        for (const a of appeals) {
          const s = standingOf(user, a);
          if (seesPersonalData(s, a.isAnonymous) || (s.reporter && a.photoIds.includes(photoId))) return 'original';
          readable ||= canRead(s, a.isPublic);
        }
        return readable ? 'record' : 'none';
      },
    };
  };
}

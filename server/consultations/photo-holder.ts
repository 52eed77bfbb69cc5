import type { AppContext } from '../context';
import type { PhotoHolder } from '../photos';
import { consultationModels, type ConsultationDoc } from './model';

/**
 * The consultations that show a photo, for the photos feature (photos/holders.ts): its writer and
 * the reviewers read the original (EXIF, GPS); anyone reads the display copy of an open or closed
 * one (its results are public); a pending or rejected one's photos only its writer and reviewers.
 */
export function consultationPhotoHolder(ctx: AppContext): PhotoHolder {
  const { Consultation } = consultationModels(ctx.conn);
  return async (photoId) => {
    const found = await Consultation.find({ photoIds: photoId }, { createdById: 1, state: 1 }).lean<Pick<ConsultationDoc, '_id' | 'createdById' | 'state'>[]>();
    return {
      count: found.length,
      standing(user) {
        if (found.length === 0) return 'none';
        const manages = user.roles.includes('admin') || user.roles.includes('reviewer') || found.some((c) => String(c.createdById) === user.id);
        if (manages) return 'original';
        return found.some((c) => c.state === 'open' || c.state === 'closed') ? 'record' : 'none';
      },
    };
  };
}

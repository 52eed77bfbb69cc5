import type { AppContext } from '../context';
import type { PhotoHolder } from '../photos';
import { tipModels, type TipDoc } from './model';
import { inNewsroom } from './service';

/**
 * The tips that show a photo, for the photos feature (photos/holders.ts): the newsroom reads the
 * originals (EXIF, GPS); the tipster reads the display copies (and the original of what they
 * uploaded themselves, by the photos' own rule); anyone else learns nothing (404).
 */
export function tipPhotoHolder(ctx: AppContext): PhotoHolder {
  const { Tip } = tipModels(ctx.conn);
  return async (photoId) => {
    const tips = await Tip.find({ photoIds: photoId }, { tipsterId: 1 }).lean<Pick<TipDoc, '_id' | 'tipsterId'>[]>();
    return {
      count: tips.length,
      standing(user) {
        if (tips.length === 0) return 'none';
        if (inNewsroom(user)) return 'original';
        return tips.some((t) => String(t.tipsterId) === user.id) ? 'record' : 'none';
      },
    };
  };
}

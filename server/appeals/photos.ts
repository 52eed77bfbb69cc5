import type { AppContext } from '../context';
import { photoService } from '../photos/service';

/**
 * Photos named in an appeal or an answer must exist and be the caller's own uploads (so nobody
 * attaches a picture they only saw the id of); the bot's own uploads for group-chat appeals.
 */
export function requirePhotos(ctx: AppContext, ids: readonly string[], ownerId: string, path: string): Promise<void> {
  return photoService(ctx).requireOwned([...ids], ownerId, path);
}

import type { AppContext } from '../context';
import { PHOTOS_PATH, type PhotoHolder } from '../photos';
import { newsModels, type ArticleDoc } from './model';

/** The newsroom reads the originals of the pictures in articles (admin passes every role check). */
const NEWSROOM = ['editor', 'reviewer', 'admin'] as const;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The articles that show a photo (as cover, or as a picture in the body), for the photos feature
 * (photos/holders.ts). The body search reads only articles updated since the upload (an index
 * range on updatedAt, not the whole collection): an article can name a picture only in a save
 * after it. The newsroom reads the originals; anyone else, when one of them is published, only
 * the copies.
 */
export function articlePhotoHolder(ctx: AppContext): PhotoHolder {
  const { Article } = newsModels(ctx.conn);
  return async (photoId, uploadedAt) => {
    const [covers, bodies] = await Promise.all([
      Article.find({ coverPhotoId: photoId }, { state: 1 }).lean<Pick<ArticleDoc, '_id' | 'state'>[]>(),
      Article.find({ updatedAt: { $gte: uploadedAt }, bodyHtml: { $regex: escapeRegex(`${PHOTOS_PATH}/${photoId}`) } }, { state: 1 }).lean<Pick<ArticleDoc, '_id' | 'state'>[]>(),
    ]);
    const articles = [...covers, ...bodies];
    return {
      count: articles.length,
      standing(user) {
        if (articles.length === 0) return 'none';
        if (NEWSROOM.some((r) => user.roles.includes(r))) return 'original';
        return articles.some((a) => a.state === 'published') ? 'record' : 'none';
      },
    };
  };
}

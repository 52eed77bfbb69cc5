/**
 * The records that show a photo: appeals (the resident's photos, the unit's answer) and articles
 * (the cover, pictures in the body). The one place the photos feature reads other features'
 * collections, read-only and by indexed fields, to decide who may read an original
 * (access.ts) and whether a photo was ever attached (the cleanup job's orphans).
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AppealDoc } from '../appeals/model';
import type { ArticleDoc } from '../news/model';
import { PHOTOS_PATH } from './schemas';

/** What the appeal scope rules (appeals/scope.ts) need to place a caller, and where the photo is. */
export type AppealShowing = Pick<AppealDoc, '_id' | 'regionPath' | 'departmentId' | 'reporterId' | 'submittedById' | 'followerIds' | 'isPublic' | 'isAnonymous' | 'photoIds'>;
export type ArticleShowing = Pick<ArticleDoc, '_id' | 'state'>;

const APPEAL_FIELDS = { regionPath: 1, departmentId: 1, reporterId: 1, submittedById: 1, followerIds: 1, isPublic: 1, isAnonymous: 1, photoIds: 1 } as const;

export interface Showing {
  appeals: AppealShowing[];
  articles: ArticleShowing[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function photoReferences(ctx: AppContext) {
  const { Appeal, Article } = ctx.models;

  /**
   * Every appeal and article showing the photo. `uploadedAt` (the photo record's createdAt)
   * bounds the body search: an article can name a picture only in a save after its upload, so
   * only articles updated since are read (an index range on updatedAt, not the whole collection).
   */
  async function showing(id: string, uploadedAt: Date): Promise<Showing> {
    const [inPhotos, inAnswers, covers, bodies] = await Promise.all([
      Appeal.find({ photoIds: id }, APPEAL_FIELDS).lean<AppealShowing[]>(),
      Appeal.find({ 'answer.photoIds': id }, APPEAL_FIELDS).lean<AppealShowing[]>(),
      Article.find({ coverPhotoId: id }, { state: 1 }).lean<ArticleShowing[]>(),
      Article.find({ updatedAt: { $gte: uploadedAt }, bodyHtml: { $regex: escapeRegex(`${PHOTOS_PATH}/${id}`) } }, { state: 1 }).lean<ArticleShowing[]>(),
    ]);
    const unique = <T extends { _id: Types.ObjectId }>(docs: T[]) => [...new Map(docs.map((d) => [String(d._id), d])).values()];
    return { appeals: unique([...inPhotos, ...inAnswers]), articles: unique([...covers, ...bodies]) };
  }

  return {
    showing,
    async isShown(id: string, uploadedAt: Date): Promise<boolean> {
      const s = await showing(id, uploadedAt);
      return s.appeals.length + s.articles.length > 0;
    },
  };
}

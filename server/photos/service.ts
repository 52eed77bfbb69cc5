import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AppContext } from '../context';
import { badRequest, isDuplicateKeyError, notFound } from '../core/errors';
import { inspectImage, renderCopies, sniffImageType, unsupportedImage, type ImageType } from './images';
import { MAX_PHOTO_BYTES, ORPHAN_BATCH, ORPHAN_PHOTO_AFTER_MS } from './limits';
import { photoModels, type PhotoDoc } from './model';
import { photoTooLarge, type ReceivedFile } from './multipart';
import { isShown, type PhotoHolder } from './holders';
import { photoRef, type UploadedPhoto } from './schemas';
import { photoStorage } from './storage';

const EXT_BY_MIME: Record<string, ImageType['ext']> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const originalExt = (doc: Pick<PhotoDoc, 'mime'>) => EXT_BY_MIME[doc.mime] ?? 'jpg';

const toUploaded = (doc: Pick<PhotoDoc, '_id' | 'width' | 'height' | 'bytes'>): UploadedPhoto => ({
  ...photoRef(doc._id),
  width: doc.width,
  height: doc.height,
  bytes: doc.bytes,
});

/**
 * Uploads of the same bytes that are being processed right now in this process, by storage
 * folder and hash: a second one waits for the first instead of decoding the same picture again.
 * Only an economy: uploads in other processes still end in one record (the unique _id) and
 * identical files (renames of identical content).
 */
const inFlight = new Map<string, Promise<PhotoDoc>>();

export function photoService(ctx: AppContext) {
  const { Photo } = photoModels(ctx.conn);
  const storage = photoStorage(ctx.config.dataDir);
  // The demo seed builds this service from models and config alone (seed/news.ts), without a clock.
  const now = (): Date => (typeof ctx.now === 'function' ? ctx.now() : new Date());

  async function filesExist(id: string, ext: string): Promise<boolean> {
    const all = await Promise.all([storage.pathOf(id, 'original', ext), storage.pathOf(id, 'display'), storage.pathOf(id, 'thumb')].map(storage.exists));
    return all.every(Boolean);
  }

  /**
   * Files first (each written to a temp name and renamed into place), the record last: a crash
   * leaves at most unreferenced whole files, never a record pointing at missing or half files.
   */
  async function createPhoto(file: ReceivedFile, uploaderId: string): Promise<PhotoDoc> {
    const id = file.sha256;
    const existing = await Photo.findById(id).lean<PhotoDoc>();
    if (existing && (await filesExist(id, file.type.ext))) return existing;
    await inspectImage(file.tmpPath, file.type);
    const displayTmp = await storage.tempPath('display.jpg');
    const thumbTmp = await storage.tempPath('thumb.jpg');
    let size: { width: number; height: number };
    try {
      size = await renderCopies(file.tmpPath, displayTmp, thumbTmp);
      await storage.place(displayTmp, storage.pathOf(id, 'display'));
      await storage.place(thumbTmp, storage.pathOf(id, 'thumb'));
      await storage.place(file.tmpPath, storage.pathOf(id, 'original', file.type.ext));
    } finally {
      await storage.discard(displayTmp, thumbTmp);
    }
    if (existing) return existing;
    const doc = { _id: id, uploaderId, uploaderIds: [uploaderId], mime: file.type.mime, bytes: file.bytes, ...size, touchedAt: now(), attached: false };
    try {
      await Photo.create(doc);
    } catch (err) {
      // Another process stored the same bytes first: same files, and its record stands.
      if (!isDuplicateKeyError(err)) throw err;
    }
    return (await Photo.findById(id).lean<PhotoDoc>())!;
  }

  /** Stores a received upload (idempotent by content) and removes its temp file. */
  async function storeReceived(file: ReceivedFile, uploaderId: string): Promise<UploadedPhoto> {
    try {
      const key = `${storage.root}:${file.sha256}`;
      const once = () => {
        let work = inFlight.get(key);
        if (!work) {
          work = createPhoto(file, uploaderId).finally(() => inFlight.delete(key));
          inFlight.set(key, work);
        }
        return work;
      };
      let doc = await once();
      // Whoever uploads the picture may attach it, also when someone else uploaded it first; and
      // an upload makes it young again for the orphan cleanup. When the record is gone (the
      // cleanup removed it as an orphan since it was read), it is stored again.
      const touch = () => Photo.updateOne({ _id: doc._id }, { $addToSet: { uploaderIds: uploaderId }, $set: { touchedAt: now() } });
      if ((await touch()).matchedCount === 0) {
        doc = await once();
        await touch();
      }
      return toUploaded(doc);
    } finally {
      await storage.discard(file.tmpPath);
    }
  }

  return {
    storeReceived,

    /** Stores a picture already in memory (e.g. one the bot fetched); same rules as an upload. */
    async store(buffer: Buffer, uploaderId: string): Promise<UploadedPhoto> {
      if (buffer.length > MAX_PHOTO_BYTES) throw photoTooLarge();
      const type = sniffImageType(buffer);
      if (!type) throw unsupportedImage();
      const tmpPath = await storage.tempPath('upload');
      await fs.writeFile(tmpPath, buffer, { flag: 'wx' });
      return storeReceived({ tmpPath, sha256: createHash('sha256').update(buffer).digest('hex'), bytes: buffer.length, type }, uploaderId);
    },

    /**
     * Refuses a list of photo ids unless each exists and was uploaded by `userId` (the bot's
     * uploads by the bot). Unknown ids are named first, then the first photo of someone else.
     * `field` is where the ids were in the request, for the error's details.
     */
    async requireOwned(ids: string[], userId: string, field = 'body.photoIds'): Promise<void> {
      if (ids.length === 0) return;
      // Touched first, read after: the orphan cleanup deletes only records untouched for a day
      // (one conditional delete each), so a photo that passes here is not removed before the
      // record that names it is written.
      await Photo.updateMany({ _id: { $in: [...new Set(ids)] } }, { $set: { touchedAt: now() } });
      const docs = await Photo.find({ _id: { $in: [...new Set(ids)] } }, { uploaderIds: 1 }).lean<Pick<PhotoDoc, '_id' | 'uploaderIds'>[]>();
      const byId = new Map(docs.map((d) => [d._id, d]));
      const unknown = ids.findIndex((id) => !byId.has(id));
      if (unknown >= 0) throw badRequest(`图片不存在：${ids[unknown]}`, [{ path: `${field}.${unknown}`, message: '图片不存在，请重新上传' }]);
      const foreign = ids.findIndex((id) => !byId.get(id)!.uploaderIds.includes(userId));
      if (foreign >= 0) throw badRequest('只能使用本人上传的图片', [{ path: `${field}.${foreign}`, message: '不是本人上传的图片' }]);
    },

    /** Whether a photo of this id is stored. */
    async exists(id: string): Promise<boolean> {
      return (await Photo.exists({ _id: id })) !== null;
    },

    /** Removes upload temp files last written before `before` (a crashed process's); returns how many. */
    removeStaleTemp: (before: Date): Promise<number> => storage.removeStaleTemp(before),

    /** Where a shown copy is on disk (it may not exist: the caller answers 404). */
    copyPath: (id: string, variant: 'display' | 'thumb') => storage.pathOf(id, variant),

    /** Whether this account already uploaded these bytes (a retry, which costs no quota). */
    async uploadedBy(id: string, userId: string): Promise<boolean> {
      return (await Photo.exists({ _id: id, uploaderIds: userId })) !== null;
    },

    /** The photo's record and its original's file and type; 404 when there is no such photo. */
    async original(id: string): Promise<{ doc: PhotoDoc; file: string; mime: string; ext: string }> {
      const doc = await Photo.findById(id).lean<PhotoDoc>();
      if (!doc) throw notFound('图片');
      const ext = originalExt(doc);
      return { doc, file: storage.pathOf(id, 'original', ext), mime: doc.mime, ext };
    },

    /**
     * Removes photos attached to nothing a day after they were last touched (uploaded, or named
     * in a request; limits.ts ORPHAN_PHOTO_AFTER_MS): record first, by a conditional delete that a
     * new touch makes miss, then files. A photo found shown by a record is marked attached and never
     * examined again. Safe in several processes at once: each record is deleted once.
     * `holders`: every feature whose records show photos (holders.ts); one left out would have its
     * pictures deleted, hence at least one.
     */
    async removeOrphans(holders: readonly [PhotoHolder, ...PhotoHolder[]]): Promise<{ removed: number; attached: number }> {
      const cutoff = new Date(now().getTime() - ORPHAN_PHOTO_AFTER_MS);
      const stale = { attached: false, touchedAt: { $lte: cutoff } };
      const candidates = await Photo.find(stale, { mime: 1, createdAt: 1 }).sort({ touchedAt: 1 }).limit(ORPHAN_BATCH).lean<Pick<PhotoDoc, '_id' | 'mime' | 'createdAt'>[]>();
      let removed = 0;
      let attached = 0;
      for (const p of candidates) {
        if (await isShown(holders, p._id, p.createdAt)) {
          await Photo.updateOne({ _id: p._id }, { $set: { attached: true } });
          attached++;
          continue;
        }
        if ((await Photo.deleteOne({ _id: p._id, ...stale })).deletedCount !== 1) continue;
        // Stored again in the meantime (an upload after the delete writes files, then the record): keep its files.
        if (await Photo.exists({ _id: p._id })) continue;
        await storage.discard(storage.pathOf(p._id, 'original', originalExt(p)), storage.pathOf(p._id, 'display'), storage.pathOf(p._id, 'thumb'));
        removed++;
      }
      return { removed, attached };
    },
  };
}
export type PhotoService = ReturnType<typeof photoService>;

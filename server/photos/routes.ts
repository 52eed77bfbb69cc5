import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { checkAccess, route, type RouteDef, type WriteLimiter } from '../core/route';
import { authenticate } from '../auth';
import { auditService } from '../audit';
import { AppError, forbidden, notFound } from '../core/errors';
import { originalAccess } from './access';
import { photoQuota } from './quota';
import { recordsShowing, type PhotoHolder } from './holders';
import { discardRestOfBody, receiveUpload } from './multipart';
import { PhotoId } from './schemas';
import { IMMUTABLE, sendStoredFile } from './send-file';
import { photoService } from './service';
import { photoStorage } from './storage';

const PhotoParams = z.strictObject({ id: PhotoId });

/**
 * Reads of stored photos. The display copy and the thumbnail follow read access to the record
 * that shows them by capability: a mini-program's `<Image src>` cannot send an Authorization
 * header, and the 64-hex id (a SHA-256) is unguessable and handed out only inside the appeal or
 * article responses the viewer may read; the copies carry no EXIF or GPS. The original keeps
 * EXIF (time, place: evidence), so only those who handle its record read it (access.ts), each
 * read audit-logged. `holders`: every feature whose records show photos (holders.ts).
 */
export function photoRoutes(ctx: AppContext, holders: readonly PhotoHolder[]): RouteDef[] {
  const photos = photoService(ctx);
  const audit = auditService(ctx);
  const copy = (variant: 'display' | 'thumb') => (req: Request, res: Response, id: string) =>
    sendStoredFile(req, res, photos.copyPath(id, variant), { contentType: 'image/jpeg', cacheControl: IMMUTABLE, etag: `"${id}.${variant}"` });
  const display = copy('display');
  const thumb = copy('thumb');
  return [
    route({ method: 'get', path: '/:id', summary: '图片展示版（已去除 EXIF/GPS，最长边 1600px）', access: 'public', params: PhotoParams, handler: ({ req, res, params }) => display(req, res, params.id) }),
    route({ method: 'get', path: '/:id/thumb', summary: '图片缩略图（已去除 EXIF/GPS）', access: 'public', params: PhotoParams, handler: ({ req, res, params }) => thumb(req, res, params.id) }),
    route({
      method: 'get',
      path: '/:id/original',
      summary: '图片原件（保留 EXIF/GPS，仅上传者与经办该记录的人员，读取记入审计）',
      access: 'user',
      params: PhotoParams,
      handler: async ({ req, res, params, user }) => {
        const original = await photos.original(params.id);
        const access = await originalAccess(user!, original.doc, () => recordsShowing(holders, params.id, original.doc.createdAt));
        if (access === 'not_found') throw notFound('图片');
        if (access === 'forbidden') throw forbidden('原图含拍摄时间、位置等信息，仅经办人员可以查看');
        await audit.record(user!.id, 'photo.original.read', 'photo', params.id);
        // Not cached anywhere: every look at the evidence is a logged read.
        await sendStoredFile(req, res, original.file, { contentType: original.mime, cacheControl: 'private, no-store', disposition: `inline; filename="${params.id}.${original.ext}"` });
      },
    }),
  ];
}

/**
 * Multipart uploads (what wx.uploadFile sends), mounted at /api/v1 before the API's JSON-only
 * body parser and its authentication, so it authenticates and checks access itself, before
 * reading a byte of the body. Uploads are not in the route tables: their body is not JSON.
 *   POST /api/v1/photos      any signed-in user except the bot
 *   POST /api/v1/bot/photos  the bot's service token only
 * Each within the account's daily quota (quota.ts; 429 with Retry-After) and the decode queue
 * (images.ts; 503 with Retry-After when full).
 */
/**
 * `limitWrite` is the default write limit (core/rate-limit/write-limits.ts), which the route tables
 * apply to every write: uploads are mounted outside them, so they take it here, before the quota.
 */
export function photoUploadRouter(ctx: AppContext, limitWrite: WriteLimiter): Router {
  const photos = photoService(ctx);
  const storage = photoStorage(ctx.config.dataDir);
  const quota = photoQuota(ctx);
  const upload = (access: 'user' | 'bot') => async (req: Request, res: Response) => {
    checkAccess(access, req.user ?? null);
    const user = req.user!;
    await limitWrite(req, user);
    // Refused before a byte of the body is read when today's quota is used up.
    await quota.check(user);
    const file = await receiveUpload(req, storage);
    let refund: (() => Promise<void>) | null = null;
    try {
      // A retry of the account's own upload costs nothing.
      if (!(await photos.uploadedBy(file.sha256, user.id))) refund = await quota.charge(user, file.bytes);
      res.status(201).json(await photos.storeReceived(file, user.id));
    } catch (err) {
      // A full decode queue is the server's state, not the uploader's doing: the retry is free.
      if (refund && err instanceof AppError && err.code === 'BUSY') await refund();
      await storage.discard(file.tmpPath);
      throw err;
    }
  };
  // A refused upload's body may still be arriving: let the client read the answer.
  const afterRefusal: ErrorRequestHandler = (err, req, _res, next) => {
    discardRestOfBody(req);
    next(err);
  };
  const router = Router();
  router.post('/photos', authenticate(ctx), upload('user'));
  router.post('/bot/photos', authenticate(ctx), upload('bot'));
  router.use(afterRefusal);
  return router;
}

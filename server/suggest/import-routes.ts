/**
 * The import of past appeals, for admins (mounted under /categories):
 *   POST   /categories/imports            the file as the body (text/csv or .xlsx, at most 20 MB): its preview;
 *                                         `?id=` (24 hex, chosen by the page): the import's id, polled
 *                                         for the rows read while the preview is made; a retry with it
 *                                         gets that import (201 new, 200 read, 202 still being read)
 *   GET    /categories/imports            the imports, newest first
 *   GET    /categories/imports/:id        state, progress (done of total), mapping
 *   GET    /categories/imports/:id/refused the refused rows with their reasons, a page at a time
 *   PATCH  /categories/imports/:id        { version, mapping: { name: categoryId | null } } in preview
 *   POST   /categories/imports/:id/start  { version }: learning starts (the job, within seconds)
 *   DELETE /categories/imports/:id        its rows unlearned, then it is removed
 * The upload is a raw body, so it is its own router mounted before the JSON-only body parser.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { authenticate } from '../auth';
import { AppError } from '../core/errors';
import { checkAccess, route, type WriteLimiter } from '../core/route';
import { idParams, objectId, paging } from '../core/validate';
import { ImportView, RefusedRows, suggestImports } from './import';

export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ADMIN = ['admin'] as const;

const Version = z.number().int().min(0);
const MapBody = z.strictObject({ version: Version, mapping: z.record(z.string().min(1).max(50), objectId.nullable()) });
const StartBody = z.strictObject({ version: Version });
const Paging = z.strictObject(paging);

export function suggestImportRoutes(ctx: AppContext) {
  const imports = suggestImports(ctx);
  return [
    route({ method: 'get', path: '/imports', summary: '历史诉求导入列表（最新在前）', access: ADMIN, query: Paging, response: z.object({ items: z.array(ImportView), total: z.number(), page: z.number(), pageSize: z.number() }), handler: ({ query }) => imports.list(query.page, query.pageSize) }),
    route({ method: 'get', path: '/imports/:id', summary: '历史诉求导入：状态、进度、分类对应', access: ADMIN, params: idParams, response: ImportView, handler: ({ params }) => imports.get(params.id) }),
    route({ method: 'get', path: '/imports/:id/refused', summary: '历史诉求导入：未采用的行及原因', access: ADMIN, params: idParams, query: Paging, response: RefusedRows, handler: ({ params, query }) => imports.refusedRows(params.id, query.page, query.pageSize) }),
    route({ method: 'patch', path: '/imports/:id', summary: '修改导入文件中分类名称对应的分类（预览中）', access: ADMIN, params: idParams, body: MapBody, response: ImportView, handler: ({ params, body }) => imports.map(params.id, body.version, body.mapping) }),
    route({ method: 'post', path: '/imports/:id/start', summary: '开始学习导入的历史诉求', access: ADMIN, params: idParams, body: StartBody, response: ImportView, status: 200, handler: ({ params, body }) => imports.start(params.id, body.version) }),
    route({ method: 'delete', path: '/imports/:id', summary: '删除导入并撤销其学习', access: ADMIN, params: idParams, response: ImportView, status: 202, handler: ({ params }) => imports.remove(params.id) }),
  ];
}

/** `POST /categories/imports`: the upload (raw body), admins only, within the default write limit. */
export function suggestImportUploadRouter(ctx: AppContext, limitWrite: WriteLimiter): Router {
  const imports = suggestImports(ctx);
  const router = Router();
  router.post(
    '/categories/imports',
    authenticate(ctx),
    async (req: Request, _res: Response, next) => {
      checkAccess(ADMIN, req.user ?? null);
      await limitWrite(req, req.user ?? null);
      if (!req.is(['text/csv', 'application/csv', 'text/plain', XLSX])) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请上传 .csv（text/csv）或 .xlsx 文件');
      next();
    },
    express.raw({ type: () => true, limit: IMPORT_MAX_BYTES }),
    async (req: Request, res: Response) => {
      const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (buf.length === 0) throw new AppError(400, 'VALIDATION_FAILED', '文件是空的');
      const format = req.is(XLSX) ? 'xlsx' : 'csv';
      const id = req.query.id === undefined ? undefined : String(req.query.id);
      if (id !== undefined && !objectId.safeParse(id).success) throw new AppError(400, 'VALIDATION_FAILED', '导入编号格式不对', [{ path: 'query.id', message: '应为24位十六进制' }]);
      const raw = String(req.query.name ?? '');
      let fileName = `历史诉求.${format}`;
      try {
        if (raw) fileName = decodeURIComponent(raw).slice(0, 100);
      } catch {
        /* a name that is not URI-encoded: the default */
      }
      const { view, created } = await imports.create(buf, format, fileName, req.user!.id, { id });
      res.status(created ? 201 : view.state === 'reading' ? 202 : 200).json(view);
    },
  );
  // A refused upload's body may still be arriving: read it away so the client gets the answer.
  const afterRefusal: ErrorRequestHandler = (err, req, _res, next) => {
    req.resume();
    next(err);
  };
  router.use(afterRefusal);
  return router;
}

import { z } from 'zod';
import type { AppContext } from '../context';
import { AppError, duplicateKeyToAppError, isDuplicateKeyError, notFound } from '../core/errors';
import { queryKey } from '../core/cache/read-cache';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { COLUMNS_CACHE, type ColumnDoc } from './model';
import { Column, ColumnList, CreateColumnBody, UpdateColumnBody } from './schemas';

/** `all=true`: inactive columns too (admins only; others get the active list). */
const ListColumnsQuery = z.strictObject({ all: z.enum(['true', 'false']).optional() });

export const toColumn = (c: ColumnDoc): Column => ({
  id: String(c._id),
  code: c.code,
  name: c.name,
  reviewLevels: c.reviewLevels,
  emergency: c.emergency,
  sort: c.sort,
  active: c.active,
});

const duplicateCode = (code: string) => new AppError(409, 'DUPLICATE', `栏目编码「${code}」已存在`, [{ path: 'body.code', message: '已存在' }]);

/** Columns (栏目): the public list (cached) and admins' editing. */
export function columnRoutes(ctx: AppContext): RouteDef[] {
  const { Column: Columns } = ctx.models;
  return [
    route({
      method: 'get', path: '/', summary: '新闻栏目（首页标签）', access: 'public', query: ListColumnsQuery, response: ColumnList,
      handler: ({ req, res, query, user }) => {
        const all = query.all === 'true' && !!user?.roles.includes('admin');
        return ctx.cache.respond({ req, res }, { namespace: COLUMNS_CACHE, key: queryKey({ all }), private: all }, async () => {
          const docs = await Columns.find(all ? {} : { active: true }).sort({ sort: 1, code: 1 }).lean<ColumnDoc[]>();
          return { items: docs.map(toColumn) };
        });
      },
    }),
    route({
      method: 'post', path: '/', summary: '新建栏目', access: ['admin'], body: CreateColumnBody, response: Column, status: 201,
      handler: async ({ body }) => {
        if (await Columns.exists({ code: body.code })) throw duplicateCode(body.code);
        try {
          return toColumn((await Columns.create(body)).toObject() as ColumnDoc);
        } catch (err) {
          // Two creates of one code at once: the unique index decides.
          if (isDuplicateKeyError(err)) throw duplicateCode(body.code);
          throw err;
        }
      },
    }),
    route({
      method: 'patch', path: '/:id', summary: '修改栏目（停用而不删除：已有文章引用它）', access: ['admin'], params: idParams, body: UpdateColumnBody, response: Column,
      handler: async ({ params, body }) => {
        const c = await Columns.findByIdAndUpdate(params.id, { $set: body }, { returnDocument: 'after' }).lean<ColumnDoc>().catch((err: unknown) => {
          throw isDuplicateKeyError(err) ? duplicateKeyToAppError(err) : err;
        });
        if (!c) throw notFound('栏目');
        return toColumn(c);
      },
    }),
  ];
}

import { z } from 'zod';
import type { AppContext } from '../context';
import { catalogue, catalogueRoutes, type CatalogueHooks } from '../core/catalogue';
import type { RouteDef } from '../core/route';
import { COLUMNS_CACHE, type ColumnDoc, newsModels } from './model';
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

/** Columns (栏目): a catalogue (core/catalogue.ts) unique by code. */
export function columnCatalogue(ctx: AppContext, hooks?: CatalogueHooks) {
  return catalogue({ model: newsModels(ctx.conn).Column, noun: '栏目', missing: '栏目', unique: [{ field: 'code', label: '编码' }], namespace: COLUMNS_CACHE, order: { sort: 1, code: 1 }, toDto: toColumn }, hooks);
}

/** Columns (栏目): the public list (cached) and admins' editing. */
export function columnRoutes(ctx: AppContext, hooks?: CatalogueHooks): RouteDef[] {
  return catalogueRoutes(ctx.cache, columnCatalogue(ctx, hooks), {
    list: { summary: '新闻栏目（首页标签）', access: 'public', allQuery: ListColumnsQuery, response: ColumnList },
    create: { summary: '新建栏目', body: CreateColumnBody, response: Column },
    update: { summary: '修改栏目（停用而不删除：已有文章引用它）', body: UpdateColumnBody, response: Column },
  });
}

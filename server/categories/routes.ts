import type { AppContext } from '../context';
import { AppError, badRequest, notFound } from '../core/errors';
import { queryKey } from '../core/cache/read-cache';
import { route } from '../core/route';
import { idParams } from '../core/validate';
import { CATEGORIES_CACHE, DEFAULT_DEADLINES, type CategoryDoc } from './model';
import { Category, CategoryList, CreateCategoryBody, ListCategoriesQuery, UpdateCategoryBody } from './schemas';

const toDto = (c: CategoryDoc): Category => ({
  id: String(c._id),
  code: c.code,
  name: c.name,
  group: c.group,
  defaultDepartmentId: c.defaultDepartmentId ? String(c.defaultDepartmentId) : null,
  deadlines: { acceptHours: c.deadlines.acceptHours, firstContactHours: c.deadlines.firstContactHours, resolveHours: c.deadlines.resolveHours },
  sort: c.sort,
  active: c.active,
});

export function categoryRoutes(ctx: AppContext) {
  const { Category: Categories, Department } = ctx.models;

  async function assertDepartment(id: string | null | undefined): Promise<void> {
    if (id && !(await Department.exists({ _id: id }))) throw badRequest('部门不存在', [{ path: 'body.defaultDepartmentId', message: '部门不存在' }]);
  }

  // A catalogue is tens of entries: one unpaged list is what every picker wants.
  return [
    route({
      method: 'get', path: '/', summary: '诉求分类目录（派单目录）', access: 'public', query: ListCategoriesQuery, response: CategoryList,
      handler: ({ req, res, query, user }) => {
        const all = query.all === 'true' && !!user?.roles.includes('admin');
        // Two variants: the active catalogue (public), and every entry (admins only: private).
        return ctx.cache.respond({ req, res }, { namespace: CATEGORIES_CACHE, key: queryKey({ all }), private: all }, async () => {
          const docs = await Categories.find(all ? {} : { active: true }).sort({ sort: 1, code: 1 }).lean<CategoryDoc[]>();
          return { items: docs.map(toDto) };
        });
      },
    }),
    route({
      method: 'post', path: '/', summary: '新建诉求分类', access: ['admin'], body: CreateCategoryBody, response: Category, status: 201,
      handler: async ({ body }) => {
        await assertDepartment(body.defaultDepartmentId);
        if (await Categories.exists({ code: body.code })) throw new AppError(409, 'DUPLICATE', `分类编码「${body.code}」已存在`, [{ path: 'body.code', message: '已存在' }]);
        return toDto((await Categories.create({ ...body, deadlines: body.deadlines ?? DEFAULT_DEADLINES })).toObject());
      },
    }),
    route({
      method: 'patch', path: '/:id', summary: '修改诉求分类（停用而不删除：已有诉求引用它）', access: ['admin'], params: idParams, body: UpdateCategoryBody, response: Category,
      handler: async ({ params, body }) => {
        await assertDepartment(body.defaultDepartmentId);
        const c = await Categories.findByIdAndUpdate(params.id, { $set: body }, { returnDocument: 'after' }).lean<CategoryDoc>();
        if (!c) throw notFound('诉求分类');
        return toDto(c);
      },
    }),
  ];
}

import type { AppContext } from '../context';
import { badRequest } from '../core/errors';
import { catalogue, catalogueRoutes, type CatalogueHooks } from '../core/catalogue';
import { departmentService } from '../departments';
import { CATEGORIES_CACHE, DEFAULT_DEADLINES, type CategoryDoc, categoryModels } from './model';
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
  keywords: c.keywords ?? [],
});

/** The dispatch catalogue (派单目录): one catalogue (core/catalogue.ts) whose entries name a default unit. */
export function categoryCatalogue(ctx: AppContext, hooks?: CatalogueHooks) {
  const { Category: Categories } = categoryModels(ctx.conn);
  const departments = departmentService(ctx);

  /** A category's default unit must be a department that exists. */
  async function assertDepartment(id: string | null | undefined): Promise<void> {
    if (id && !(await departments.exists(id))) throw badRequest('部门不存在', [{ path: 'body.defaultDepartmentId', message: '部门不存在' }]);
  }

  return catalogue(
    {
      model: Categories, noun: '分类', missing: '诉求分类', unique: [{ field: 'code', label: '编码' }], namespace: CATEGORIES_CACHE, order: { sort: 1, code: 1 }, toDto,
      beforeCreate: async (body: CreateCategoryBody) => {
        await assertDepartment(body.defaultDepartmentId);
        return { ...body, deadlines: body.deadlines ?? DEFAULT_DEADLINES };
      },
      beforeUpdate: async (_id, body: UpdateCategoryBody) => {
        await assertDepartment(body.defaultDepartmentId);
        return body;
      },
    },
    hooks,
  );
}

// A catalogue is tens of entries: one unpaged list is what every picker wants.
export function categoryRoutes(ctx: AppContext, hooks?: CatalogueHooks) {
  return catalogueRoutes(ctx.cache, categoryCatalogue(ctx, hooks), {
    list: { summary: '诉求分类目录（派单目录）', access: 'public', allQuery: ListCategoriesQuery, response: CategoryList },
    create: { summary: '新建诉求分类', body: CreateCategoryBody, response: Category },
    update: { summary: '修改诉求分类（停用而不删除：已有诉求引用它）', body: UpdateCategoryBody, response: Category },
  });
}

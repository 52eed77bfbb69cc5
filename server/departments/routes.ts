import type { AppContext } from '../context';
import { conflict } from '../core/errors';
import { userService } from '../users';
import { catalogue, catalogueRoutes, type CatalogueHooks } from '../core/catalogue';
import { DEPARTMENTS_CACHE, type DepartmentDoc, departmentModels } from './model';
import { CreateDepartmentBody, Department, DepartmentList, UpdateDepartmentBody } from './schemas';

const toDto = (d: DepartmentDoc): Department => ({ id: String(d._id), name: d.name, code: d.code, phone: d.phone, sort: d.sort, active: d.active });

/** Departments: a catalogue (core/catalogue.ts) unique by name and by code; one with staff is not deleted. */
export function departmentCatalogue(ctx: AppContext, hooks?: CatalogueHooks) {
  const { Department: Departments } = departmentModels(ctx.conn);
  return catalogue(
    {
      model: Departments, noun: '部门', missing: '部门', namespace: DEPARTMENTS_CACHE, order: { sort: 1, code: 1 }, toDto,
      unique: [{ field: 'name', label: '名称' }, { field: 'code', label: '编码' }],
      beforeRemove: async (id) => {
        const staff = await userService(ctx).countInDepartment(id);
        if (staff > 0) throw conflict(`该部门还有 ${staff} 名工作人员，请先调整或停用部门`);
      },
    },
    hooks,
  );
}

// A county has dozens of departments: one unpaged list is what every picker wants.
export function departmentRoutes(ctx: AppContext, hooks?: CatalogueHooks) {
  return catalogueRoutes(ctx.cache, departmentCatalogue(ctx, hooks), {
    // The same list (every department, retired ones too) for every signed-in user; private, since only they may see it.
    list: { summary: '部门列表', access: 'user', response: DepartmentList },
    create: { summary: '新建部门', body: CreateDepartmentBody, response: Department },
    update: { summary: '修改部门', body: UpdateDepartmentBody, response: Department },
    remove: { summary: '删除部门（无人员时）' },
  });
}

import type { AppContext } from '../context';
import { AppError, conflict, notFound } from '../core/errors';
import { route } from '../core/route';
import { idParams } from '../core/validate';
import { DEPARTMENTS_CACHE, type DepartmentDoc } from './model';
import { CreateDepartmentBody, Department, DepartmentList, UpdateDepartmentBody } from './schemas';

const toDto = (d: DepartmentDoc): Department => ({ id: String(d._id), name: d.name, code: d.code, phone: d.phone, sort: d.sort, active: d.active });

const duplicate = (label: string, value: string, field: string) => new AppError(409, 'DUPLICATE', `部门${label}「${value}」已存在`, [{ path: `body.${field}`, message: '已存在' }]);

export function departmentRoutes(ctx: AppContext) {
  const { Department: Departments, User } = ctx.models;
  // A county has dozens of departments: one unpaged list is what every picker wants.
  return [
    // The same list for every signed-in user; private, since only they may see it.
    route({ method: 'get', path: '/', summary: '部门列表', access: 'user', response: DepartmentList, handler: ({ req, res }) => ctx.cache.respond({ req, res }, { namespace: DEPARTMENTS_CACHE, key: 'list', private: true }, async () => ({ items: (await Departments.find().sort({ sort: 1, code: 1 }).lean<DepartmentDoc[]>()).map(toDto) })) }),
    route({ method: 'post', path: '/', summary: '新建部门', access: ['admin'], body: CreateDepartmentBody, response: Department, status: 201, handler: async ({ body }) => {
      const clash = await Departments.findOne({ $or: [{ name: body.name }, { code: body.code }] }).lean<DepartmentDoc>();
      if (clash) throw clash.name === body.name ? duplicate('名称', body.name, 'name') : duplicate('编码', body.code, 'code');
      return toDto((await Departments.create(body)).toObject());
    } }),
    route({
      method: 'patch', path: '/:id', summary: '修改部门', access: ['admin'], params: idParams, body: UpdateDepartmentBody, response: Department,
      handler: async ({ params, body }) => {
        const d = await Departments.findByIdAndUpdate(params.id, { $set: body }, { returnDocument: 'after' }).lean<DepartmentDoc>();
        if (!d) throw notFound('部门');
        return toDto(d);
      },
    }),
    route({
      method: 'delete', path: '/:id', summary: '删除部门（无人员时）', access: ['admin'], params: idParams,
      handler: async ({ params }) => {
        const staff = await User.countDocuments({ departmentId: params.id });
        if (staff > 0) throw conflict(`该部门还有 ${staff} 名工作人员，请先调整或停用部门`);
        const { deletedCount } = await Departments.deleteOne({ _id: params.id });
        if (!deletedCount) throw notFound('部门');
      },
    }),
  ];
}

import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { route, type AuthUser } from '../core/route';
import { idParams } from '../core/validate';
import { identityCache } from './identity';
import { userService } from './service';
import { CreateUserBody, ListUsersQuery, Me, UpdateMeBody, UpdateUserBody, UserAdminView, UserList } from './schemas';

export function meRoutes(ctx: AppContext) {
  const users = userService(ctx);
  const identities = identityCache(ctx);
  return [
    route({ method: 'get', path: '/', summary: '当前用户', access: 'user', response: Me, handler: ({ user, req, res }) => identities.respondMe(user!.id, { req, res }) }),
    route({ method: 'patch', path: '/', summary: '修改昵称或所在社区', access: 'user', body: UpdateMeBody, response: Me, handler: async ({ user, body }) => users.toMe(await users.updateMe(user!.id, body)) }),
  ];
}

/** What the admin's user routes need of sign-in, wired by the composition root (auth depends on users). */
export interface UserRouteDeps {
  /** Ends every session of the user. */
  endSessionsOf(userId: Types.ObjectId): Promise<void>;
}

export function userRoutes(ctx: AppContext, deps: UserRouteDeps) {
  const users = userService(ctx);
  const update = async (id: string, body: UpdateUserBody) => {
    const u = await users.update(id, body);
    // A deactivated user or a changed password ends every session.
    if (body.active === false || body.password) await deps.endSessionsOf(u._id);
    return users.toAdminView(u);
  };
  return [
    route({ method: 'get', path: '/', summary: '用户列表（手机号脱敏）', access: ['admin'], query: ListUsersQuery, response: UserList, handler: ({ query }) => users.list(query) }),
    route({ method: 'get', path: '/:id', summary: '用户详情（含手机号，记审计日志）', access: ['admin'], params: idParams, response: UserAdminView, handler: ({ user, params }) => users.getForAdmin(user!, params.id) }),
    route({ method: 'post', path: '/', summary: '新建工作人员账号', access: ['admin'], body: CreateUserBody, response: UserAdminView, status: 201, handler: async ({ body }) => users.toAdminView(await users.createStaff(body)) }),
    route({ method: 'patch', path: '/:id', summary: '修改用户（角色、区域、部门、停用、重置密码）', access: ['admin'], params: idParams, body: UpdateUserBody, response: UserAdminView, handler: ({ params, body }) => update(params.id, body) }),
  ];
}

import type { AppContext } from '../context';
import { route } from '../core/route';
import { STAFF_ROLES } from '../../common/roles';
import { BindingCode, BoundRoomList, CreateBindingCodeBody } from './schemas';
import { bindingService } from './service';

/** Staff side: get a one-time code, see the group chats bound in one's regions. */
export function bindingRoutes(ctx: AppContext) {
  const bindings = bindingService(ctx);
  return [
    route({ method: 'post', path: '/binding-codes', summary: '生成一次性绑定码（群聊或个人微信）', access: STAFF_ROLES, body: CreateBindingCodeBody, response: BindingCode, status: 201, handler: ({ user, body }) => bindings.createCode(user!, body) }),
    route({ method: 'get', path: '/rooms', summary: '本人负责区域内已绑定的群聊', access: STAFF_ROLES, response: BoundRoomList, handler: async ({ user }) => ({ items: await bindings.listRoomsFor(user!) }) }),
  ];
}

import type { AppContext } from '../context';
import { route } from '../core/route';
import { STAFF_ROLES } from '../../common/roles';
import { BindingCode, BoundRoomList, CreateBindingCodeBody, RedeemBindingBody, RedeemResult, UnbindRoomBody, UnbindResult } from './schemas';
import { bindingService, type BindingHooks } from './service';

/** Staff side: get a one-time code, see the group chats bound in one's regions. */
export function bindingRoutes(ctx: AppContext) {
  const bindings = bindingService(ctx);
  return [
    route({ method: 'post', path: '/binding-codes', summary: '生成一次性绑定码（群聊：社区工作人员；个人微信：任何账号）', access: [...STAFF_ROLES, 'resident'], body: CreateBindingCodeBody, response: BindingCode, status: 201, handler: ({ user, body }) => bindings.createCode(user!, body) }),
    route({ method: 'get', path: '/rooms', summary: '本人负责区域内已绑定的群聊', access: STAFF_ROLES, response: BoundRoomList, handler: async ({ user }) => ({ items: await bindings.listRoomsFor(user!) }) }),
  ];
}

/** Bot side (mounted by app.ts under /bot with the other features' bot routes): redeem a code said in a chat, unbind a group, list the bound groups. */
export function bindingBotRoutes(ctx: AppContext, hooks: BindingHooks = {}) {
  const bindings = bindingService(ctx, hooks);
  return [
    route({ method: 'post', path: '/bindings/redeem', summary: '机器人：使用绑定码绑定群聊或个人微信', access: 'bot', body: RedeemBindingBody, response: RedeemResult, handler: ({ body }) => bindings.redeem(body) }),
    route({ method: 'post', path: '/rooms/unbind', summary: '机器人：解绑群聊', access: 'bot', body: UnbindRoomBody, response: UnbindResult, handler: ({ body }) => bindings.unbindRoom(body.roomId, body.byContactId) }),
    route({ method: 'get', path: '/rooms', summary: '机器人：所有已绑定群聊', access: 'bot', response: BoundRoomList, handler: async () => ({ items: await bindings.listRoomsForBot() }) }),
  ];
}

import type { AppContext } from '../context';
import { route } from '../core/route';
import { BoundRoomList, RedeemBindingBody, RedeemResult, UnbindRoomBody, UnbindResult } from '../bindings/schemas';
import { bindingService } from '../bindings/service';
import { appealBotRoutes } from '../appeals/bot-routes';
import { outboxBotRoutes } from '../outbox/bot-routes';
import { serviceDirectoryBotRoutes } from '../service-directory/bot-routes';

/** What the bot may call, with its own service token. The bot talks to the server only here. */
export function botGatewayRoutes(ctx: AppContext) {
  const bindings = bindingService(ctx);
  return [
    route({ method: 'post', path: '/bindings/redeem', summary: '机器人：使用绑定码绑定群聊或个人微信', access: 'bot', body: RedeemBindingBody, response: RedeemResult, handler: ({ body }) => bindings.redeem(body) }),
    route({ method: 'post', path: '/rooms/unbind', summary: '机器人：解绑群聊', access: 'bot', body: UnbindRoomBody, response: UnbindResult, handler: ({ body }) => bindings.unbindRoom(body.roomId, body.byContactId) }),
    route({ method: 'get', path: '/rooms', summary: '机器人：所有已绑定群聊', access: 'bot', response: BoundRoomList, handler: async () => ({ items: await bindings.listRoomsForBot() }) }),
    ...appealBotRoutes(ctx),
    ...outboxBotRoutes(ctx),
    ...serviceDirectoryBotRoutes(ctx),
  ];
}

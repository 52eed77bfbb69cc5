import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { SERVICES_CACHE, type ServiceEntryDoc, serviceDirectoryModels } from './model';
import { SERVICE_ORDER, toServiceDto } from './routes';
import { ServiceEntryList } from './schemas';

/** The bot reads the services directory to answer keyword questions. */
export function serviceDirectoryBotRoutes(ctx: AppContext): RouteDef[] {
  const { ServiceEntry: Services } = serviceDirectoryModels(ctx.conn);
  return [
    route({
      method: 'get', path: '/services', summary: '机器人：便民服务目录（启用的条目及其关键词，用于群聊问答）', access: 'bot', response: ServiceEntryList,
      // The same active list the 服务 tab shows, in the same order: the bot answers what residents read.
      handler: ({ req, res }) =>
        ctx.cache.respond({ req, res }, { namespace: SERVICES_CACHE, key: 'bot' }, async () => {
          const docs = await Services.find({ active: true }).sort(SERVICE_ORDER).lean<ServiceEntryDoc[]>();
          return { items: docs.map(toServiceDto) };
        }),
    }),
  ];
}

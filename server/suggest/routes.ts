import type { AppContext } from '../context';
import { route } from '../core/route';
import { suggestLimit } from './limits';
import { SuggestBody, SuggestResult } from './schemas';
import { suggestService } from './service';

/** Mounted under /categories: `POST /categories/suggest`. */
export function suggestRoutes(ctx: AppContext) {
  const service = suggestService(ctx);
  const limit = suggestLimit(ctx);
  return [
    route({
      method: 'post', path: '/suggest', summary: '根据诉求文字推荐分类（按可能性排序）', access: 'user', body: SuggestBody, response: SuggestResult, status: 200, limit: { own: 'suggest/limits.ts' },
      handler: async ({ body, user }) => {
        await limit(user!);
        return { items: await service.suggest(body.text, body.limit) };
      },
    }),
  ];
}

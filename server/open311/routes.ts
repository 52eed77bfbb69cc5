import type { AppContext } from '../context';
import { idParams } from '../core/validate';
import { route, type RouteDef } from '../core/route';
import { open311Keys } from './keys';
import { IssueOpen311KeyBody, IssuedOpen311Key, Open311Key, Open311KeyList } from './schemas';

/** The admin's Open311 API keys (mounted at /api/v1/open311/keys): list, issue (the key shown once), revoke. */
export function open311KeyRoutes(ctx: AppContext): RouteDef[] {
  const keys = open311Keys(ctx);
  return [
    route({ method: 'get', path: '/keys', summary: 'Open311 API 密钥列表（不含密钥本身）', access: ['admin'], response: Open311KeyList, handler: () => keys.list() }),
    route({ method: 'post', path: '/keys', summary: '签发 Open311 API 密钥（密钥只在此返回一次）', access: ['admin'], body: IssueOpen311KeyBody, response: IssuedOpen311Key, status: 201, handler: ({ user, body }) => keys.issue(user!, body) }),
    route({ method: 'post', path: '/keys/:id/revoke', summary: '吊销 Open311 API 密钥（立即生效）', access: ['admin'], params: idParams, response: Open311Key, handler: ({ user, params }) => keys.revoke(user!, params.id) }),
    route({ method: 'delete', path: '/keys/:id', summary: '吊销 Open311 API 密钥（同 POST revoke，记录保留）', access: ['admin'], params: idParams, handler: async ({ user, params }) => void (await keys.revoke(user!, params.id)) }),
  ];
}

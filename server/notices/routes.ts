import type { Response } from 'express';
import type { AppContext } from '../context';
import { queryKey } from '../core/cache/read-cache';
import { route, type AuthUser, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { expectedVersion, requiredVersion, sendVersion } from '../core/versions';
import { REGIONS_CACHE } from '../regions';
import { NOTICES_CACHE } from './model';
import {
  CreateNoticeBody,
  NoticeDeliveryList,
  NoticeDetail,
  NoticeListQuery,
  NoticeManageItem,
  NoticeManagePage,
  NoticeManageQuery,
  NoticePage,
  UpdateNoticeBody,
  WithdrawNoticeBody,
} from './schemas';
import { noticeService } from './service';

/** Who writes notices: the media centre county-wide, community staff for their communities (admin passes). */
const WRITERS = ['editor', 'reviewer', 'community_staff'] as const;

/** Notices (通知公告): readers' list and detail; staff write, publish (fan-out to group chats), withdraw, follow deliveries. */
export function noticeRoutes(ctx: AppContext): RouteDef[] {
  const notices = noticeService(ctx);
  const me = (user: AuthUser | null) => user!;
  /** A writer's view of one notice carries its version as the ETag (the If-Match of the next edit). */
  const versioned = async (res: Response, work: Promise<NoticeManageItem>) => {
    const n = await work;
    sendVersion(res, n.version);
    return n;
  };
  return [
    route({
      method: 'get', path: '/', summary: '通知公告列表（紧急、重要在前，按区域）', access: 'public', query: NoticeListQuery, response: NoticePage,
      handler: ({ req, res, query }) => {
        // A search is the long tail: straight to the database. The plain list is cached per query.
        if (query.q) return notices.list(query);
        return ctx.cache.respond({ req, res }, { namespace: [NOTICES_CACHE, REGIONS_CACHE], key: queryKey({ regionId: query.regionId, cursor: query.cursor, limit: query.limit }) }, () => notices.list(query));
      },
    }),
    route({ method: 'get', path: '/manage', summary: '工作台：我能管理的通知', access: WRITERS, query: NoticeManageQuery, response: NoticeManagePage, handler: ({ query, user }) => notices.manageList(me(user), query) }),
    route({ method: 'get', path: '/manage/:id', summary: '工作台：通知详情与投递统计', access: WRITERS, params: idParams, response: NoticeManageItem, handler: ({ params, user, res }) => versioned(res, notices.manageGet(me(user), params.id)) }),
    route({ method: 'get', path: '/:id', summary: '通知详情（已发布）', access: 'public', params: idParams, response: NoticeDetail, handler: ({ params }) => notices.detail(params.id) }),
    route({
      method: 'post', path: '/', summary: '新建通知（草稿；同一提交标识的重试返回第一次的通知）', access: WRITERS, body: CreateNoticeBody, response: NoticeManageItem, status: 201,
      handler: async ({ body, user, res }) => {
        const { notice, created } = await notices.create(me(user), body);
        if (!created) res.locals.status = 200;
        sendVersion(res, notice.version);
        return notice;
      },
    }),
    route({
      method: 'patch', path: '/:id', summary: '修改通知草稿（须带 If-Match 或 version，过期为 409）', access: WRITERS, params: idParams, body: UpdateNoticeBody, response: NoticeManageItem,
      handler: ({ params, body: { version, ...body }, user, req, res }) => versioned(res, notices.update(me(user), params.id, body, requiredVersion(req, version))),
    }),
    route({
      method: 'post', path: '/:id/publish', summary: '发布通知并推送到范围内已绑定的群（带 If-Match 时只发布该版本）', access: WRITERS, params: idParams, response: NoticeManageItem,
      handler: ({ params, user, req, res }) => versioned(res, notices.publish(me(user), params.id, expectedVersion(req, undefined))),
    }),
    route({ method: 'post', path: '/:id/withdraw', summary: '撤回通知（未发出的群消息取消）', access: WRITERS, params: idParams, body: WithdrawNoticeBody, response: NoticeManageItem, handler: ({ params, body, user }) => notices.withdraw(me(user), params.id, body.reason) }),
    route({ method: 'get', path: '/:id/deliveries', summary: '通知在各群的投递情况', access: WRITERS, params: idParams, response: NoticeDeliveryList, handler: ({ params, user }) => notices.deliveries(me(user), params.id) }),
  ];
}

import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { subscriptionGrants } from './grants';
import { GrantCounts, RecordGrantsBody, SubscriptionTemplateList } from './schemas';

/** Subscribe messages: the templates to ask for, the caller's grants, and reporting what they answered. */
export function subscriptionRoutes(ctx: AppContext): RouteDef[] {
  const grants = subscriptionGrants(ctx);
  return [
    route({
      method: 'get',
      path: '/templates',
      summary: '订阅消息模板（小程序据此调用 requestSubscribeMessage；未配置微信或模板时为空）',
      access: 'public',
      response: SubscriptionTemplateList,
      handler: () => ({ items: grants.templates() }),
    }),
    route({
      method: 'get',
      path: '/grants',
      summary: '我的订阅消息剩余次数（每个模板，每次发送用掉一次）',
      access: 'user',
      response: GrantCounts,
      handler: ({ user }) => grants.counts(user!.id),
    }),
    route({
      method: 'post',
      path: '/grants',
      summary: '记录 requestSubscribeMessage 的结果（accept 记一次，reject/ban/filter 不记；同一 idempotencyKey 重试不重复记录）',
      access: 'user',
      body: RecordGrantsBody,
      response: GrantCounts,
      handler: ({ user, body }) => grants.record(user!.id, body),
    }),
  ];
}

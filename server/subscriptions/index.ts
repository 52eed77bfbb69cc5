/**
 * Subscribe messages (订阅消息): the one-time grants residents give in the mini-program, and the
 * templates the app asks for. Others use the grants through this face only: the outbox's
 * deliverer consumes one per message it sends (`subscriptionGrants(ctx).consume`). This feature
 * depends on no other.
 */
export { subscriptionRoutes } from './routes';
export { subscriptionGrants, configuredTemplates, type SubscriptionGrants, type TemplateInfo } from './grants';
export { SUBSCRIPTION_TEMPLATES, type SubscriptionTemplate, type GrantCounts, type SubscriptionTemplateList, type RecordGrantsBody } from './schemas';

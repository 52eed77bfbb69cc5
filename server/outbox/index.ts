/**
 * The outbox's face: what other features may use of it. They enqueue messages (idempotent per
 * dedupe key), cancel what nobody has taken yet, and read how the deliveries of a ref stand; the
 * records themselves stay behind these calls. The deliverer job and the bot's routes are mounted
 * by the composition root (server.ts, app.ts).
 */
export {
  outbox,
  outboxStats,
  backoffMs,
  MAX_ATTEMPTS,
  zeroCounts,
  type OutboxService,
  type OutboxCounts,
  type OutboxDelivery,
  type ClaimedItem,
  type ClaimOptions,
  type DeliveryResult,
  type RejectedItem,
} from './outbox';
export { outboxBotRoutes } from './bot-routes';
export {
  OUTBOX_CHANNELS,
  OUTBOX_STATES,
  PRIORITY,
  WECHAT_ID_MAX,
  BotRoomPayload,
  SubscribePayload,
  truncateSubscribeValue,
  type OutboxChannel,
  type OutboxState,
  type OutboxItemInput,
  type OutboxStats,
} from './schemas';
export { outboxRecords } from './records';

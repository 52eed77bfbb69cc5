import { z } from 'zod';
import { objectId } from '../core/validate';

/**
 * The outbox's shapes, defined once: the service validates what other server code enqueues, the
 * bot gateway validates what the bot sends, and the bot imports the payload types (types only).
 */
/** bot_room: a bound group chat; bot_contact: the bot's private chat with a WeChat contact; wechat_subscribe: a mini-program user. */
export const OUTBOX_CHANNELS = ['bot_room', 'bot_contact', 'wechat_subscribe'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** pending → sending (claimed, leased) → sent | pending again (retry) | failed. */
export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * The longest WeChat contact or room id any schema accepts: filing (appeals), binding and the
 * outbox use this one limit, so an id accepted at filing can always be notified.
 */
export const WECHAT_ID_MAX = 128;
const wechatId = z.string().trim().min(1).max(WECHAT_ID_MAX);

/** Lower goes first: emergency notices jump the queue of a busy bot. */
export const PRIORITY = { emergency: 0, important: 3, default: 5, digest: 9 } as const;

/** A message the bot says in a bound group chat, @mentioning the listed members. */
export const BotRoomPayload = z.strictObject({
  text: z.string().trim().min(1).max(2000),
  mentionContactIds: z.array(wechatId).max(20).default([]),
});
export type BotRoomPayload = z.infer<typeof BotRoomPayload>;
/** A message the bot says in its private chat with a contact (e.g. the answer to a tip sent there). */
export const BotContactPayload = BotRoomPayload.pick({ text: true }).strict();
export type BotContactPayload = z.infer<typeof BotContactPayload>;
/** The channels the bot drains (outbox bot routes). */
export const BOT_CHANNELS = ['bot_room', 'bot_contact'] as const satisfies readonly OutboxChannel[];

/** WeChat refuses a subscribe message whose `thing` values exceed 20 characters: cut, never refuse. */
export const SUBSCRIBE_VALUE_MAX = 20;
export function truncateSubscribeValue(value: string): string {
  const chars = Array.from(value.trim()); // code points, so an emoji is never cut in half
  return chars.length <= SUBSCRIBE_VALUE_MAX ? chars.join('') : `${chars.slice(0, SUBSCRIBE_VALUE_MAX - 1).join('')}…`;
}

export const SUBSCRIBE_TEMPLATES = ['appeal_progress'] as const;
export type SubscribeTemplate = (typeof SUBSCRIBE_TEMPLATES)[number];

/**
 * A WeChat subscribe message in the template's own terms: `data` holds our field names
 * (appeal_progress: number, state, time, note); the adapter maps them to the keywords of the
 * template chosen in the WeChat console, so enqueueing code never knows those.
 */
export const SubscribePayload = z.strictObject({
  template: z.enum(SUBSCRIBE_TEMPLATES),
  /** The mini-program page the message opens, e.g. `pages/appeal-detail/index?id=…`. */
  page: z.string().trim().min(1).max(200),
  data: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.string().transform(truncateSubscribeValue)),
});
export type SubscribePayload = z.infer<typeof SubscribePayload>;

const itemBase = {
  /** Same key, same record: a relay that runs twice enqueues once. E.g. `appeal:<id>:<eventId>:room`. */
  dedupeKey: z.string().trim().min(1).max(200),
  priority: z.number().int().min(0).max(9).default(PRIORITY.default),
  /** What the record is for (`notice:<id>`), so its deliveries can be listed together. */
  ref: z.string().trim().min(1).max(100).optional(),
  /** Not before this time (a daily digest written ahead); default now. */
  notBefore: z.date().optional(),
};

/** What other server code hands to `outbox(ctx).enqueue`. */
export const OutboxItemInput = z.discriminatedUnion('channel', [
  z.strictObject({ ...itemBase, channel: z.literal('bot_room'), recipient: wechatId, payload: BotRoomPayload }),
  /** recipient: a WeChat contact id; the bot says it in its private chat with them. */
  z.strictObject({ ...itemBase, channel: z.literal('bot_contact'), recipient: wechatId, payload: BotContactPayload }),
  /** recipient: a user id; the deliverer finds the user's openid. */
  z.strictObject({ ...itemBase, channel: z.literal('wechat_subscribe'), recipient: objectId, payload: SubscribePayload }),
]);
export type OutboxItemInput = z.input<typeof OutboxItemInput>;

/** The bot's own part of the lease owner: one per bot process, so two bots never share a lease. */
const owner = z.string().trim().min(1).max(100);

export const ClaimBody = z.strictObject({
  owner,
  limit: z.number().int().min(1).max(20),
  leaseSeconds: z.number().int().min(10).max(600),
});
export type ClaimBody = z.infer<typeof ClaimBody>;

/**
 * One delivery for the bot: said in room `recipient`, or (channel `bot_contact`, absent for rooms
 * so older bots read room items as before) in the private chat with contact `recipient`.
 */
export const ClaimedRoomItem = z.object({ id: z.string(), channel: z.literal('bot_contact').optional(), recipient: z.string(), payload: BotRoomPayload, attempts: z.number().int() });
export type ClaimedRoomItem = z.infer<typeof ClaimedRoomItem>;
export const ClaimResult = z.object({ items: z.array(ClaimedRoomItem) });
export type ClaimResult = z.infer<typeof ClaimResult>;

export const CompleteBody = z.discriminatedUnion('ok', [
  z.strictObject({ owner, ok: z.literal(true) }),
  z.strictObject({
    owner,
    ok: z.literal(false),
    /** Why it failed, for staff (never the message text). */
    error: z.string().trim().min(1).max(500).default('发送失败'),
    /** False when trying again cannot help (the bot left the room, the room is gone). */
    retryable: z.boolean().default(true),
  }),
]);
export type CompleteBody = z.infer<typeof CompleteBody>;

export const CompleteResult = z.object({ state: z.enum(OUTBOX_STATES) });
export type CompleteResult = z.infer<typeof CompleteResult>;

/** Counts per channel and state (the workbench's delivery view). */
export type OutboxStats = Record<OutboxChannel, Record<OutboxState, number>>;

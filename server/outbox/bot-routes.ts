import type { AppContext } from '../context';
import { route, type AuthUser, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { outbox } from './outbox';
import { BOT_CHANNELS, BotRoomPayload, ClaimBody, ClaimResult, CompleteBody, CompleteResult } from './schemas';

/**
 * The bot drains the group-chat and private-chat deliveries: it claims a few, sends them at its own pace, and
 * reports each. The lease owner is the bot's identity plus the nonce of its process, so two bot
 * processes (or one restarted) never report for each other.
 */
export function outboxBotRoutes(ctx: AppContext): RouteDef[] {
  const box = outbox(ctx);
  const ownerOf = (user: AuthUser | null, nonce: string) => `${user?.id ?? 'bot'}:${nonce}`;
  return [
    route({ method: 'post', path: '/outbox/claim', summary: '机器人：领取待发送的群消息与私聊消息', access: 'bot', body: ClaimBody, response: ClaimResult, handler: async ({ body, user }) => {
      const items = await box.claim({ channel: BOT_CHANNELS, owner: ownerOf(user, body.owner), limit: body.limit, leaseMs: body.leaseSeconds * 1000 });
      return {
        items: items.map((i) =>
          i.channel === 'bot_contact'
            ? { id: i.id, channel: 'bot_contact' as const, recipient: i.recipient, payload: { text: String(i.payload.text), mentionContactIds: [] }, attempts: i.attempts }
            : { id: i.id, recipient: i.recipient, payload: i.payload as BotRoomPayload, attempts: i.attempts },
        ),
      };
    } }),
    route({ method: 'post', path: '/outbox/:id/complete', summary: '机器人：回报群消息的发送结果', access: 'bot', params: idParams, body: CompleteBody, response: CompleteResult, handler: ({ params, body, user }) =>
      box.complete(params.id, ownerOf(user, body.owner), body.ok ? { ok: true } : { ok: false, error: body.error, retryable: body.retryable }) }),
  ];
}

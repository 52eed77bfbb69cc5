/**
 * Room / contact binding (DESIGN "The bot in group chats"): staff say a contact code in a private
 * chat to tie their own WeChat to their account; then the staff member who made a group code says
 * `绑定 <code>` in the group, from that WeChat, to tie it to their community. `解绑` in a bound
 * group releases it. The server decides who may do what and answers the refusals in Chinese,
 * which the bot passes on: anyone else saying a group code is refused (the code stays valid for
 * its maker), and a group bound to another community is refused until that community's staff
 * say `解绑` there (server/bindings/service.ts).
 */
import pino, { type Logger } from 'pino';
import { types, type Message, type Wechaty, type WechatyPlugin } from 'wechaty';
import type { RedeemBindingResponse } from '../runtime/api-types';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { ServerError, UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { asciiDigits, guardHandler, isActionable, reportError, stripLeadingMentions } from './support';

export interface RoomBindingMessages {
  missingCode: string;
  badCode: string;
  unavailable: string;
  roomBound: (regionName: string | null) => string;
  contactBound: (userName: string | null, regionName: string | null) => string;
  roomUnbound: (regionName: string) => string;
  unbindOnlyInRoom: string;
}

export interface RoomBindingConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  bindKeyword?: string;
  unbindKeyword?: string;
  /** Handle `绑定` in group chats. Default true. */
  inRooms?: boolean;
  /** Handle `绑定` in private chats. Default true. */
  inPrivate?: boolean;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<RoomBindingMessages>;
}

export const DEFAULT_ROOM_BINDING_MESSAGES: RoomBindingMessages = {
  missingCode: '请发送：绑定 八位绑定码',
  badCode: '绑定码应为8位数字，请发送：绑定 八位绑定码',
  unavailable: UNAVAILABLE_MESSAGE,
  roomBound: (regionName) => (regionName ? `绑定成功：本群已关联到「${regionName}」` : '绑定成功：本群已关联'),
  contactBound: (userName, regionName) =>
    `绑定成功：您的微信已关联到${userName ? `「${userName}」` : '工作人员账号'}${regionName ? `（${regionName}）` : ''}。现在可以在群里发送您生成的群聊绑定码，或发送「解绑」`,
  roomUnbound: (regionName) => `解绑成功：本群已不再关联「${regionName}」`,
  unbindOnlyInRoom: '请在要解绑的群里发送：解绑',
};

const KEYWORD = /^[\p{L}\p{N}]{1,8}$/u;

type Command =
  | { kind: 'bind'; code: string }
  | { kind: 'bind-missing' }
  | { kind: 'bind-bad' }
  | { kind: 'unbind' };

/** Compile the matchers once; refuse bad config here rather than at the first message. */
function compileMatchers(bindKeyword: string, unbindKeyword: string) {
  for (const keyword of [bindKeyword, unbindKeyword]) {
    if (!KEYWORD.test(keyword)) throw new Error(`RoomBinding: keyword must be 1-8 letters or digits, got ${JSON.stringify(keyword)}`);
  }
  if (bindKeyword === unbindKeyword) throw new Error('RoomBinding: bindKeyword and unbindKeyword must differ');
  const bindOnly = new RegExp(`^${bindKeyword}$`);
  // `绑定 12345678`, `绑定12345678`, `绑定：1234 5678`; digits may be full-width.
  const bindDigits = new RegExp(`^${bindKeyword}[\\s:：]*([0-9][0-9\\s]*)$`);
  // `绑定 abc` (a separated single token that is not a code) is answered; `绑定手机号怎么弄` is chatter.
  const bindToken = new RegExp(`^${bindKeyword}[\\s:：]+\\S+$`);
  const unbind = new RegExp(`^${unbindKeyword}$`);

  return (rawText: string): Command | undefined => {
    const text = asciiDigits(stripLeadingMentions(rawText));
    if (bindOnly.test(text)) return { kind: 'bind-missing' };
    const digits = bindDigits.exec(text);
    if (digits) {
      const code = digits[1]!.replace(/\s+/g, '');
      return /^\d{8}$/.test(code) ? { kind: 'bind', code } : { kind: 'bind-bad' };
    }
    if (bindToken.test(text)) return { kind: 'bind-bad' };
    if (unbind.test(text)) return { kind: 'unbind' };
    return undefined;
  };
}

export function RoomBinding(config: RoomBindingConfig): WechatyPlugin {
  if (!config?.client) throw new Error('RoomBinding: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'room-binding' });
  const messages: RoomBindingMessages = { ...DEFAULT_ROOM_BINDING_MESSAGES, ...config.messages };
  const inRooms = config.inRooms ?? true;
  const inPrivate = config.inPrivate ?? true;
  const graceMs = config.staleGraceMs ?? 1000;
  const parse = compileMatchers(config.bindKeyword ?? '绑定', config.unbindKeyword ?? '解绑');
  const client = config.client;

  return function RoomBindingPlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);

    /** Refusals the user can act on carry the server's Chinese message; the rest is "try later". */
    function answerFor(err: unknown): string {
      if (err instanceof ServerError) {
        if (err.status === 401) {
          logger.error({ err }, 'server refused the bot token (check BOT_TOKEN)');
          return messages.unavailable;
        }
        if (err.unavailable || err.code === 'BAD_RESPONSE') {
          logger.warn({ err }, 'server unavailable');
          return messages.unavailable;
        }
        // Too many attempts: the server's message says how long to wait (in Chinese).
        if (err.status === 429) logger.warn({ code: err.code }, 'binding attempts limited by the server');
        return err.message;
      }
      reportError(bot, logger, err, { plugin: 'room-binding' });
      return messages.unavailable;
    }

    async function onMessage(msg: Message): Promise<void> {
      if (msg.type() !== types.Message.Text) return;
      if (!isActionable(msg, since(), graceMs)) return;
      const command = parse(msg.text());
      if (!command) return;

      const room = msg.room();
      const talker = msg.talker();
      if (room ? !inRooms : !inPrivate) return;
      const say = config.say ?? directSay;
      const reply = (text: string) => say(room ?? talker, text);

      switch (command.kind) {
        case 'bind-missing':
          await reply(messages.missingCode);
          return;
        case 'bind-bad':
          await reply(messages.badCode);
          return;
        case 'unbind': {
          if (!room) {
            await reply(messages.unbindOnlyInRoom);
            return;
          }
          let text: string;
          try {
            const { region } = await client.unbindRoom({ roomId: room.id, byContactId: talker.id });
            logger.info({ roomId: room.id, regionId: region.id, by: maskContactId(talker.id) }, 'room unbound');
            text = messages.roomUnbound(region.name);
          } catch (err) {
            text = answerFor(err);
          }
          await reply(text);
          return;
        }
        case 'bind': {
          let text: string;
          try {
            let result: RedeemBindingResponse;
            if (room) {
              const topic = await room.topic();
              result = await client.redeemBinding({ code: command.code, target: { type: 'room', roomId: room.id, topic, byContactId: talker.id } });
              text = messages.roomBound(result.region?.name ?? null);
            } else {
              result = await client.redeemBinding({
                code: command.code,
                target: { type: 'contact', contactId: talker.id, name: talker.name() },
              });
              text = messages.contactBound(result.user?.name ?? null, result.region?.name ?? null);
            }
            logger.info({ roomId: room?.id, by: maskContactId(talker.id), regionId: result.region?.id }, 'binding redeemed');
          } catch (err) {
            text = answerFor(err);
          }
          await reply(text);
          return;
        }
      }
    }

    const listener = guardHandler(bot, logger, 'room-binding', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

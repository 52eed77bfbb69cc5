/**
 * News tips (爆料) from WeChat (DESIGN "News and notices"): `#爆料 …` (also with a full-width ＃)
 * in a bound group chat or in a private chat with the bot sends a tip to the newsroom, and the bot
 * answers with a short receipt that names the tip by its label only (nothing personal in a group).
 * A photo from the same sender in the same chat within `photoWindowMs` joins that tip, as appeal
 * intake does for appeals. The bot keeps nothing else: only each sender's latest tip label per
 * chat, for the photo window. Over the server's limits (429) the bot says so once in that chat,
 * then stays quiet there until the limit lifts. The newsroom's answer comes back to the same chat
 * through the server's outbox (outbox-delivery.ts).
 */
import pino, { type Logger } from 'pino';
import { types, type Contact, type Message, type Room, type Wechaty, type WechatyPlugin } from 'wechaty';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { createKeyedQueue, createLimitNotices, failureAnswer, idempotencyKey, uploadMessagePhoto } from './appeal-support';
import { guardHandler, isActionable, stripLeadingMentions } from './support';

export interface TipIntakeMessages {
  received: (label: string) => string;
  usage: string;
  /** A `#爆料` in a group no community has bound. */
  roomNotBound: string;
  photoAdded: (label: string, photoCount: number) => string;
  unavailable: string;
}

export interface TipIntakeConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  /** How long after a sender's tip their photos in the same chat join it. Default 5 min (the server allows 10). */
  photoWindowMs?: number;
  /** Clock for the photo window and the quiet time after a limit (tests). */
  now?: () => number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<TipIntakeMessages>;
}

export const DEFAULT_TIP_INTAKE_MESSAGES: TipIntakeMessages = {
  received: (label) => `已收到您的爆料（${label}），编辑部会尽快查看，内容仅编辑部可见。5分钟内发来的图片会一并转给编辑部。`,
  usage: '请在关键词后写明爆料内容，例如：#爆料 东门桥下的护栏断了一大段\n爆料内容仅编辑部可见，随后发来的图片会一并转给编辑部。',
  roomNotBound: '本群尚未绑定社区，暂不能在群里爆料。可以私聊我发送「#爆料 内容」；或请社区工作人员在工作台获取绑定码后，在群里发送：绑定 绑定码',
  photoAdded: (label, photoCount) => `已补充图片到爆料 ${label}（共 ${photoCount} 张）`,
  unavailable: UNAVAILABLE_MESSAGE,
};

/** `#爆料 …`, `＃爆料：…`, `#爆料…`; the rest of the message (lines too) is the tip. */
const TIP = /^[#＃]\s*爆料(?:[\s:：,，]+|$)?([\s\S]*)$/u;

/** The tip text of a message, '' for the keyword alone, undefined when it is no tip. */
export function tipText(raw: string): string | undefined {
  const m = TIP.exec(stripLeadingMentions(raw));
  return m ? m[1]!.trim() : undefined;
}

interface RecentTip {
  at: number;
  label: string;
}

export function TipIntake(config: TipIntakeConfig): WechatyPlugin {
  if (!config?.client) throw new Error('TipIntake: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'tip-intake' });
  const messages: TipIntakeMessages = { ...DEFAULT_TIP_INTAKE_MESSAGES, ...config.messages };
  const photoWindowMs = config.photoWindowMs ?? 5 * 60_000;
  if (!(photoWindowMs >= 0)) throw new Error('TipIntake: photoWindowMs must be >= 0');
  const graceMs = config.staleGraceMs ?? 1000;
  const now = config.now ?? Date.now;
  const client = config.client;
  const say = config.say ?? directSay;

  return function TipIntakePlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    /** Per `chat\ncontact`: the sender's latest tip, while its photo window is open. */
    const recent = new Map<string, RecentTip>();
    // A sender's messages are handled in order, so a photo right after `#爆料` waits for its tip.
    const queue = createKeyedQueue();
    const limitNotices = createLimitNotices(now);

    const forget = () => {
      const cutoff = now() - photoWindowMs;
      for (const [key, entry] of recent) if (entry.at < cutoff) recent.delete(key);
    };

    /** A group's answers @mention the sender; a private chat's go to them. */
    const answer = (room: Room | undefined, talker: Contact, text: string) => (room ? say(room, text, talker) : say(talker, text));
    /** The chat's key: the group, or the private chat by contact id (never a room id: those contain '@'). */
    const chatOf = (room: Room | undefined, talker: Contact) => room?.id ?? `contact:${talker.id}`;

    async function onText(msg: Message, room: Room | undefined, text: string): Promise<void> {
      const talker = msg.talker();
      if (!text) {
        await answer(room, talker, messages.usage);
        return;
      }
      const chat = chatOf(room, talker);
      let reply: string;
      try {
        const receipt = await client.createTip({
          idempotencyKey: idempotencyKey('tip', msg.id),
          ...(room ? { roomId: room.id } : {}),
          contact: { id: talker.id, name: talker.name() || talker.id },
          text,
        });
        forget();
        recent.set(`${chat}\n${talker.id}`, { at: now(), label: receipt.label });
        logger.info({ roomId: room?.id, by: maskContactId(talker.id), label: receipt.label }, room ? 'tip sent from a group' : 'tip sent from a private chat');
        reply = messages.received(receipt.label);
      } catch (err) {
        if (!limitNotices.shouldSay(chat, err)) {
          logger.debug({ roomId: room?.id, by: maskContactId(talker.id) }, 'tip limited: already said in this chat');
          return;
        }
        reply = failureAnswer(bot, logger, 'tip-intake', err, { unavailable: messages.unavailable, byStatus: room ? { 404: messages.roomNotBound } : {} });
      }
      await answer(room, talker, reply);
    }

    async function onPhoto(msg: Message, room: Room | undefined): Promise<void> {
      const talker = msg.talker();
      forget();
      const entry = recent.get(`${chatOf(room, talker)}\n${talker.id}`);
      // Photos from anyone else, or later, are not the bot's business: not even downloaded.
      if (!entry) {
        logger.debug({ roomId: room?.id, by: maskContactId(talker.id) }, 'photo without a recent tip of its sender: ignored');
        return;
      }
      let reply: string;
      try {
        const photo = await uploadMessagePhoto(client, msg);
        const updated = await client.attachTipPhotos({ ...(room ? { roomId: room.id } : {}), contactId: talker.id, photoIds: [photo.id] });
        logger.info({ roomId: room?.id, by: maskContactId(talker.id), label: updated.label }, 'photo added to a tip');
        reply = messages.photoAdded(updated.label || entry.label, updated.photoCount);
      } catch (err) {
        reply = failureAnswer(bot, logger, 'tip-intake', err, { unavailable: messages.unavailable });
      }
      await answer(room, talker, reply);
    }

    async function onMessage(msg: Message): Promise<void> {
      if (!isActionable(msg, since(), graceMs)) return;
      const room = msg.room() ?? undefined;
      const type = msg.type();
      const key = `${chatOf(room, msg.talker())}\n${msg.talker().id}`;
      if (type === types.Message.Text) {
        const text = tipText(msg.text());
        if (text !== undefined) await queue(key, () => onText(msg, room, text));
      } else if (type === types.Message.Image) {
        await queue(key, () => onPhoto(msg, room));
      }
    }

    const listener = guardHandler(bot, logger, 'tip-intake', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

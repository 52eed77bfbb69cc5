/**
 * Appeal intake in group chats (DESIGN "The bot in group chats"): `#报事 …`, `#诉求 …` (also with
 * a full-width ＃) or a message that @mentions the bot files an appeal for the community the group
 * is bound to, and the bot answers in the group with its number. Such an appeal is private (staff
 * only) unless the member asks for publication with `公开` before the text: `#报事 公开 路灯坏了`.
 * A photo from the same member in the same group within `photoWindowMs` joins that appeal. The
 * bot keeps nothing else: only the number of each member's latest appeal, for the photo window.
 * Over the server's filing limits (429) the bot says so once in the group, then stays quiet there
 * until the limit lifts.
 */
import pino, { type Logger } from 'pino';
import { types, type Message, type Room, type Wechaty, type WechatyPlugin } from 'wechaty';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { createKeyedQueue, createLimitNotices, failureAnswer, idempotencyKey, isOtherPluginCommand, uploadMessagePhoto } from './appeal-support';
import { botMention, guardHandler, isActionable, stripLeadingMentions } from './support';

export interface AppealIntakeMessages {
  received: (number: string, isPublic: boolean) => string;
  usage: string;
  roomNotBound: string;
  photoAdded: (number: string) => string;
  unavailable: string;
}

export interface AppealIntakeConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  /** Words after `#` / `＃` that start an appeal. Default `['报事', '诉求']`. */
  keywords?: string[];
  /** A message that @mentions the bot is an appeal too. Default true. */
  onMention?: boolean;
  /** How long after a member's appeal their photos in the same group join it. Default 5 min. */
  photoWindowMs?: number;
  /** Clock for the photo window and the quiet time after a limit (tests). */
  now?: () => number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<AppealIntakeMessages>;
}

export const DEFAULT_APPEAL_INTAKE_MESSAGES: AppealIntakeMessages = {
  received: (number, isPublic) =>
    `已收到您的诉求，编号 ${number}，可发送「查询 ${number}」查看进度。${isPublic ? '已按您的要求公开。' : '仅工作人员可见。'}`,
  usage: '请在关键词后写明诉求内容，例如：#报事 小区东门路灯不亮\n诉求默认仅工作人员可见；愿意公开展示的，请在内容前加「公开」，例如：#报事 公开 小区东门路灯不亮',
  roomNotBound: '本群尚未绑定社区，暂不能受理诉求。请社区工作人员在工作台获取绑定码后，在群里发送：绑定 绑定码',
  photoAdded: (number) => `已补充图片到 ${number}`,
  unavailable: UNAVAILABLE_MESSAGE,
};

const KEYWORD = /^[\p{L}\p{N}]{1,8}$/u;

function compileKeywords(keywords: string[]): RegExp {
  if (keywords.length === 0) throw new Error('AppealIntake: keywords must not be empty');
  for (const k of keywords) {
    if (!KEYWORD.test(k)) throw new Error(`AppealIntake: keyword must be 1-8 letters or digits, got ${JSON.stringify(k)}`);
  }
  // `#报事 路灯坏了`, `＃诉求：…`, `#报事路灯坏了`; the rest of the message (lines too) is the appeal.
  return new RegExp(`^[#＃]\\s*(?:${keywords.join('|')})(?:[\\s:：,，]+|$)?([\\s\\S]*)$`, 'u');
}

/** `公开` before the text: the member asks for the appeal to be public. */
const PUBLISH = /^公开(?:[\s:：,，]+|$)/u;

export function splitPublish(text: string): { text: string; isPublic: boolean } {
  const m = PUBLISH.exec(text);
  return m ? { text: text.slice(m[0].length).trim(), isPublic: true } : { text, isPublic: false };
}

interface RecentAppeal {
  at: number;
  number: string;
}

export function AppealIntake(config: AppealIntakeConfig): WechatyPlugin {
  if (!config?.client) throw new Error('AppealIntake: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'appeal-intake' });
  const messages: AppealIntakeMessages = { ...DEFAULT_APPEAL_INTAKE_MESSAGES, ...config.messages };
  const keyword = compileKeywords(config.keywords ?? ['报事', '诉求']);
  const onMention = config.onMention ?? true;
  const photoWindowMs = config.photoWindowMs ?? 5 * 60_000;
  if (!(photoWindowMs >= 0)) throw new Error('AppealIntake: photoWindowMs must be >= 0');
  const graceMs = config.staleGraceMs ?? 1000;
  const now = config.now ?? Date.now;
  const client = config.client;
  const say = config.say ?? directSay;

  return function AppealIntakePlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    /** Per `room\ncontact`: the member's latest appeal, while its photo window is open. */
    const recent = new Map<string, RecentAppeal>();
    // A member's messages are handled in order, so a photo sent right after `#报事` waits for
    // the appeal it joins instead of racing its filing.
    const queue = createKeyedQueue();
    const limitNotices = createLimitNotices(now);

    const forget = () => {
      const cutoff = now() - photoWindowMs;
      for (const [key, entry] of recent) if (entry.at < cutoff) recent.delete(key);
    };

    /** The appeal text of the message, '' when it asks for one without content, undefined when it is no appeal. */
    async function appealText(msg: Message): Promise<string | undefined> {
      const raw = msg.text();
      const match = keyword.exec(stripLeadingMentions(raw));
      if (match) return match[1]!.trim();
      if (!onMention) return undefined;
      const { mentioned, text } = await botMention(bot, msg);
      if (!mentioned) return undefined;
      return isOtherPluginCommand(text) ? undefined : text;
    }

    async function onText(msg: Message, room: Room): Promise<void> {
      const said = await appealText(msg);
      if (said === undefined) return;
      const { text, isPublic } = splitPublish(said);
      const talker = msg.talker();
      if (!text) {
        await say(room, messages.usage, talker);
        return;
      }
      let answer: string;
      try {
        const receipt = await client.createAppeal({
          idempotencyKey: idempotencyKey('msg', msg.id),
          channel: 'group_chat',
          roomId: room.id,
          contact: { id: talker.id, name: talker.name() || talker.id },
          text,
          ...(isPublic ? { isPublic } : {}),
        });
        forget();
        recent.set(`${room.id}\n${talker.id}`, { at: now(), number: receipt.number });
        logger.info({ roomId: room.id, by: maskContactId(talker.id), number: receipt.number, isPublic: receipt.isPublic }, 'appeal filed from a group');
        answer = messages.received(receipt.number, receipt.isPublic);
      } catch (err) {
        if (!limitNotices.shouldSay(room.id, err)) {
          logger.debug({ roomId: room.id, by: maskContactId(talker.id) }, 'filing limited: already said in this group');
          return;
        }
        answer = failureAnswer(bot, logger, 'appeal-intake', err, { unavailable: messages.unavailable, byStatus: { 404: messages.roomNotBound } });
      }
      await say(room, answer, talker);
    }

    async function onPhoto(msg: Message, room: Room): Promise<void> {
      const talker = msg.talker();
      forget();
      const entry = recent.get(`${room.id}\n${talker.id}`);
      // Photos from anyone else, or later, are not the bot's business: not even downloaded.
      if (!entry) {
        logger.debug({ roomId: room.id, by: maskContactId(talker.id) }, 'photo without a recent appeal of its sender: ignored');
        return;
      }
      let answer: string;
      try {
        const photo = await uploadMessagePhoto(client, msg);
        const updated = await client.attachPhotos({ roomId: room.id, contactId: talker.id, photoIds: [photo.id] });
        logger.info({ roomId: room.id, by: maskContactId(talker.id), number: updated.number }, 'photo added to an appeal');
        answer = messages.photoAdded(updated.number || entry.number);
      } catch (err) {
        answer = failureAnswer(bot, logger, 'appeal-intake', err, { unavailable: messages.unavailable });
      }
      await say(room, answer, talker);
    }

    async function onMessage(msg: Message): Promise<void> {
      const room = msg.room();
      if (!room) return;
      if (!isActionable(msg, since(), graceMs)) return;
      const type = msg.type();
      if (type === types.Message.Text) await queue(`${room.id}\n${msg.talker().id}`, () => onText(msg, room));
      else if (type === types.Message.Image) await queue(`${room.id}\n${msg.talker().id}`, () => onPhoto(msg, room));
    }

    const listener = guardHandler(bot, logger, 'appeal-intake', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

/**
 * Keyword answers from the services directory (DESIGN "The bot in group chats"): in a bound group
 * or a private chat, a question that names an entry's keyword and asks for a phone number, hours or
 * a place (`停水了找谁？`, `社保中心几点上班`), or a message that starts with `查电话` / `办事`, gets
 * up to two matching entries with their phone, hours and address.
 *
 * The directory comes from the server (`GET /bot/services`, the list the 服务 tab shows) and is kept
 * for `ttlMs`; a failed refresh keeps the list the bot already has. The bound rooms are kept the same
 * way. `#报事` and @bot messages in groups belong to appeal intake, `查询` / `绑定` to their plugins,
 * except an @bot `查电话` / `办事` command (`isServiceCommand`), which intake leaves to this plugin.
 */
import pino, { type Logger } from 'pino';
import { types, type Message, type Wechaty, type WechatyPlugin } from 'wechaty';
import type { ServiceDirectoryEntry } from '../runtime/api-types';
import { directSay, type Say } from '../runtime/say';
import { UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { isOtherPluginCommand, isServiceCommand } from './appeal-support';
import { botMention, guardHandler, isActionable, stripLeadingMentions } from './support';

/** What an answer needs of an entry. */
export type ServiceAnswerEntry = Pick<ServiceDirectoryEntry, 'name' | 'phone' | 'hours' | 'address' | 'keywords'>;

export interface ServiceAnswerMessages {
  /** The answer: the entries found (one or two). */
  answer: (entries: ServiceAnswerEntry[]) => string;
  /** `查电话` alone. */
  usage: string;
  /** `查电话 <words>` that match nothing. */
  notFound: (query: string) => string;
  unavailable: string;
}

export interface ServiceAnswersConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  /** How long the directory and the bound rooms are used before they are fetched again. Default 5 min. */
  ttlMs?: number;
  /** After a failed fetch, wait this long before trying again (the old list is used meanwhile). Default 30 s. */
  retryMs?: number;
  /** Entries in one answer. Default 2. */
  maxEntries?: number;
  /** Answer in bound group chats. Default true. */
  inRooms?: boolean;
  /** Answer in private chats. Default true. */
  inPrivate?: boolean;
  /** Clock for the cache (tests). */
  now?: () => number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<ServiceAnswerMessages>;
}

function entryLines(e: ServiceAnswerEntry): string {
  return [`【${e.name}】`, `电话：${e.phone}`, e.hours && `时间：${e.hours}`, e.address && `地址：${e.address}`].filter(Boolean).join('\n');
}

export const DEFAULT_SERVICE_ANSWER_MESSAGES: ServiceAnswerMessages = {
  answer: (entries) => `${entries.map(entryLines).join('\n\n')}\n更多电话见小程序「县融」服务页`,
  usage: '请发送：查电话 关键词，例如：查电话 停水',
  notFound: (query) => `没有找到与「${query}」有关的服务电话，可在小程序「县融」服务页查看全部`,
  unavailable: UNAVAILABLE_MESSAGE,
};

/** Words that make a message a question about whom to call, when, or where. */
const QUESTION = /电话|几点|时间|上班|地址|在哪|怎么办|找谁|？|\?/;
/** `查电话 停水`, `办事：社保`; the rest is what to look for. */
const COMMAND = /^(?:查电话|办事)(?:[\s:：,，]*)([\s\S]*)$/;
/**
 * Never answered here: appeal intake's trigger (`#报事`, `＃诉求` ...), and chatter that starts with
 * the binding plugin's words (`绑定手机号怎么弄？` is about WeChat, not an office, and that plugin
 * leaves it alone without asking the server; so does this one).
 */
const NOT_OURS = /^(?:[#＃]|绑定|解绑)/;

export type ServiceQuestion = { kind: 'question'; text: string } | { kind: 'command'; query: string };

/**
 * What kind of message this is, before the directory is needed: a `查电话`/`办事` command, a
 * question (it may still name no keyword), or nothing to answer. Mentions at the start are ignored.
 */
export function classifyServiceQuestion(rawText: string): ServiceQuestion | undefined {
  const text = stripLeadingMentions(rawText);
  if (!text || NOT_OURS.test(text) || (isOtherPluginCommand(text) && !isServiceCommand(text))) return undefined;
  const command = COMMAND.exec(text);
  if (command) return { kind: 'command', query: command[1]!.trim() };
  return QUESTION.test(text) ? { kind: 'question', text } : undefined;
}

/**
 * The entries a text is about, best first, at most `max`: each entry scores the total length of
 * its keywords (and, for a command, its name) found in the text, so `燃气费` beats `燃气`; ties keep
 * the directory's order. Pure: the plugin and the tests call the same function.
 */
export function matchServiceEntries<E extends ServiceAnswerEntry>(question: ServiceQuestion, entries: readonly E[], max = 2): E[] {
  const text = (question.kind === 'command' ? question.query : question.text).toLowerCase();
  if (!text) return [];
  const scored: Array<{ entry: E; score: number; index: number }> = [];
  entries.forEach((entry, index) => {
    let score = 0;
    for (const k of entry.keywords) if (k && text.includes(k.toLowerCase())) score += k.length;
    // A command may name the office itself (`查电话 县医院`) or part of its name (`查电话 医院`).
    if (question.kind === 'command') {
      const name = entry.name.toLowerCase();
      if (text.includes(name)) score += name.length;
      else if (name.includes(text)) score += text.length;
    }
    if (score > 0) scored.push({ entry, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, Math.max(0, max)).map((s) => s.entry);
}

/**
 * A value fetched from the server and used for `ttlMs`; concurrent callers share one fetch, and a
 * failed fetch keeps the previous value (or undefined if there never was one) and is retried after
 * `retryMs`, not on every message.
 */
export function createRefreshingValue<T>(options: { load: () => Promise<T>; ttlMs: number; retryMs: number; now: () => number; onError?: (err: unknown) => void }) {
  let value: T | undefined;
  let nextFetchAt = 0;
  let loading: Promise<T | undefined> | undefined;
  return {
    get(): Promise<T | undefined> {
      if (options.now() < nextFetchAt) return Promise.resolve(value);
      loading ??= options
        .load()
        .then(
          (fresh) => {
            value = fresh;
            nextFetchAt = options.now() + options.ttlMs;
            return fresh;
          },
          (err: unknown) => {
            nextFetchAt = options.now() + options.retryMs;
            options.onError?.(err);
            return value;
          },
        )
        .finally(() => {
          loading = undefined;
        });
      return loading;
    },
  };
}

export function ServiceAnswers(config: ServiceAnswersConfig): WechatyPlugin {
  if (!config?.client) throw new Error('ServiceAnswers: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'service-answers' });
  const messages: ServiceAnswerMessages = { ...DEFAULT_SERVICE_ANSWER_MESSAGES, ...config.messages };
  const graceMs = config.staleGraceMs ?? 1000;
  const ttlMs = config.ttlMs ?? 5 * 60_000;
  const retryMs = config.retryMs ?? 30_000;
  const maxEntries = config.maxEntries ?? 2;
  const inRooms = config.inRooms ?? true;
  const inPrivate = config.inPrivate ?? true;
  const now = config.now ?? Date.now;
  const client = config.client;
  const say = config.say ?? directSay;

  return function ServiceAnswersPlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    const directory = createRefreshingValue({
      load: async () => (await client.listServices()).items,
      ttlMs,
      retryMs,
      now,
      onError: (err) => logger.warn({ err }, 'services directory fetch failed; keeping the list the bot has'),
    });
    const boundRooms = createRefreshingValue({
      load: async () => new Set((await client.listRooms()).items.map((r) => r.roomId)),
      ttlMs,
      retryMs,
      now,
      onError: (err) => logger.warn({ err }, 'bound rooms fetch failed; keeping the list the bot has'),
    });

    /**
     * @bot in a group is appeal intake's (DESIGN: `#报事 …` or @bot files an appeal) unless what is
     * left without the mentions is a `查电话` / `办事` command, which intake does not file: then that
     * text, else undefined. Not mentioned: the text as it is.
     */
    async function ownText(msg: Message): Promise<string | undefined> {
      const { mentioned, text } = await botMention(bot, msg);
      if (!mentioned) return msg.text();
      return isServiceCommand(text) ? text : undefined;
    }

    /** A failed lookup answers: the bot had better answer twice than not at all. */
    async function isGridWorker(contactId: string): Promise<boolean> {
      try {
        return (await client.contactInfo(contactId)).gridWorker;
      } catch (err) {
        logger.debug({ err }, 'contact lookup failed; answering');
        return false;
      }
    }

    async function onMessage(msg: Message): Promise<void> {
      if (msg.type() !== types.Message.Text) return;
      if (!isActionable(msg, since(), graceMs)) return;
      if (!classifyServiceQuestion(msg.text())) return;
      const room = msg.room();
      if (room ? !inRooms : !inPrivate) return;
      const text = room ? await ownText(msg) : msg.text();
      if (text === undefined) return;
      const question = classifyServiceQuestion(text);
      if (!question) return;
      if (room && !(await boundRooms.get())?.has(room.id)) return;

      const talker = msg.talker();
      const list = question.kind === 'command' && !question.query ? [] : await directory.get();
      const found = list ? matchServiceEntries(question, list, maxEntries) : [];
      // A question that names no keyword is ordinary chat: no answer, and no lookup.
      if (question.kind === 'question' && found.length === 0) return;
      // A bound grid worker's private chat is their forwarding desk: what they send is a draft there,
      // except the commands forwarding leaves alone (isOtherPluginCommand).
      if (!room && !isServiceCommand(text) && (await isGridWorker(talker.id))) return;

      const reply = (text: string) => (room ? say(room, text, talker) : say(talker, text));
      if (found.length > 0) {
        logger.debug({ roomId: room?.id, entries: found.map((e) => e.name) }, 'services answer');
        await reply(messages.answer(found));
      } else if (question.kind === 'command') {
        // Never fetched means the server has been down since the bot started.
        await reply(!question.query ? messages.usage : list ? messages.notFound(question.query) : messages.unavailable);
      }
    }

    const listener = guardHandler(bot, logger, 'service-answers', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

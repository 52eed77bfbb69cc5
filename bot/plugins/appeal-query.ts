/**
 * `查询 <编号>` in a group or a private chat (DESIGN "The bot in group chats"): the appeal's state
 * and its last step, e.g. `编号 DX-20261126-0042：已答复（最近：答复 11月26日 14:05）`. The server
 * answers without personal data, and only about appeals of the asking group's community or the
 * asker's own; anything else reads as not found. Queries are limited per contact and per group
 * (429): the bot says the limit once in that chat, then stays quiet there until it lifts.
 */
import pino, { type Logger } from 'pino';
import { types, type Message, type Wechaty, type WechatyPlugin } from 'wechaty';
import type { AppealStatus } from '../runtime/api-types';
import { directSay, type Say } from '../runtime/say';
import { UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { chinaShortTime } from '../../common/china-time';
import { createLimitNotices, failureAnswer } from './appeal-support';
import { asciiDigits, guardHandler, isActionable, stripLeadingMentions } from './support';

export interface AppealQueryMessages {
  usage: string;
  status: (s: AppealStatus) => string;
  notFound: (number: string) => string;
  unavailable: string;
}

export interface AppealQueryConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  keyword?: string;
  /** Answer in group chats. Default true. */
  inRooms?: boolean;
  /** Answer in private chats. Default true. */
  inPrivate?: boolean;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  /** Clock for the quiet time after a limit (tests). */
  now?: () => number;
  messages?: Partial<AppealQueryMessages>;
}

export const DEFAULT_APPEAL_QUERY_MESSAGES: AppealQueryMessages = {
  usage: '请发送：查询 编号，例如：查询 DX-20261126-0042',
  status: (s) => `编号 ${s.number}：${s.stateLabel}（最近：${s.lastStep.label} ${chinaShortTime(Date.parse(s.lastStep.at))}）`,
  notFound: (number) => `未找到编号 ${number}，请核对后再试`,
  unavailable: UNAVAILABLE_MESSAGE,
};

const KEYWORD = /^[\p{L}\p{N}]{1,8}$/u;
/** Dashes people type between the parts of a number (full-width, en/em dash, hyphen). */
const DASHES = /[－—–‐‑]/g;

type Command = { kind: 'query'; number: string } | { kind: 'usage' };

function compileMatcher(keyword: string) {
  if (!KEYWORD.test(keyword)) throw new Error(`AppealQuery: keyword must be 1-8 letters or digits, got ${JSON.stringify(keyword)}`);
  const only = new RegExp(`^${keyword}$`);
  // `查询 DX-20261126-0042`, `查询：dx-20261126-0042`, `查询DX-…`; digits may be full-width.
  const withNumber = new RegExp(`^${keyword}[\\s:：]*([A-Za-z]{1,8}-\\d{8}-\\d{4,6})$`);
  // `查询 abc` (a separated token that is no number) gets the usage; `查询燃气费怎么交` is chatter.
  const withToken = new RegExp(`^${keyword}[\\s:：]+\\S+$`);
  return (rawText: string): Command | undefined => {
    const text = asciiDigits(stripLeadingMentions(rawText)).replace(DASHES, '-');
    if (only.test(text)) return { kind: 'usage' };
    const found = withNumber.exec(text);
    if (found) return { kind: 'query', number: found[1]!.toUpperCase() };
    if (withToken.test(text)) return { kind: 'usage' };
    return undefined;
  };
}

export function AppealQuery(config: AppealQueryConfig): WechatyPlugin {
  if (!config?.client) throw new Error('AppealQuery: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'appeal-query' });
  const messages: AppealQueryMessages = { ...DEFAULT_APPEAL_QUERY_MESSAGES, ...config.messages };
  const parse = compileMatcher(config.keyword ?? '查询');
  const inRooms = config.inRooms ?? true;
  const inPrivate = config.inPrivate ?? true;
  const graceMs = config.staleGraceMs ?? 1000;
  const client = config.client;
  const say = config.say ?? directSay;

  return function AppealQueryPlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    const limitNotices = createLimitNotices(config.now);

    async function onMessage(msg: Message): Promise<void> {
      if (msg.type() !== types.Message.Text) return;
      if (!isActionable(msg, since(), graceMs)) return;
      const command = parse(msg.text());
      if (!command) return;
      const room = msg.room();
      if (room ? !inRooms : !inPrivate) return;
      const talker = msg.talker();
      // In a group the answer @mentions the asker, so it is clear whose question it answers.
      const reply = (text: string) => (room ? say(room, text, talker) : say(talker, text));

      if (command.kind === 'usage') {
        await reply(messages.usage);
        return;
      }
      let answer: string;
      try {
        answer = messages.status(await client.appealByNumber(command.number, room ? { contactId: talker.id, roomId: room.id } : { contactId: talker.id }));
      } catch (err) {
        if (!limitNotices.shouldSay(room?.id ?? talker.id, err)) return;
        answer = failureAnswer(bot, logger, 'appeal-query', err, { unavailable: messages.unavailable, byStatus: { 404: messages.notFound(command.number) } });
      }
      await reply(answer);
    }

    const listener = guardHandler(bot, logger, 'appeal-query', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

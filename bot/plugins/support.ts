/**
 * Small pieces every plugin uses: the freshness/self filter, mention stripping and the rule
 * that a handler's error goes to the bot's error channel instead of into the puppet.
 */
import type { Logger } from 'pino';
import type { Message, Wechaty } from 'wechaty';

/** Leading `@name ` mentions (WeChat separates them with U+2005 or a space). */
const LEADING_MENTIONS = /^(?:@[^\s\u2005]+[\s\u2005]+)+/;

export function stripLeadingMentions(text: string): string {
  return text.trim().replace(LEADING_MENTIONS, '').trim();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a message @mentions the bot (in its mention list, or `@<bot name>` typed, for puppets that
 * give no mention list and the simulator's text), and its text without the bot's and leading mentions.
 * Appeal intake and service answers decide on the same text, so one message gets one answer.
 */
export async function botMention(bot: Wechaty, msg: Message): Promise<{ mentioned: boolean; text: string }> {
  const raw = msg.text();
  const name = bot.isLoggedIn ? bot.currentUser.name() : '';
  const typed = name ? `@${escapeRegExp(name)}(?:[\\s\\u2005]+|$)` : undefined;
  const mentioned = (await msg.mentionSelf()) || (typed ? new RegExp(typed, 'u').test(raw) : false);
  return { mentioned, text: stripLeadingMentions(typed ? raw.replace(new RegExp(typed, 'gu'), ' ') : raw) };
}

/** Full-width digits (０-９) as typed by some Chinese input methods, turned into ASCII. */
export function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/**
 * True when a plugin should act on the message: not sent by the bot itself and not older than
 * `since` (backlog replayed after a restart). `graceMs` allows puppets whose timestamps are
 * whole seconds.
 */
export function isActionable(msg: Message, since: number | undefined, graceMs: number): boolean {
  if (msg.self()) return false;
  if (since === undefined) return true;
  return msg.date().getTime() >= since - graceMs;
}

/** Route an error to the bot's 'error' event (createBot logs it); never throw into the puppet. */
export function reportError(bot: Wechaty, logger: Logger, err: unknown, context: Record<string, unknown>): void {
  logger.debug({ err, ...context }, 'plugin handler failed');
  try {
    // Without an 'error' listener, EventEmitter throws the error back: then log it here.
    bot.emitError(err);
    return;
  } catch {
    // fall through to the logger
  }
  logger.error({ err, ...context }, 'plugin handler failed');
}

/** Wrap an async message handler so a rejection is reported, not left unhandled. */
export function guardHandler(
  bot: Wechaty,
  logger: Logger,
  plugin: string,
  handler: (msg: Message) => Promise<void>,
): (msg: Message) => void {
  return (msg: Message) => {
    handler(msg).catch((err: unknown) => reportError(bot, logger, err, { plugin, messageId: msg.id }));
  };
}

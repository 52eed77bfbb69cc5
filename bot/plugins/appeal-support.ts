/**
 * Pieces the appeal plugins (intake, forwarding, query) share: which texts belong to another
 * plugin, the idempotency key of a message, a photo message's upload and the Chinese answer for a
 * failed server call.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Message, Wechaty } from 'wechaty';
import type { PhotoUpload } from '../runtime/api-types';
import { ServerError, type ServerClient } from '../runtime/server-client';
import { asciiDigits, reportError } from './support';

/**
 * `绑定 …`, `解绑` (room-binding), `查询 …` (appeal-query), `查电话 …` / `办事 …` (service-answers)
 * `#爆料 …` (tip-intake) and `投票 …` (consultation-votes) are commands, never appeal text:
 * an `@bot 绑定 12345678` must not also file an appeal, nor a grid worker's `查询 …` join a draft.
 * Chatter that merely starts with the word (`绑定手机号怎么弄`) is not a command.
 */
const OTHER_COMMAND = /^(?:(?:绑定|解绑)(?:[\s:：]*[0-9][0-9\s]*|[\s:：]+\S+)?|查询(?:[\s:：]+\S+|[\s:：]*[A-Za-z]{1,8}[-－—–‐‑]\S+)?)$/;

/**
 * `查电话 …` / `办事 …` (service-answers): a lookup in the services directory, so `@bot 查电话 供水` is
 * answered from the directory, not filed. Only the command form: a short query without sentence
 * punctuation (`办事` needs a separator), so a complaint that starts with the word (`办事效率太低，…`)
 * is still an appeal.
 */
const SERVICE_COMMAND = /^(?:查电话[\s:：,，]*|办事(?:[\s:：,，]+|$))[^，。！？!?,.;；\n]{0,20}$/;

export function isServiceCommand(text: string): boolean {
  return SERVICE_COMMAND.test(text.trim());
}

/** `#爆料 …` (tip-intake): a tip for the newsroom, never an appeal or a grid worker's draft, even after an @bot. */
const TIP_COMMAND = /^[#＃]\s*爆料/u;

/**
 * `投票 2`, `投票 #12 1 3`, `投票 第12号：2` (consultation-votes): a vote, never appeal text nor a grid
 * worker's draft. Only the command form (`投票` then digits, `#`/`＃` or `第`, or nothing): chatter that
 * starts with the word (`投票结果什么时候出来`) is not a command.
 */
export const VOTE_COMMAND = /^投票(?:[\s:：]*[#＃第0-9]|\s*$)/u;

export function isOtherPluginCommand(text: string): boolean {
  const trimmed = text.trim();
  return OTHER_COMMAND.test(asciiDigits(trimmed)) || isServiceCommand(text) || TIP_COMMAND.test(trimmed) || VOTE_COMMAND.test(asciiDigits(trimmed));
}

const KEY_SAFE = /^[A-Za-z0-9_:.-]{8,80}$/;

/**
 * The server's idempotency key is 8-80 characters of `[A-Za-z0-9_:.-]`: puppet message and contact
 * ids usually fit as they are (`msg:<id>`); one that does not is replaced by its hash, which is
 * just as stable across retries.
 */
export function idempotencyKey(prefix: string, ...parts: string[]): string {
  const plain = [prefix, ...parts].join(':');
  if (KEY_SAFE.test(plain)) return plain;
  return `${prefix}:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}

const MEDIA_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp' };

/** Downloads an Image message from the puppet and stores it on the server (type checked there). */
export async function uploadMessagePhoto(client: ServerClient, msg: Message): Promise<PhotoUpload> {
  const fileBox = await msg.toFileBox();
  const bytes = await fileBox.toBuffer();
  const extension = /\.[A-Za-z0-9]+$/.exec(fileBox.name)?.[0]?.toLowerCase() ?? '';
  const mediaType = fileBox.mediaType && fileBox.mediaType !== 'application/octet-stream' ? fileBox.mediaType : (MEDIA_TYPES[extension] ?? 'application/octet-stream');
  return client.uploadPhoto({ bytes, filename: fileBox.name || 'photo.jpg', mediaType });
}

export interface FailureAnswers {
  unavailable: string;
  /** By HTTP status: e.g. 404 → 本群尚未绑定社区. The server's own message otherwise. */
  byStatus?: Partial<Record<number, string>>;
}

/**
 * What to tell the member when a server call failed: refusals they can act on carry the server's
 * Chinese message (or one of `byStatus`); a server that is away, a bad bot token or a bug is
 * "try later", logged for the operator.
 */
export function failureAnswer(bot: Wechaty, logger: Logger, plugin: string, err: unknown, answers: FailureAnswers): string {
  if (err instanceof ServerError) {
    const fixed = answers.byStatus?.[err.status];
    if (fixed !== undefined) return fixed;
    if (err.status === 401) {
      logger.error({ err }, 'server refused the bot token (check BOT_TOKEN)');
      return answers.unavailable;
    }
    if (err.unavailable || err.code === 'BAD_RESPONSE') {
      logger.warn({ err }, 'server unavailable');
      return answers.unavailable;
    }
    return err.message;
  }
  reportError(bot, logger, err, { plugin });
  return answers.unavailable;
}

/** Runs tasks one after another per key (a member's photos after their appeal, a worker's draft). */
export function createKeyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function enqueue<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    // Forget the key once its queue is empty, so idle members cost no memory.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/**
 * The bot says a server limit (429) once per chat, then stays quiet there until it lifts: a member
 * looping `#报事` or `查询` past the limit must not make the bot loop its refusal into the group.
 * Kept per chat (a group, or a private chat by contact id), in memory: a restart may say it once more.
 */
export function createLimitNotices(now: () => number = Date.now) {
  const quietUntil = new Map<string, number>();
  return {
    /**
     * For a refusal `err`: true when `chatId` should hear it (not rate limited, or the first time),
     * false while the chat has been told and the limit has not lifted.
     */
    shouldSay(chatId: string, err: unknown): boolean {
      if (!(err instanceof ServerError) || !err.rateLimited) return true;
      const t = now();
      for (const [id, until] of quietUntil) if (until <= t) quietUntil.delete(id);
      if (quietUntil.has(chatId)) return false;
      // Without a Retry-After, a minute.
      quietUntil.set(chatId, t + (err.retryAfterSeconds ?? 60) * 1000);
      return true;
    },
  };
}

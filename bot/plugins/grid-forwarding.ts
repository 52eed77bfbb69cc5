/**
 * Grid workers' forwarding in private chat (DESIGN "The bot in group chats"): a grid worker whose
 * WeChat is bound forwards a resident's messages, chat records, links or photos to the bot; each
 * joins a draft the bot shows back; `确认` files it on the resident's behalf (channel grid_worker),
 * `取消` drops it. Anyone else's private messages are left to the other plugins. Forwarded
 * appeals are private (staff only) unless the worker confirms with `确认公开` because the resident
 * asked for publication. Over the server's filing limits the worker is told once, then not again
 * until the limit lifts.
 *
 * Drafts live in this process's memory only and are dropped after `idleMs` without a message:
 * a draft is a few minutes of a worker's typing, not a record (the bot archives no chats). A bot
 * restart loses open drafts; the worker forwards again.
 */
import pino, { type Logger } from 'pino';
import { types, type Contact, type Message, type Wechaty, type WechatyPlugin } from 'wechaty';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { ServerError, UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { createKeyedQueue, createLimitNotices, failureAnswer, idempotencyKey, isOtherPluginCommand, uploadMessagePhoto } from './appeal-support';
import { guardHandler, isActionable } from './support';

export interface GridForwardingMessages {
  draft: (preview: string, photoCount: number) => string;
  submitted: (number: string, isPublic: boolean) => string;
  cancelled: string;
  nothingToConfirm: string;
  nothingToCancel: string;
  /** `确认` on a draft of photos only: the server needs a description. */
  needText: string;
  tooManyPhotos: (max: number) => string;
  tooLong: (max: number) => string;
  /** A forwarded chat record whose content the puppet did not give. */
  emptyRecord: string;
  unavailable: string;
}

export interface GridForwardingConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  confirmKeyword?: string;
  cancelKeyword?: string;
  /** A draft without a new message for this long is dropped. Default 30 min. */
  idleMs?: number;
  /** The server's limits on an appeal: text length and photos. Defaults 2000 and 9. */
  maxTextLength?: number;
  maxPhotos?: number;
  /** Characters of the draft shown back. Default 100. */
  previewLength?: number;
  /** Clock for the idle timeout and the quiet time after a limit (tests). */
  now?: () => number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<GridForwardingMessages>;
}

export const DEFAULT_GRID_FORWARDING_MESSAGES: GridForwardingMessages = {
  draft: (preview, photoCount) => `草稿：${preview || '（暂无文字）'}（${photoCount} 张图片）回复「确认」提交（仅工作人员可见；居民要求公开的回复「确认公开」），「取消」放弃`,
  submitted: (number, isPublic) => `已代为提交诉求，编号 ${number}，可发送「查询 ${number}」查看进度。${isPublic ? '已按居民要求公开。' : '仅工作人员可见。'}`,
  cancelled: '已放弃草稿',
  nothingToConfirm: '当前没有草稿。请先转发居民的消息、聊天记录或图片，再回复「确认」提交',
  nothingToCancel: '当前没有草稿',
  needText: '草稿还没有文字说明，请补充一句问题描述后再回复「确认」',
  tooManyPhotos: (max) => `每条诉求最多 ${max} 张图片，这张未加入草稿`,
  tooLong: (max) => `草稿文字最多 ${max} 字，这条未加入草稿。可回复「确认」先提交已有内容`,
  emptyRecord: '未能读取这条聊天记录的内容，请把要反映的内容直接发给我',
  unavailable: UNAVAILABLE_MESSAGE,
};

const KEYWORD = /^[\p{L}\p{N}]{1,8}$/u;
const TRAILING_PUNCTUATION = /[\s。．.!！~～]+$/u;

/** The forwarded kinds that join a draft. */
const DRAFT_TYPES = new Set([types.Message.Text, types.Message.ChatHistory, types.Message.Url, types.Message.Image]);

interface Draft {
  /** The id of the draft's first message: the idempotency key, so a retried 确认 files once. */
  firstMessageId: string;
  texts: string[];
  photoIds: string[];
  touchedAt: number;
}

export function GridForwarding(config: GridForwardingConfig): WechatyPlugin {
  if (!config?.client) throw new Error('GridForwarding: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'grid-forwarding' });
  const messages: GridForwardingMessages = { ...DEFAULT_GRID_FORWARDING_MESSAGES, ...config.messages };
  const confirmKeyword = config.confirmKeyword ?? '确认';
  const cancelKeyword = config.cancelKeyword ?? '取消';
  for (const k of [confirmKeyword, cancelKeyword]) {
    if (!KEYWORD.test(k)) throw new Error(`GridForwarding: keyword must be 1-8 letters or digits, got ${JSON.stringify(k)}`);
  }
  if (confirmKeyword === cancelKeyword) throw new Error('GridForwarding: confirmKeyword and cancelKeyword must differ');
  const idleMs = config.idleMs ?? 30 * 60_000;
  const maxTextLength = config.maxTextLength ?? 2000;
  const maxPhotos = config.maxPhotos ?? 9;
  const previewLength = config.previewLength ?? 100;
  const graceMs = config.staleGraceMs ?? 1000;
  const now = config.now ?? Date.now;
  const client = config.client;
  const say = config.say ?? directSay;

  const preview = (text: string) => (text.length > previewLength ? `${text.slice(0, previewLength)}…` : text);

  return function GridForwardingPlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    const drafts = new Map<string, Draft>();
    // One worker's forwards are handled in the order they arrived, so the draft keeps that order.
    const queue = createKeyedQueue();
    const limitNotices = createLimitNotices(now);

    const dropIdle = () => {
      const cutoff = now() - idleMs;
      for (const [contactId, draft] of drafts) if (draft.touchedAt < cutoff) drafts.delete(contactId);
    };

    /** Whether the talker is a bound grid worker; undefined when that is unknown and they were told why. */
    async function isGridWorker(talker: Contact): Promise<boolean | undefined> {
      try {
        return (await client.contactInfo(talker.id)).gridWorker;
      } catch (err) {
        if (err instanceof ServerError && err.status !== 0 && err.status < 500 && err.status !== 401) {
          logger.warn({ err, contactId: maskContactId(talker.id) }, 'contact lookup refused');
          return false;
        }
        // Nobody can tell a grid worker from anyone else while the server is away: say so to all.
        await say(talker, failureAnswer(bot, logger, 'grid-forwarding', err, { unavailable: messages.unavailable }));
        return undefined;
      }
    }

    /** The text a forwarded message adds to the draft ('' when it has none). */
    async function contentText(msg: Message): Promise<string> {
      switch (msg.type()) {
        case types.Message.Url: {
          const link = await msg.toUrlLink();
          return [link.title(), link.description(), link.url()].filter(Boolean).join(' ');
        }
        default:
          // Text as typed; a chat record: whatever text the puppet gives (Wechaty has no parser).
          return msg.text().trim();
      }
    }

    /** The answer to 确认, or undefined when the worker was already told about the limit. */
    async function submit(talker: Contact, draft: Draft, isPublic: boolean): Promise<string | undefined> {
      const text = draft.texts.join('\n').trim();
      if (text.length < 2) return messages.needText;
      try {
        const receipt = await client.createAppeal({
          idempotencyKey: idempotencyKey('fwd', talker.id, draft.firstMessageId),
          channel: 'grid_worker',
          contact: { id: talker.id, name: talker.name() || talker.id },
          text,
          photoIds: draft.photoIds,
          ...(isPublic ? { isPublic } : {}),
        });
        if (drafts.get(talker.id) === draft) drafts.delete(talker.id);
        logger.info({ by: maskContactId(talker.id), number: receipt.number, photos: draft.photoIds.length }, 'forwarded appeal filed');
        return messages.submitted(receipt.number, receipt.isPublic);
      } catch (err) {
        // The draft stays: a second 确认 sends the same key and files at most once.
        if (!limitNotices.shouldSay(talker.id, err)) return undefined;
        return failureAnswer(bot, logger, 'grid-forwarding', err, { unavailable: messages.unavailable });
      }
    }

    /** Adds the message to the worker's draft; the answer is the draft, or why it was not added. */
    async function addToDraft(msg: Message, talker: Contact): Promise<string> {
      const existing = drafts.get(talker.id);
      const draft: Draft = existing ?? { firstMessageId: msg.id, texts: [], photoIds: [], touchedAt: now() };
      if (msg.type() === types.Message.Image) {
        if (draft.photoIds.length >= maxPhotos) return messages.tooManyPhotos(maxPhotos);
        let photoId: string;
        try {
          photoId = (await uploadMessagePhoto(client, msg)).id;
        } catch (err) {
          return failureAnswer(bot, logger, 'grid-forwarding', err, { unavailable: messages.unavailable });
        }
        if (!draft.photoIds.includes(photoId)) draft.photoIds.push(photoId);
      } else {
        const text = await contentText(msg);
        if (!text) return messages.emptyRecord;
        const length = [...draft.texts, text].join('\n').length;
        if (length > maxTextLength) return messages.tooLong(maxTextLength);
        draft.texts.push(text);
      }
      draft.touchedAt = now();
      drafts.set(talker.id, draft);
      return messages.draft(preview(draft.texts.join(' ')), draft.photoIds.length);
    }

    async function handle(msg: Message): Promise<void> {
      const talker = msg.talker();
      const gridWorker = await isGridWorker(talker);
      if (gridWorker === undefined) return;
      if (!gridWorker) {
        drafts.delete(talker.id);
        logger.debug({ contactId: maskContactId(talker.id) }, 'private message from someone who is not a bound grid worker: ignored');
        return;
      }
      dropIdle();
      // `确认。` / `取消!` as typed on a phone are the commands too, not draft text.
      const text = msg.type() === types.Message.Text ? msg.text().trim().replace(TRAILING_PUNCTUATION, '') : undefined;
      const draft = drafts.get(talker.id);
      let answer: string | undefined;
      const publish = text === `${confirmKeyword}公开` || text === `${confirmKeyword} 公开`;
      if (text === confirmKeyword || publish) answer = draft ? await submit(talker, draft, publish) : messages.nothingToConfirm;
      else if (text === cancelKeyword) {
        answer = draft ? messages.cancelled : messages.nothingToCancel;
        drafts.delete(talker.id);
      } else answer = await addToDraft(msg, talker);
      if (answer !== undefined) await say(talker, answer);
    }

    async function onMessage(msg: Message): Promise<void> {
      if (msg.room()) return;
      if (!DRAFT_TYPES.has(msg.type())) return;
      if (!isActionable(msg, since(), graceMs)) return;
      // 绑定 / 解绑 / 查询 belong to other plugins, even from a grid worker: no lookup, no draft.
      if (msg.type() === types.Message.Text && isOtherPluginCommand(msg.text())) return;
      await queue(msg.talker().id, () => handle(msg));
    }

    const listener = guardHandler(bot, logger, 'grid-forwarding', onMessage);
    bot.on('message', listener);
    return () => {
      bot.off('message', listener);
    };
  };
}

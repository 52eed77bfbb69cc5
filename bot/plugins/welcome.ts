/**
 * Welcome on room join (DESIGN "The bot in group chats"): when members join a group the bot is in,
 * the bot @mentions them with a short guide (how to report an issue, how to follow it, where to
 * read news); when the bot itself is added to a group, it introduces itself to everyone once.
 * Said in every group (a group not yet bound learns the same commands); kept to a few lines.
 * Members who join the same group within `batchMs` get one message together, so a wave of joins
 * (a whole building invited at once) does not become a wave of welcomes.
 */
import pino, { type Logger } from 'pino';
import type { Contact, Room, Wechaty, WechatyPlugin } from 'wechaty';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { reportError } from './support';

export interface WelcomeMessages {
  /** To new members (they are @mentioned before it). */
  members: string;
  /** When the bot itself joins a group. */
  bot: (botName: string) => string;
}

export interface WelcomeConfig {
  logger?: Logger;
  /** Epoch ms; joins older than this (replayed after a restart) are not welcomed. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  /** Joins to one group within this window share one welcome. Default 3000 ms; 0 still batches joins of the same tick. */
  batchMs?: number;
  /** Members @mentioned in one welcome at most (the rest are welcomed without a mention). Default 20. */
  maxMentions?: number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  messages?: Partial<WelcomeMessages>;
}

const GUIDE = [
  '反映问题：发送「#报事 + 描述」，或 @我 说明情况（仅工作人员可见；愿意公开的写「#报事 公开 + 描述」）',
  '查看进度：发送「查询 编号」',
  '新闻爆料：发送「#爆料 + 线索」，可附图片（只有编辑部看得到）',
  '社区议事：看到议事后回复「投票 序号」，截止前可改',
  '办事电话：发送「查电话 关键词」',
  '新闻通知：打开小程序「县融」首页',
].join('\n');

export const DEFAULT_WELCOME_MESSAGES: WelcomeMessages = {
  members: `欢迎加入本群！\n${GUIDE}`,
  bot: (botName) => `大家好，我是${botName || '县融小助手'}。\n${GUIDE}`,
};

interface Pending {
  room: Room;
  members: Map<string, Contact>;
  timer: ReturnType<typeof setTimeout>;
}

export function Welcome(config: WelcomeConfig = {}): WechatyPlugin {
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'welcome' });
  const messages: WelcomeMessages = { ...DEFAULT_WELCOME_MESSAGES, ...config.messages };
  const graceMs = config.staleGraceMs ?? 1000;
  const batchMs = config.batchMs ?? 3000;
  if (!(batchMs >= 0)) throw new Error('Welcome: batchMs must be >= 0');
  const maxMentions = config.maxMentions ?? 20;
  const paced = config.say ?? directSay;

  return function WelcomePlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    const pending = new Map<string, Pending>();

    const say = (what: Promise<unknown>, roomId: string) =>
      what.catch((err: unknown) => reportError(bot, logger, err, { plugin: 'welcome', roomId }));

    function flush(roomId: string): void {
      const batch = pending.get(roomId);
      if (!batch) return;
      pending.delete(roomId);
      const members = [...batch.members.values()];
      logger.info({ roomId, members: members.length }, 'welcoming new members');
      void say(paced(batch.room, messages.members, ...members.slice(0, maxMentions)), roomId);
    }

    function onJoin(room: Room, invitees: Contact[], _inviter: Contact, date?: Date): void {
      const startedAt = since();
      if (date && startedAt !== undefined && date.getTime() < startedAt - graceMs) return;
      const selfId = bot.isLoggedIn ? bot.currentUser.id : undefined;
      if (selfId && invitees.some((c) => c.id === selfId)) {
        // The bot was added: one introduction to the whole group, which covers whoever joined with it.
        const botName = bot.currentUser.name();
        logger.info({ roomId: room.id }, 'bot joined a group');
        void say(paced(room, messages.bot(botName)), room.id);
        return;
      }
      if (invitees.length === 0) return;
      let batch = pending.get(room.id);
      if (!batch) {
        batch = { room, members: new Map(), timer: setTimeout(() => flush(room.id), batchMs) };
        pending.set(room.id, batch);
      }
      for (const c of invitees) batch.members.set(c.id, c);
      logger.debug({ roomId: room.id, joined: invitees.map((c) => maskContactId(c.id)) }, 'members joined');
    }

    const listener = (room: Room, invitees: Contact[], inviter: Contact, date?: Date) => {
      try {
        onJoin(room, invitees, inviter, date);
      } catch (err) {
        reportError(bot, logger, err, { plugin: 'welcome', roomId: room.id });
      }
    };
    // A stopped bot says nothing more: welcomes still waiting for their batch are dropped.
    const dropPending = () => {
      for (const batch of pending.values()) clearTimeout(batch.timer);
      pending.clear();
    };
    bot.on('room-join', listener);
    bot.on('stop', dropPending);
    return () => {
      bot.off('room-join', listener);
      bot.off('stop', dropPending);
      dropPending();
    };
  };
}

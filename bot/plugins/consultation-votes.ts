/**
 * Group votes on consultations (议事, DESIGN "News and notices"): the server posts an open
 * consultation in every bound room in its scope (outbox-delivery.ts says it); members answer in the
 * room and this plugin collects their votes.
 *
 * Grammar (after `@bot` mentions, with full-width digits and ＃ accepted):
 *   投票 2               one option
 *   投票 1 3             several options (also `投票1，3`, `投票 1、3`, `投票：1 3`)
 *   投票 #12 2           the consultation numbered 12 (also `投票 ＃12 2`, `投票 12号 2`, `投票 第12号：2`),
 *                        for a room where several are open
 *   投票 12 2            the form the posts and the server's hint show when several are open: read
 *                        first as options; when the server refuses that reading (400: several open,
 *                        or no such option) the first number is taken as the consultation's number
 *                        and the vote is sent again (a 404 for that number keeps the first answer)
 * Anything else after `投票` that starts like a command (digits, #, 第) gets the usage; chatter that
 * merely starts with the word (`投票结果什么时候出来`) is left alone.
 *
 * The votes of a room are gathered for `windowMs` (5 s) and sent in one request
 * (`POST /bot/consultations/votes`, at most 200 a request), then the bot answers the room with ONE
 * paced message for the batch: how many neighbours' votes were recorded and how many were changes,
 * and one line per kind of refusal (closed, several open, not in scope, a wrong option, a limit),
 * never who voted or what anyone chose, and without @mentions. A room with none open hears so at
 * most once per `noneOpenQuietMs`. A message delivered twice (a puppet reconnect) is sent once: the
 * bot remembers handled message ids for `rememberMs` (the server's ballot is per person anyway, so
 * a resend would count nobody twice, but it would report a change). Messages of the bot itself and
 * from before its start are ignored. In a private chat `投票 …` is answered with where to vote.
 */
import pino, { type Logger } from 'pino';
import { types, type Message, type Room, type Wechaty, type WechatyPlugin } from 'wechaty';
import type { CastVote, CastVoteResult } from '../runtime/api-types';
import { maskContactId } from '../runtime/log-mask';
import { directSay, type Say } from '../runtime/say';
import { UNAVAILABLE_MESSAGE, type ServerClient } from '../runtime/server-client';
import { createKeyedQueue, failureAnswer, VOTE_COMMAND } from './appeal-support';
import { asciiDigits, guardHandler, isActionable, reportError, stripLeadingMentions } from './support';

export interface ConsultationVoteMessages {
  /** Votes recorded in a batch: per consultation number, how many people; how many of them changed a vote. */
  recorded: (perConsultation: Array<{ number: number; voters: number }>, changed: number) => string;
  /** A vote for one that has closed (409), by its number when the vote named one. */
  closed: (number: number | undefined, serverMessage: string) => string;
  /** The room has no open consultation (404 without a number). */
  noneOpen: string;
  usage: string;
  /** `投票 …` in a private chat. */
  privateChat: string;
  /** The whole batch failed (server away): nobody's vote was recorded. */
  unavailable: string;
}

export interface ConsultationVotesConfig {
  client: ServerClient;
  logger?: Logger;
  /** Epoch ms; older messages are ignored. Default: when the plugin is installed. */
  since?: () => number | undefined;
  /** Tolerance for puppets whose timestamps are whole seconds. Default 1000 ms. */
  staleGraceMs?: number;
  /** How long a room's votes are gathered before they are sent together. Default 5000 ms. */
  windowMs?: number;
  /** Runs `fn` after `ms` and returns a cancel: the window's timer (tests pass a hand-driven one). Default setTimeout. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** A room told that nothing is open hears it again only after this long. Default 10 min. */
  noneOpenQuietMs?: number;
  /** How long handled message ids are remembered against re-delivery. Default 30 min. */
  rememberMs?: number;
  /** Clock for the quiet time and the remembered ids (tests). */
  now?: () => number;
  /** createBot's paced answers (bot/runtime/say.ts). */
  say?: Say;
  /** createBot's tracker: stop() waits for batches in flight. */
  track?: (p: Promise<unknown>) => void;
  messages?: Partial<ConsultationVoteMessages>;
}

export const DEFAULT_CONSULTATION_VOTE_MESSAGES: ConsultationVoteMessages = {
  recorded: (per, changed) => {
    const people = per.reduce((n, c) => n + c.voters, 0);
    const which = per.length === 1 ? `第${per[0]!.number}号议事 ${people} 位邻居的投票` : `${per.map((c) => `第${c.number}号议事 ${c.voters} 位`).join('、')}邻居的投票`;
    return `已记录${which}${changed ? `（其中 ${changed} 位改票）` : ''}。投票内容保密，截止前可改。`;
  },
  closed: (number, serverMessage) => (number !== undefined ? `第${number}号议事的投票已结束` : serverMessage),
  noneOpen: '本群目前没有正在投票的议事。',
  usage: '投票请回复「投票 序号」，例如：投票 2；可多选的写「投票 1 3」；本群有多项议事时写上编号：投票 #12 2',
  privateChat: '议事投票请在本社区的邻里群里回复「投票 序号」，也可以在小程序的「议事」里投票。',
  unavailable: `投票暂未记录：${UNAVAILABLE_MESSAGE}`,
};

/** Most votes one request carries (server/consultations/schemas.ts BotVoteBatchBody). */
const MAX_BATCH = 200;
/** Most options one vote names (the server's limit). */
const MAX_CHOICES = 10;

const SEP = '[\\s,，、;；/]+';
/** `投票` [`:`] [`#12` | `＃12` | `第12号` | `12号`] choices [`。`]: digits already ASCII, mentions stripped. */
const VOTE = new RegExp(`^投票[\\s:：]*(?:(?:[#＃]\\s*(\\d{1,6})(?!\\d)|第\\s*(\\d{1,6})\\s*号|(\\d{1,6})\\s*号)[\\s:：,，、]*)?(\\d{1,3}(?:${SEP}\\d{1,3})*)\\s*[。.!！]?$`, 'u');

export type ParsedVote =
  | { kind: 'vote'; number?: number; choices: number[]; ambiguous: boolean }
  | { kind: 'usage' };

/**
 * A message's vote, `usage` for a command that does not parse (`投票`, `投票 #12`, `投票 0`), or
 * undefined when it is no vote command at all.
 */
export function parseVote(raw: string): ParsedVote | undefined {
  const text = asciiDigits(stripLeadingMentions(raw));
  if (!VOTE_COMMAND.test(text)) return undefined;
  const m = VOTE.exec(text);
  if (!m) return { kind: 'usage' };
  const marked = m[1] ?? m[2] ?? m[3];
  const number = marked === undefined ? undefined : Number(marked);
  const choices = m[4]!.split(new RegExp(SEP, 'u')).map(Number);
  if (choices.length > MAX_CHOICES || choices.some((n) => n < 1) || (number !== undefined && number < 1)) return { kind: 'usage' };
  // `投票 12 2`: maybe consultation 12, option 2 (the server's hint), maybe options 12 and 2.
  return { kind: 'vote', ...(number !== undefined ? { number } : {}), choices, ambiguous: number === undefined && choices.length >= 2 };
}

interface PendingVote {
  messageId: string;
  contactId: string;
  number?: number;
  choices: number[];
  ambiguous: boolean;
}

interface Window {
  room: Room;
  votes: PendingVote[];
  cancel: () => void;
}

/** A vote's outcome after the batch (and the numbered reading's retry). */
interface Outcome {
  vote: PendingVote;
  /** The number the vote was finally sent with. */
  number?: number;
  result: CastVoteResult;
}

const defaultSchedule = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export function ConsultationVotes(config: ConsultationVotesConfig): WechatyPlugin {
  if (!config?.client) throw new Error('ConsultationVotes: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'consultation-votes' });
  const messages: ConsultationVoteMessages = { ...DEFAULT_CONSULTATION_VOTE_MESSAGES, ...config.messages };
  const windowMs = config.windowMs ?? 5000;
  if (!(windowMs >= 0)) throw new Error('ConsultationVotes: windowMs must be >= 0');
  const schedule = config.schedule ?? defaultSchedule;
  const quietMs = config.noneOpenQuietMs ?? 10 * 60_000;
  const rememberMs = config.rememberMs ?? 30 * 60_000;
  const graceMs = config.staleGraceMs ?? 1000;
  const now = config.now ?? Date.now;
  const client = config.client;
  const say = config.say ?? directSay;

  return function ConsultationVotesPlugin(bot: Wechaty) {
    const installedAt = Date.now();
    const since = config.since ?? (() => installedAt);
    /** Per room: the votes gathered in its open window. */
    const windows = new Map<string, Window>();
    /** Handled message ids and when: a re-delivered message is not sent again. */
    const handled = new Map<string, number>();
    /** Per room: until when it is not told again that nothing is open. */
    const quietUntil = new Map<string, number>();
    // A room's batches go one after another, so a member's later vote lands after their earlier one.
    const queue = createKeyedQueue();

    /** True the first time a message id is seen (within `rememberMs`). */
    function firstTime(messageId: string): boolean {
      const t = now();
      // Insertion order is arrival order: the oldest go first.
      for (const [id, at] of handled) {
        if (at > t - rememberMs) break;
        handled.delete(id);
      }
      if (handled.has(messageId)) return false;
      handled.set(messageId, t);
      return true;
    }

    /** One request per 200 votes; `numbered`: the first number is the consultation's (`投票 12 2`). */
    async function send(roomId: string, votes: PendingVote[], numbered: boolean): Promise<CastVoteResult[]> {
      const results: CastVoteResult[] = [];
      for (let i = 0; i < votes.length; i += MAX_BATCH) {
        const chunk = votes.slice(i, i + MAX_BATCH).map((v): CastVote => {
          const number = numbered ? v.choices[0] : v.number;
          return { messageId: v.messageId, roomId, contactId: v.contactId, ...(number !== undefined ? { number } : {}), choices: numbered ? v.choices.slice(1) : v.choices };
        });
        results.push(...(await client.castVotes({ votes: chunk })).results);
      }
      return results;
    }

    /** Sends a room's votes, and `投票 12 2` again as consultation 12 where the options reading was refused. */
    async function cast(roomId: string, votes: PendingVote[]): Promise<Outcome[]> {
      const first = await send(roomId, votes, false);
      const outcomes: Outcome[] = votes.map((vote, i) => ({ vote, number: vote.number, result: first[i]! }));
      const again = outcomes.filter((o) => o.vote.ambiguous && o.result.error?.status === 400);
      if (again.length) {
        const second = await send(
          roomId,
          again.map((o) => o.vote),
          true,
        );
        again.forEach((o, i) => {
          const r = second[i]!;
          // No consultation by that number here: the options reading's answer is the more useful one.
          if (r.error?.status === 404) return;
          o.number = o.vote.choices[0];
          o.result = r;
        });
      }
      return outcomes;
    }

    /** The one answer for a batch: the votes recorded, then one line per kind of refusal. */
    function answerFor(roomId: string, outcomes: Outcome[]): string | undefined {
      const per = new Map<number, Set<string>>();
      const firstCounted = new Map<string, boolean>();
      const refusals = new Map<string, string>();
      let noneOpen = false;
      // A late `投票 1` (no number) after the room's consultation closed: the server names it.
      let lateClosed: string | undefined;
      for (const o of outcomes) {
        const { receipt, error } = o.result;
        if (receipt) {
          const voters = per.get(receipt.number) ?? new Set<string>();
          voters.add(o.vote.contactId);
          per.set(receipt.number, voters);
          // A member who votes and corrects it within one batch is one vote, not a change.
          if (!firstCounted.has(`${receipt.number}\n${o.vote.contactId}`)) firstCounted.set(`${receipt.number}\n${o.vote.contactId}`, receipt.changed);
          continue;
        }
        if (!error) continue;
        if (error.status === 404 && o.number === undefined) {
          noneOpen = true;
          continue;
        }
        if (error.status === 409 && o.number === undefined) {
          lateClosed ??= error.message;
          continue;
        }
        // One line per kind: the first refusal of each status says it for the others.
        if (!refusals.has(String(error.status))) refusals.set(String(error.status), error.status === 409 ? messages.closed(o.number, error.message) : error.message);
      }
      const lines: string[] = [];
      if (per.size) {
        const changed = [...firstCounted.values()].filter(Boolean).length;
        lines.push(messages.recorded([...per].sort(([a], [b]) => a - b).map(([number, voters]) => ({ number, voters: voters.size })), changed));
      }
      lines.push(...refusals.values());
      // Alone in a batch, "it has closed" and "none open" are said once a while per room: late
      // votes trickle in for hours after a closing, and each would otherwise earn a message.
      const once = (key: string, text: string, what: string) => {
        const t = now();
        if ((quietUntil.get(key) ?? 0) <= t) {
          quietUntil.set(key, t + quietMs);
          lines.push(text);
        } else {
          logger.debug({ roomId }, `${what}: already said in this room`);
        }
      };
      if (lines.length === 0 && lateClosed) once(`${roomId}\nclosed`, lateClosed, 'closed');
      else if (lines.length === 0 && noneOpen) once(roomId, messages.noneOpen, 'none open');
      return lines.length ? lines.join('\n') : undefined;
    }

    async function flush(roomId: string): Promise<void> {
      const w = windows.get(roomId);
      if (!w) return;
      windows.delete(roomId);
      w.cancel();
      const work = queue(roomId, async () => {
        let answer: string | undefined;
        try {
          const outcomes = await cast(roomId, w.votes);
          const counted = outcomes.filter((o) => o.result.receipt).length;
          logger.info({ roomId, votes: w.votes.length, counted }, 'group votes sent');
          answer = answerFor(roomId, outcomes);
        } catch (err) {
          answer = failureAnswer(bot, logger, 'consultation-votes', err, { unavailable: messages.unavailable });
        }
        if (answer) await say(w.room, answer);
      });
      const guarded = work.catch((err: unknown) => reportError(bot, logger, err, { plugin: 'consultation-votes', roomId }));
      config.track?.(guarded);
      await guarded;
    }

    function collect(room: Room, vote: PendingVote): void {
      let w = windows.get(room.id);
      if (!w) {
        const created: Window = { room, votes: [], cancel: () => {} };
        created.cancel = schedule(() => void flush(room.id), windowMs);
        windows.set(room.id, created);
        w = created;
      }
      w.votes.push(vote);
      logger.debug({ roomId: room.id, by: maskContactId(vote.contactId), pending: w.votes.length }, 'vote collected');
    }

    async function onMessage(msg: Message): Promise<void> {
      if (msg.type() !== types.Message.Text) return;
      if (!isActionable(msg, since(), graceMs)) return;
      const parsed = parseVote(msg.text());
      if (!parsed) return;
      const room = msg.room();
      const talker = msg.talker();
      if (!room) {
        await say(talker, messages.privateChat);
        return;
      }
      if (parsed.kind === 'usage') {
        await say(room, messages.usage, talker);
        return;
      }
      if (!firstTime(msg.id)) {
        logger.debug({ roomId: room.id, by: maskContactId(talker.id) }, 'vote delivered again: ignored');
        return;
      }
      collect(room, { messageId: msg.id, contactId: talker.id, ...(parsed.number !== undefined ? { number: parsed.number } : {}), choices: parsed.choices, ambiguous: parsed.ambiguous });
    }

    /** On stop, the gathered votes are sent at once (their answers are dropped with the pacer's queue). */
    const flushAll = () => {
      for (const roomId of [...windows.keys()]) void flush(roomId);
    };

    const listener = guardHandler(bot, logger, 'consultation-votes', onMessage);
    bot.on('message', listener);
    bot.on('stop', flushAll);
    return () => {
      flushAll();
      bot.off('message', listener);
      bot.off('stop', flushAll);
    };
  };
}

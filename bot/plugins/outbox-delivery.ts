/**
 * Outbox delivery (DESIGN "The bot in group chats"): notices, digests and "your appeal was
 * answered" messages for bound rooms wait in the server's outbox (channel bot_room), answers to
 * tips sent in a private chat for that chat (channel bot_contact). While the
 * bot is logged in it claims a few at a time with a lease, says each in its room (with the
 * @mentions the server asked for) through the account's one pacer (`bot/runtime/pacer.ts`, shared with
 * the plugins' answers, which go first), and reports each outcome.
 *
 * Delivery is at least once: a bot that dies between saying a message and reporting it says it
 * again once the lease ends (`leaseSeconds`), by whichever bot claims it next. In normal operation
 * nothing is said twice: on stop or logout the bot finishes the send in progress and reports it,
 * starts no other, and leaves the rest of its claim to expire. Each start claims as a new owner
 * (`bot:<bot user id>:<random>`), so a restarted bot never reports on its previous life's leases.
 */
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Contact, Room, Wechaty, WechatyPlugin } from 'wechaty';
import type { CompleteOutboxRequest, OutboxItem } from '../runtime/api-types';
import { abortableDelay, createPacer, type Pacer } from '../runtime/pacer';
import type { ServerClient } from '../runtime/server-client';
import { maskContactId } from '../runtime/log-mask';

export interface OutboxDeliveryConfig {
  client: ServerClient;
  logger?: Logger;
  /** The account's pacer (createBot's, shared with every answer); default: one of its own at the default pace. */
  pacer?: Pacer;
  /** Wait between claims when the outbox is empty or the server is away. Default 5000 ms. */
  pollMs?: number;
  /** Deliveries claimed at a time. Default 5. */
  claimLimit?: number;
  /** How long a claim holds; default: the time `claimLimit` sends take at the pace, plus a minute. */
  leaseSeconds?: number;
  /** createBot's tracker: stop() waits for the delivery loop to end. */
  track?: (p: Promise<unknown>) => void;
  /** Injected waits between claims (tests). */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** By name: the abort reason may be a DOMException from another realm (jest). */
const isAbort = (err: unknown) => (err as { name?: unknown } | null)?.name === 'AbortError';

export function OutboxDelivery(config: OutboxDeliveryConfig): WechatyPlugin {
  if (!config?.client) throw new Error('OutboxDelivery: config.client is required');
  const logger = (config.logger ?? pino({ name: 'bot' })).child({ plugin: 'outbox-delivery' });
  const delay = config.delay ?? abortableDelay;
  // One pacer per bot account (createBot's); it outlives a logout, so a quick re-login cannot burst.
  const pacer: Pacer = config.pacer ?? createPacer({ delay });
  const { minIntervalMs, perMinute } = pacer;
  const pollMs = config.pollMs ?? 5000;
  const claimLimit = config.claimLimit ?? 5;
  if (!(pollMs > 0)) throw new Error('OutboxDelivery: pollMs must be > 0');
  if (!Number.isInteger(claimLimit) || claimLimit < 1 || claimLimit > 20) throw new Error('OutboxDelivery: claimLimit must be a whole number from 1 to 20');
  const averageGapMs = Math.max(minIntervalMs, 60_000 / perMinute);
  const leaseSeconds = config.leaseSeconds ?? Math.ceil((claimLimit * averageGapMs + 60_000) / 1000);
  // The server takes 10-600 s (server/outbox/schemas.ts ClaimBody).
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 10 || leaseSeconds > 600) throw new Error('OutboxDelivery: leaseSeconds must be a whole number from 10 to 600');
  if (leaseSeconds * 1000 < claimLimit * minIntervalMs) {
    throw new Error('OutboxDelivery: leaseSeconds is shorter than sending claimLimit messages at minIntervalMs takes');
  }
  const client = config.client;

  return function OutboxDeliveryPlugin(bot: Wechaty) {
    let running: { controller: AbortController; done: Promise<void> } | undefined;

    /** Waits, but an abort (stop, logout) just ends the wait. */
    const pause = (ms: number, signal: AbortSignal) => delay(ms, signal).catch((err: unknown) => {
      if (!isAbort(err) && !signal.aborted) throw err;
    });

    async function complete(item: OutboxItem, body: CompleteOutboxRequest): Promise<void> {
      try {
        await client.completeOutbox(item.id, body);
      } catch (err) {
        // E.g. the lease ended and another owner took it: the server keeps the record straight.
        logger.warn({ err, outboxId: item.id }, 'could not report an outbox delivery');
      }
    }

    async function findRoom(id: string): Promise<Room | undefined> {
      try {
        return (await bot.Room.find({ id })) ?? undefined;
      } catch {
        // Puppets throw for an id they do not know (the mock: "no payload found").
        return undefined;
      }
    }

    async function findContacts(ids: string[]): Promise<Contact[]> {
      const found = await Promise.all(ids.map((id) => bot.Contact.find({ id }).catch(() => undefined)));
      return found.filter((c): c is Contact => Boolean(c));
    }

    async function deliver(item: OutboxItem, owner: string, signal: AbortSignal): Promise<void> {
      const text = item.payload?.text;
      if (typeof text !== 'string' || !text.trim()) {
        await complete(item, { owner, ok: false, error: 'payload has no text', retryable: false });
        return;
      }
      // A private chat (the answer to a tip sent there) goes to the contact, without mentions.
      const toContact = item.channel === 'bot_contact';
      // Contact ids are personal data: logged masked (runtime/log-mask.ts).
      const where = toContact ? { contactId: maskContactId(item.recipient) } : { roomId: item.recipient };
      let send: () => Promise<unknown>;
      if (toContact) {
        const [contact] = await findContacts([item.recipient]);
        if (!contact) {
          logger.warn({ outboxId: item.id, ...where }, 'outbox contact not found');
          await complete(item, { owner, ok: false, error: 'contact not found', retryable: false });
          return;
        }
        send = () => contact.say(text);
      } else {
        const room = await findRoom(item.recipient);
        if (!room) {
          logger.warn({ outboxId: item.id, roomId: item.recipient }, 'outbox room not found');
          await complete(item, { owner, ok: false, error: 'room not found', retryable: false });
          return;
        }
        // A mentioned member who left the room (or is unknown) is skipped; the message still goes.
        const mentions = await findContacts(item.payload.mentionContactIds ?? []);
        send = () => room.say(text, ...mentions);
      }
      try {
        await pacer.run(send, signal, 'bulk');
      } catch (err) {
        // Stopped while waiting for a slot: nothing was said; the lease hands it on.
        if (signal.aborted) return;
        logger.warn({ err, outboxId: item.id, ...where }, 'outbox send failed');
        await complete(item, { owner, ok: false, error: err instanceof Error ? err.message.slice(0, 200) : 'send failed', retryable: true });
        return;
      }
      logger.info({ outboxId: item.id, ...where, attempts: item.attempts }, 'outbox delivery sent');
      await complete(item, { owner, ok: true });
    }

    async function loop(owner: string, signal: AbortSignal): Promise<void> {
      logger.info({ leaseSeconds, claimLimit, minIntervalMs, perMinute }, 'outbox delivery started');
      while (!signal.aborted) {
        // Claim only when a send may start, so leases are not spent waiting for the pacer; answers
        // to people waiting for it go first.
        const wait = pacer.waitMs() || (pacer.idle() ? 0 : Math.max(minIntervalMs, 100));
        if (wait > 0) {
          await pause(wait, signal);
          continue;
        }
        let items: OutboxItem[];
        try {
          items = (await client.claimOutbox({ owner, limit: claimLimit, leaseSeconds })).items;
        } catch (err) {
          logger.warn({ err }, 'outbox claim failed');
          await pause(pollMs, signal);
          continue;
        }
        if (items.length === 0) {
          logger.debug({ pollMs }, 'outbox empty: waiting');
          await pause(pollMs, signal);
          continue;
        }
        for (const item of items) {
          if (signal.aborted) break;
          await deliver(item, owner, signal);
        }
      }
      logger.info('outbox delivery stopped');
    }

    function start(userId: string): void {
      if (running) return;
      const controller = new AbortController();
      const owner = `bot:${userId}:${randomBytes(6).toString('hex')}`;
      const done = loop(owner, controller.signal).catch((err: unknown) => {
        logger.error({ err }, 'outbox delivery loop failed');
      });
      running = { controller, done };
      config.track?.(done);
    }

    function stop(): void {
      if (!running) return;
      running.controller.abort();
      running = undefined;
    }

    const onLogin = (user: Contact) => start(user.id);
    bot.on('login', onLogin);
    bot.on('logout', stop);
    bot.on('stop', stop);
    // Installed before start (createBot): the login event starts the loop.
    return () => {
      stop();
      bot.off('login', onLogin);
      bot.off('logout', stop);
      bot.off('stop', stop);
    };
  };
}

/**
 * The in-server loop that delivers WeChat subscribe messages from the outbox. Every server process
 * may run it: records are claimed with a lease (outbox.ts), so two processes never send the same
 * record, and one that dies leaves its records to the others when the lease runs out.
 * Group-chat deliveries are the bot's (bot-routes.ts), not this loop's.
 *
 * WeChat sends a subscribe message only to a user who granted one for its template, one message
 * per grant (requestSubscribeMessage in the mini-program). With the real sender a record is sent
 * only when a grant of its recipient can be consumed (server/subscriptions); without one it is
 * done without sending (state sent, `sentNote` NOT_SUBSCRIBED_NOTE): skipped, neither failed nor
 * retried, since WeChat would refuse it with 43101. A retried record reuses the grant it took.
 * The logging sender (WeChat not configured) sends nothing anyway and is not gated.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../context';
import { startPeriodicJob, type Schedule } from '../core/periodic-job';
import { userService } from '../users';
import { subscriptionGrants } from '../subscriptions';
import { outbox, type ClaimedItem, type DeliveryResult } from './outbox';
import { SubscribePayload } from './schemas';
import type { SubscribeSender } from './wechat-subscribe';

export const DEFAULT_DELIVER_INTERVAL_MS = 10_000;
/** Claimed per batch, sent one after another (WeChat limits per account). */
const BATCH = 10;
/** Long enough for a batch of sends with their 5 s timeouts. */
const LEASE_MS = 2 * 60_000;
/** Batches per run, so one run ends and the next interval can start even under a flood. */
const MAX_BATCHES_PER_RUN = 20;
/** The note of a record skipped because its recipient has no grant left for the template. */
export const NOT_SUBSCRIBED_NOTE = '未发送：用户没有可用的订阅（未订阅或次数已用完）';

export interface OutboxDeliverer {
  /** Stops the timer and waits for a run in progress (which claims no further batch). */
  stop(): Promise<void>;
  /** Drains what is due now; returns how many records it handled. Tests call it directly. */
  runOnce(): Promise<number>;
}

export function startOutboxDeliverer(ctx: AppContext, opts: { sender: SubscribeSender; intervalMs?: number; schedule?: Schedule; owner?: string }): OutboxDeliverer {
  const owner = opts.owner ?? `server:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const box = outbox(ctx);
  const users = userService(ctx);
  const grants = subscriptionGrants(ctx);
  // Set by stop(): a run in progress claims no further batch.
  let stopped = false;

  async function deliver(item: ClaimedItem): Promise<DeliveryResult> {
    const payload = SubscribePayload.safeParse(item.payload);
    if (!payload.success) return { ok: false, error: '消息内容格式不正确', retryable: false };
    const openid = await users.wechatOpenid(item.recipient);
    if (!openid) return { ok: false, error: '该用户没有绑定微信小程序账号', retryable: false };
    if (opts.sender.kind === 'wechat' && !(await grants.consume(item.recipient, payload.data.template, item.id))) return { ok: true, note: NOT_SUBSCRIBED_NOTE };
    try {
      return await opts.sender.send(openid, payload.data);
    } catch (err) {
      return { ok: false, error: `发送出错：${(err as Error).message}`, retryable: true };
    }
  }

  /** Records delivery results; a failure is logged, never thrown. */
  async function record(write: () => Promise<unknown>, outboxIds: string[]): Promise<void> {
    try {
      await write();
    } catch (err) {
      // Our lease went to another process (we were too slow: its report decides), or the
      // database is away (the lease runs out and the record is tried again).
      ctx.logger.warn({ err, outboxIds }, 'outbox: could not record the delivery result');
    }
  }

  async function runOnce(): Promise<number> {
    let handled = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !stopped; batch++) {
      const items = await box.claim({ channel: 'wechat_subscribe', owner, limit: BATCH, leaseMs: LEASE_MS });
      // The batch's sends that went, by note: recorded together after the batch (one write per
      // note, not two per record). A process that dies before that leaves them leased: sent again
      // when the lease ends (at least once, as always; a retried record reuses its grant).
      const sent = new Map<string | null, string[]>();
      for (const item of items) {
        const result = await deliver(item);
        if (result.ok) sent.set(result.note ?? null, [...(sent.get(result.note ?? null) ?? []), item.id]);
        else await record(() => box.complete(item.id, owner, result), [item.id]);
        handled++;
      }
      for (const [note, ids] of sent) await record(() => box.completeSent(owner, ids, note), ids);
      if (items.length < BATCH) break;
    }
    return handled;
  }

  const job = startPeriodicJob(
    ctx.logger,
    'outbox delivery',
    async () => {
      const n = await runOnce();
      if (n > 0) ctx.logger.info({ handled: n, sender: opts.sender.kind }, 'outbox: subscribe messages delivered');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_DELIVER_INTERVAL_MS, schedule: opts.schedule },
  );

  return {
    runOnce,
    async stop() {
      stopped = true;
      await job.stop();
    },
  };
}

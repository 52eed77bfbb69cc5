/**
 * The outbox: a record per recipient and channel, delivered at least once.
 * - enqueue is idempotent per dedupeKey (the unique index is the guard), so whatever turns events
 *   into messages may crash and run again without sending anything twice;
 * - a claim takes one record at a time with a conditional findOneAndUpdate (single-document
 *   atomicity is all the embedded database offers) and leases it to one owner; several server
 *   processes and several bots never hold the same record at once;
 * - a lease that runs out means its owner died: the next claim takes the record over, and the old
 *   owner's late report is refused, so the record's fate is decided by its current holder only.
 * Time comes from ctx.now(), so tests move the clock instead of waiting.
 */
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { conflict, isDuplicateKeyError, notFound } from '../core/errors';
import { HELD, outboxModels, type OutboxDoc } from './model';
import { OUTBOX_CHANNELS, OUTBOX_STATES, OutboxItemInput, type OutboxChannel, type OutboxState, type OutboxStats } from './schemas';

/** After this many claims a record that still fails is given up (failed). */
export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 30 * 60_000;

/** Wait before the next try after the n-th failed attempt: 30 s, 1 min, 2 min … at most 30 min. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_CAP_MS);
}

/** An item `enqueue(…, { invalid: 'skip' })` left out: its key and what was wrong (paths and codes only). */
export interface RejectedItem {
  dedupeKey: string;
  problems: string[];
}

export type DeliveryResult = { ok: true; note?: string } | { ok: false; error: string; retryable: boolean };

export interface ClaimOptions {
  /** One channel, or several drained by one claimer (the bot: rooms and private chats, by priority across both). */
  channel: OutboxChannel | readonly OutboxChannel[];
  /** Unique per claiming process (e.g. `bot:<nonce>`); its reports must carry the same value. */
  owner: string;
  limit: number;
  leaseMs: number;
}

export interface ClaimedItem {
  id: string;
  channel: OutboxChannel;
  recipient: string;
  payload: Record<string, unknown>;
  /** Including this claim. */
  attempts: number;
  priority: number;
}

const messages = {
  notFound: '投递记录',
  leaseLost: '该投递已由其他进程接手，本次结果未记录',
  notClaimed: '该投递未被领取，无法记录结果',
  tooManyLeases: '多次领取后均未回报结果，已停止投递',
};

/** An item as validation left it (defaults filled in). */
type ValidItem = z.output<typeof OutboxItemInput>;

export function outbox(ctx: AppContext) {
  const { Outbox } = outboxModels(ctx.conn);

  /** Validates items; with `skip` an invalid one is left out alone and named in `rejected` (by its key and paths, never its payload). */
  function validate(items: OutboxItemInput[], invalid: 'throw' | 'skip'): { valid: ValidItem[]; rejected: RejectedItem[] } {
    const rejected: RejectedItem[] = [];
    const valid: ValidItem[] = [];
    for (const raw of items) {
      const parsed = OutboxItemInput.safeParse(raw);
      if (parsed.success) valid.push(parsed.data);
      else if (invalid === 'skip') rejected.push({ dedupeKey: String(raw.dedupeKey).slice(0, 200), problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) });
      else throw parsed.error;
    }
    return { valid, rejected };
  }

  /** Inserts validated items as pending (or held) records; existing dedupeKeys are skipped. */
  async function insertNew(items: ValidItem[], state: 'pending' | typeof HELD = 'pending'): Promise<{ inserted: number; ids: Types.ObjectId[] }> {
    if (items.length === 0) return { inserted: 0, ids: [] };
    const now = ctx.now();
    const docs = items.map((item) => ({
      _id: new Types.ObjectId(),
      dedupeKey: item.dedupeKey,
      ref: item.ref ?? null,
      channel: item.channel,
      recipient: item.recipient,
      payload: item.payload,
      priority: item.priority,
      state,
      attempts: 0,
      nextAttemptAt: item.notBefore ?? now,
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      sentAt: null,
      sentNote: null,
      createdAt: now,
    }));
    try {
      const inserted = await Outbox.insertMany(docs, { ordered: false });
      return { inserted: inserted.length, ids: docs.map((d) => d._id) };
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
      const duplicatesOnly = Array.isArray(writeErrors) ? writeErrors.length > 0 && writeErrors.every((e) => isDuplicateKeyError(unwrapWriteError(e))) : isDuplicateKeyError(err);
      if (!duplicatesOnly) throw err;
      // Count what is stored under our ids rather than trusting the error's bookkeeping, which
      // differs between MongoDB and FerretDB.
      const ids = docs.map((d) => d._id);
      return { inserted: await Outbox.countDocuments({ _id: { $in: ids } }), ids };
    }
  }

  return {
    /**
     * Adds records; a dedupeKey that exists already is skipped (not updated). Returns how many
     * were new. Unordered, so one duplicate does not stop the rest of the batch.
     *
     * An item that fails validation throws, and nothing is written; with `invalid: 'skip'` it is
     * left out alone (its dedupeKey and what was wrong, never the payload, come back in
     * `rejected`) and the rest are written: for a relay that must not let one bad recipient
     * silence the others.
     */
    async enqueue(items: OutboxItemInput[], opts: { invalid?: 'throw' | 'skip' } = {}): Promise<{ inserted: number; rejected?: RejectedItem[] }> {
      const { valid, rejected } = validate(items, opts.invalid ?? 'throw');
      const { inserted } = await insertNew(valid);
      return opts.invalid === 'skip' ? { inserted, rejected } : { inserted };
    },

    /**
     * Writes messages about a record that is not stored yet, held: nobody claims them until
     * `release` (once the record is stored) or `dropHeld` (it never was). Invalid items are left
     * out as with `enqueue(…, { invalid: 'skip' })`. Returns the held records' ids, per item (null
     * for one left out).
     */
    async enqueueHeld(items: OutboxItemInput[]): Promise<{ ids: (Types.ObjectId | null)[]; rejected: RejectedItem[] }> {
      const valid: ValidItem[] = [];
      const rejected: RejectedItem[] = [];
      // Per item, in order: the index of its record among the valid ones, or null when left out.
      const slots = items.map((raw) => {
        const { valid: ok, rejected: bad } = validate([raw], 'skip');
        rejected.push(...bad);
        valid.push(...ok);
        return ok.length ? valid.length - 1 : null;
      });
      const { ids } = await insertNew(valid, HELD);
      return { ids: slots.map((i) => (i === null ? null : ids[i])), rejected };
    },

    /** Held records become pending, due at once (those no longer held are left as they are): how many of how many were held. */
    async release(ids: readonly Types.ObjectId[]): Promise<{ count: number; of: number }> {
      if (ids.length === 0) return { count: 0, of: 0 };
      const r = await Outbox.updateMany({ _id: { $in: [...ids] }, state: HELD }, { $set: { state: 'pending', nextAttemptAt: ctx.now() } });
      return { count: r.modifiedCount, of: ids.length };
    },

    /** Deletes held records (their record was never stored). */
    async dropHeld(ids: readonly Types.ObjectId[]): Promise<void> {
      if (ids.length) await Outbox.deleteMany({ _id: { $in: [...ids] }, state: HELD });
    },

    /** Held records written before `before`, oldest first, per channel: what a crash left between a hold and its release. */
    async heldBefore(before: Date, limit: number): Promise<{ _id: Types.ObjectId; dedupeKey: string }[]> {
      const perChannel = await Promise.all(
        OUTBOX_CHANNELS.map((channel) => Outbox.find({ channel, state: HELD, nextAttemptAt: { $lt: before } }, { dedupeKey: 1 }).sort({ nextAttemptAt: 1 }).limit(limit).lean<{ _id: Types.ObjectId; dedupeKey: string }[]>()),
      );
      return perChannel.flat();
    },
    /**
     * Takes up to `limit` records: due pending ones and those whose lease ran out, lowest
     * priority value first, then oldest. Each is taken by its own conditional update, so two
     * claimers running at once get disjoint records.
     *
     * A lease runs out only when its claimer died, so a call looks for one once. Without one, each
     * claim asks for a due pending record by equality on `state` sorted by priority and age, which
     * the embedded database walks in the {channel, state, priority, createdAt} index in order and
     * stops at the first; the two-branch filter (pending or lapsed) with `_id` as the last sort key
     * made it sort every pending record of the channel first. Measured at 300 pending records
     * beside 5,000 sent: 4 ms a claim against 19-22 ms (the database's sort pushdown) and 40-44 ms
     * before it. Records of equal priority and age come in the order they were written. A lease
     * that runs out during the call is taken by the next call.
     */
    async claim(opts: ClaimOptions): Promise<ClaimedItem[]> {
      const claimed: ClaimedItem[] = [];
      const channel = typeof opts.channel === 'string' ? opts.channel : { $in: [...opts.channel] };
      const lapsed = (await Outbox.exists({ channel, state: 'sending', leaseUntil: { $lt: ctx.now() } })) !== null;
      while (claimed.length < opts.limit) {
        const now = ctx.now();
        const lease = { $set: { state: 'sending', leaseOwner: opts.owner, leaseUntil: new Date(now.getTime() + opts.leaseMs) }, $inc: { attempts: 1 } };
        const doc = await (lapsed
          ? Outbox.findOneAndUpdate(
              // The top-level `state $in` lets the index skip the (ever growing) sent and failed history.
              { channel, state: { $in: ['pending', 'sending'] }, $or: [{ state: 'pending', nextAttemptAt: { $lte: now } }, { state: 'sending', leaseUntil: { $lt: now } }] },
              lease,
              { sort: { priority: 1, createdAt: 1, _id: 1 }, returnDocument: 'after' },
            )
          : Outbox.findOneAndUpdate({ channel, state: 'pending', nextAttemptAt: { $lte: now } }, lease, { sort: { priority: 1, createdAt: 1 }, returnDocument: 'after' })
        ).lean<OutboxDoc>();
        if (!doc) break;
        // A record whose claimers keep dying without a report (say it crashes the sender) must
        // not circulate forever: past the limit it is given up instead of handed out again.
        if (doc.attempts > MAX_ATTEMPTS) {
          await Outbox.updateOne({ _id: doc._id, leaseOwner: opts.owner, state: 'sending' }, { $set: { state: 'failed', leaseUntil: null, lastError: messages.tooManyLeases } });
          continue;
        }
        claimed.push({ id: String(doc._id), channel: doc.channel, recipient: doc.recipient, payload: doc.payload, attempts: doc.attempts, priority: doc.priority });
      }
      return claimed;
    },

    /**
     * The owner reports a delivery: sent, pending again after a backoff, or failed for good.
     * Refused with 409 (nothing changes) when the lease went to another owner meanwhile; the same
     * report repeated by the same owner (a retried HTTP call) answers the state it already set.
     */
    async complete(id: string, owner: string, result: DeliveryResult): Promise<{ state: OutboxState }> {
      if (!Types.ObjectId.isValid(id)) throw notFound(messages.notFound);
      const doc = await Outbox.findById(id).lean<OutboxDoc>();
      if (!doc) throw notFound(messages.notFound);
      if (doc.leaseOwner === null || doc.state === HELD) throw conflict(messages.notClaimed);
      if (doc.leaseOwner !== owner) throw conflict(messages.leaseLost);
      if (doc.state !== 'sending') return { state: doc.state };
      const now = ctx.now();
      const { state, set } = outcome(doc.attempts, result, now);
      const updated = await Outbox.findOneAndUpdate(
        // The same lease still: same owner, still sending, no claim since (attempts unchanged).
        { _id: doc._id, state: 'sending', leaseOwner: owner, attempts: doc.attempts },
        { $set: { ...set, state, leaseUntil: null } },
        { returnDocument: 'after' },
      ).lean<OutboxDoc>();
      if (!updated) throw conflict(messages.leaseLost);
      return { state };
    },

    /**
     * Records sends that went, several at once (the in-server deliverer's batch, one update per
     * note): only records still leased to `owner` and being sent; one whose lease went to another
     * owner meanwhile is left to that owner's report. Returns how many were recorded.
     */
    async completeSent(owner: string, ids: readonly string[], note: string | null): Promise<number> {
      const valid = ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
      if (valid.length === 0) return 0;
      const r = await Outbox.updateMany(
        { _id: { $in: valid }, state: 'sending', leaseOwner: owner },
        { $set: { state: 'sent', sentAt: ctx.now(), sentNote: note, lastError: null, leaseUntil: null } },
      );
      return r.modifiedCount;
    },

    /**
     * Gives up the records for `ref` that nobody has claimed yet (failed, with `reason`); those
     * being sent finish. Returns how many were cancelled.
     */
    async cancelPending(ref: string, reason: string): Promise<number> {
      const r = await Outbox.updateMany({ ref, state: 'pending' }, { $set: { state: 'failed', lastError: reason } });
      return r.modifiedCount;
    },

    /** Counts per state of the records for each ref, zeros included (one $group). */
    async countsByRef(refs: readonly string[]): Promise<Map<string, OutboxCounts>> {
      const out = new Map(refs.map((ref) => [ref, zeroCounts()]));
      if (refs.length === 0) return out;
      const rows = await Outbox.aggregate<{ _id: { ref: string; state: OutboxState }; n: number }>([
        { $match: { ref: { $in: [...out.keys()] } } },
        { $group: { _id: { ref: '$ref', state: '$state' }, n: { $sum: 1 } } },
      ]);
      for (const r of rows) {
        const c = out.get(r._id.ref);
        if (c && c[r._id.state] !== undefined) c[r._id.state] = r.n;
      }
      return out;
    },

    /** The records for `ref`, one per recipient: how each delivery stands. */
    async deliveriesOf(ref: string): Promise<OutboxDelivery[]> {
      const docs = await Outbox.find({ ref }, { recipient: 1, state: 1, attempts: 1, lastError: 1, sentAt: 1 }).lean<(Omit<OutboxDelivery, 'state'> & Pick<OutboxDoc, 'state'>)[]>();
      // A held record (none has a ref today) is not due yet: to a reader, pending.
      return docs.map((d) => ({ ...d, state: d.state === HELD ? 'pending' : d.state }));
    },

    /** Deletes the records sent at or before `at` (the cleanup job; failed ones stay). Returns how many. */
    async removeSentBefore(at: Date): Promise<number> {
      return (await Outbox.deleteMany({ state: 'sent', sentAt: { $lte: at } })).deletedCount;
    },
  };
}

/** Records per state. */
export type OutboxCounts = Record<OutboxState, number>;
export const zeroCounts = (): OutboxCounts => Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as OutboxCounts;

/** How one delivery stands (`deliveriesOf`). */
export type OutboxDelivery = Pick<OutboxDoc, '_id' | 'recipient' | 'attempts' | 'lastError' | 'sentAt'> & { state: OutboxState };

function outcome(attempts: number, result: DeliveryResult, now: Date): { state: OutboxState; set: Partial<OutboxDoc> } {
  if (result.ok) return { state: 'sent', set: { sentAt: now, sentNote: result.note ?? null, lastError: null } };
  const error = result.error.slice(0, 500);
  if (result.retryable && attempts < MAX_ATTEMPTS) {
    return { state: 'pending', set: { lastError: error, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) } };
  }
  return { state: 'failed', set: { lastError: error } };
}

/** The driver wraps each failed insert of a bulk write; the code sits on the wrapper or inside it. */
function unwrapWriteError(e: unknown): unknown {
  if (typeof e !== 'object' || e === null) return e;
  const w = e as { code?: unknown; errmsg?: unknown; err?: unknown };
  if (typeof w.code === 'number') return { code: w.code, message: String(w.errmsg ?? '') };
  return w.err ?? e;
}

/** Counts per channel and state, zeros included (one $group: inside the embedded database's subset). */
export async function outboxStats(ctx: AppContext): Promise<OutboxStats> {
  const rows = await outboxModels(ctx.conn).Outbox.aggregate<{ _id: { channel: OutboxChannel; state: OutboxState }; n: number }>([
    { $group: { _id: { channel: '$channel', state: '$state' }, n: { $sum: 1 } } },
  ]);
  const stats = Object.fromEntries(OUTBOX_CHANNELS.map((c) => [c, zeroCounts()])) as OutboxStats;
  for (const row of rows) {
    if (stats[row._id.channel]?.[row._id.state] !== undefined) stats[row._id.channel][row._id.state] = row.n;
  }
  return stats;
}

export type OutboxService = ReturnType<typeof outbox>;

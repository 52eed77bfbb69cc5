/**
 * From timeline events to outbox messages (a transactional outbox on single-document writes):
 * a move appends its event and bumps `eventCount` in one write; this relay then enqueues a
 * message per recipient and channel (deduplicated by event, channel and recipient) and only then
 * moves `notifiedCount` up, conditioned on the version it read. A process that dies between the
 * two leaves the events pending; the scheduler's sweep relays them, and the outbox's dedupe keys
 * make the second attempt enqueue nothing twice.
 *
 * Each appeal fails alone: a relay that throws (the database, a lookup, the outbox write) is
 * logged without personal data, counted on the appeal (`notifyAttempts`) and retried by the sweep
 * after a backoff (`notifyRetryAt`: 30 s, 1 min, 2 min … at most 30 min, the outbox's), while the
 * sweep goes on with the other appeals. A message the outbox refuses as invalid (which retrying
 * cannot fix) is left out and logged by its key; the appeal's other messages still go.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { batchedWrites } from '../core/batched-writes';
import { backoffMs, outbox, type OutboxItemInput, type RejectedItem } from '../outbox';
import { userService } from '../users';
import { chinaLongTime } from '../../common/china-time';
import { maskPrivateText } from '../people';
import { appealModels, type AppealDoc, type TimelineEvent } from './model';
import { ACTION_LABELS, STATE_LABELS, type EventAction } from './state-machine';

/**
 * What the resident (and those who joined with 同问) hear about by subscribe message. Each message
 * spends one of their one-time grants (usually one, given right after filing; the deliverer sends
 * nothing without a grant), so only the moves that end their wait or ask something of them: the
 * answer (reply), the end (close), and the refusals that end the appeal (reject: 不予受理, merge:
 * it continues as another appeal). Acceptance and dispatch are internal steps (and direct dispatch
 * makes them at once, which would spend the grant before anything was answered): they show on the
 * appeal's page. No move returns an appeal to the resident for more information (`return` goes from
 * the unit back to the dispatcher), so none is listed for that.
 */
const TO_RESIDENTS: readonly EventAction[] = ['reject', 'merge', 'reply', 'close'];
/** What a group chat hears about an appeal filed there: the answer and the end. */
const TO_ROOM: readonly EventAction[] = ['reply', 'close'];
/** What the handling unit hears: new work, a reminder, the scheduler's 督办, a reopening. */
const TO_HANDLERS: readonly EventAction[] = ['assign', 'transfer', 'remind', 'overdue', 'reopen'];

/**
 * Whether any of these events may send a message. A new appeal whose timeline has none (filed
 * without a direct dispatch: only `submit`) is stored already relayed, so no relay runs for it.
 */
export const mayNotify = (events: readonly Pick<TimelineEvent, 'action'>[]): boolean =>
  events.some((e) => TO_RESIDENTS.includes(e.action) || TO_ROOM.includes(e.action) || TO_HANDLERS.includes(e.action));

const excerpt = (text: string, n: number) => {
  const chars = [...text];
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : text;
};

/** What a log may say about a failure: its kind and code, never a message that could quote data. */
function errorKind(err: unknown): { name: string; code?: string | number; paths?: string[] } {
  if (!(err instanceof Error)) return { name: typeof err };
  const e = err as Error & { code?: unknown; issues?: { path: PropertyKey[] }[] };
  return {
    name: e.name,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(Array.isArray(e.issues) ? { paths: e.issues.map((i) => i.path.map(String).join('.')) } : {}),
  };
}

/**
 * What the group hears when its appeal is answered or closed. The group is not the reporter: the
 * answer's text goes there only for an appeal its reporter made public, and then with phones, ID
 * and house numbers masked as in every public text; a private one says where to read it.
 */
export function roomText(a: Pick<AppealDoc, 'number' | 'isPublic' | 'answer'>, action: EventAction): string {
  if (action !== 'reply' || !a.answer) return `您反映的问题（编号 ${a.number}）已办结，感谢您的反映。`;
  const unit = a.answer.departmentName ?? '承办单位';
  if (!a.isPublic) return `您反映的问题（编号 ${a.number}）已由${unit}答复，请在小程序「诉求」中查看答复内容。`;
  return `您反映的问题（编号 ${a.number}）已由${unit}答复：${excerpt(maskPrivateText(a.answer.text), 120)}`;
}

export interface RelayHooks {
  /** Tests: runs before an appeal's messages are written to the outbox; a throw fails that relay. */
  beforeEnqueue?: (appeal: AppealDoc) => void | Promise<void>;
}

/** A dedupe key names its appeal (`appeal:<id>:…`). */
const appealIdOf = (dedupeKey: string) => dedupeKey.split(':')[1] ?? '';

/** A filing's messages, held in the outbox while its appeal is inserted (the relay's `hold`). */
export interface HeldMessages {
  /** After the insert: the messages go (never throws). */
  release(): Promise<void>;
  /** The insert failed: the messages are deleted (never throws). */
  drop(): Promise<void>;
}

/**
 * How long held messages wait for their filing before the sweep decides on them: far longer than
 * a filing's insert takes, even on a loaded machine.
 */
export const HOLD_GRACE_MS = 60_000;

/** A filing's appeal as written, and the request that wrote it. */
interface Kicked {
  current: AppealDoc;
  within?: object;
}
/** Filings relayed together at most (one outbox write of their messages). */
const MAX_BATCH = 50;

export function notificationRelay(ctx: AppContext, hooks: RelayHooks = {}) {
  const { Appeal } = appealModels(ctx.conn);
  const users = userService(ctx);
  const box = outbox(ctx);
  const inFlight = new Set<Promise<void>>();

  function subscribe(a: AppealDoc, e: TimelineEvent, userId: Types.ObjectId | string): OutboxItemInput {
    return {
      dedupeKey: `appeal:${a._id}:${e._id}:wechat_subscribe:${userId}`,
      channel: 'wechat_subscribe',
      recipient: String(userId),
      payload: {
        template: 'appeal_progress',
        page: `pages/appeal-detail/index?id=${a._id}`,
        data: { number: a.number, state: STATE_LABELS[a.state], time: chinaLongTime(e.at), note: e.note ?? ACTION_LABELS[e.action] ?? e.action },
      },
    };
  }

  function roomMessage(a: AppealDoc, e: TimelineEvent): OutboxItemInput | null {
    if (!a.roomId || !TO_ROOM.includes(e.action)) return null;
    const text = roomText(a, e.action);
    return {
      dedupeKey: `appeal:${a._id}:${e._id}:bot_room:${a.roomId}`,
      channel: 'bot_room',
      recipient: a.roomId,
      payload: { text, mentionContactIds: a.reporterContactId ? [a.reporterContactId] : [] },
    };
  }

  /**
   * Department staff of the unit it is with; without a unit, the dispatchers whose regions hold it.
   * From the users' rosters in memory (users/service.ts), checked against the stamps of `within`'s
   * read when given (the filing request: it wrote no user or region since).
   */
  function handlers(a: AppealDoc, within?: object): Promise<readonly Types.ObjectId[]> {
    return a.departmentId ? users.departmentStaffIds(a.departmentId, within) : users.dispatcherIdsOver(a.regionPath, within);
  }

  async function messagesFor(a: AppealDoc, e: TimelineEvent, unit: () => Promise<readonly Types.ObjectId[]>): Promise<OutboxItemInput[]> {
    const out: OutboxItemInput[] = [];
    if (TO_RESIDENTS.includes(e.action)) {
      const residents = [a.reporterId, ...a.followerIds].filter((id): id is Types.ObjectId => !!id);
      for (const id of new Set(residents.map(String))) if (id !== String(e.byId)) out.push(subscribe(a, e, id));
    }
    const room = roomMessage(a, e);
    if (room) out.push(room);
    if (TO_HANDLERS.includes(e.action)) for (const id of await unit()) if (String(id) !== String(e.byId)) out.push(subscribe(a, e, id));
    return out;
  }

  /** The messages of an appeal's pending events (the test hook runs before they go to the outbox). */
  async function messagesOf(a: AppealDoc, within?: object): Promise<OutboxItemInput[]> {
    const pending = a.timeline.slice(a.notifiedCount, a.eventCount);
    // The handlers are looked up once per appeal, however many of its events go to them.
    let handlerIds: Promise<readonly Types.ObjectId[]> | undefined;
    const unit = () => (handlerIds ??= handlers(a, within));
    const items = (await Promise.all(pending.map((e) => messagesFor(a, e, unit)))).flat();
    await hooks.beforeEnqueue?.(a);
    return items;
  }

  const RELAYED = (eventCount: number) => ({ $set: { notifiedCount: eventCount, notifyPending: false, notifyAttempts: 0, notifyRetryAt: null } });
  const isRelayed = (a: AppealDoc) => !a.notifyPending && a.notifiedCount >= a.eventCount;

  function logRejected(rejected: readonly RejectedItem[]): void {
    for (const r of rejected) ctx.logger.error({ appealId: appealIdOf(r.dedupeKey), dedupeKey: r.dedupeKey, problems: r.problems }, 'appeal notification refused by the outbox; left out');
  }

  async function enqueue(items: OutboxItemInput[]): Promise<void> {
    const { rejected = [] } = await box.enqueue(items, { invalid: 'skip' });
    logRejected(rejected);
  }

  /**
   * Filings' held messages written, and released, together: those of filings that come while a
   * write is in flight go in the next one (one outbox command for all of them).
   */
  const holdWrite = batchedWrites((items: OutboxItemInput[]) => box.enqueueHeld(items));
  const releaseWrite = batchedWrites((ids: Types.ObjectId[]) => box.release(ids));
  /**
   * Whether every record of the release `ids` went in was still held (false: the sweep got to
   * some first, of these filings or of another in the same release; each then relays again,
   * which writes nothing twice).
   */
  async function release(ids: readonly Types.ObjectId[]): Promise<boolean> {
    if (ids.length === 0) return true;
    const { result } = await releaseWrite(ids);
    return result.count === result.of;
  }

  /**
   * Relays again, from their first event, appeals stored relayed whose held messages were not all
   * released: the dedupe keys skip what the outbox has, and write what the sweep dropped.
   */
  async function relayFromStart(ids: readonly Types.ObjectId[]): Promise<void> {
    await Appeal.updateMany({ _id: { $in: [...ids] } }, { $set: { notifiedCount: 0, notifyPending: true } });
    await Promise.all(ids.map((id) => relayAlone(id)));
  }

  /**
   * Relay one appeal's pending events; loops when a move lands while it works. Throws on a failure.
   * `current`: the appeal as just written (a filing's new document), used instead of reading it
   * again in the first round; the update below is conditioned on its `eventCount`, so a move that
   * landed since sends the loop back to the database. `within`: the request that wrote it, whose
   * stamp read serves the first round's roster lookups.
   */
  async function relay(id: Types.ObjectId, current?: AppealDoc, within?: object): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const a = (round === 0 ? current : undefined) ?? (await Appeal.findById(id).lean<AppealDoc>());
      if (!a) return;
      if (isRelayed(a)) return;
      await enqueue(await messagesOf(a, round === 0 ? within : undefined));
      const done = await Appeal.updateOne({ _id: id, eventCount: a.eventCount }, RELAYED(a.eventCount));
      if (done.matchedCount === 1) return;
    }
  }

  /** A relay that failed: logged and counted on the appeal with the time of its next try; never throws. */
  async function recordFailure(id: Types.ObjectId, err: unknown): Promise<void> {
    const appealId = String(id);
    try {
      // (No projection: the embedded database's findAndModify has no `fields`.)
      const a = await Appeal.findOneAndUpdate({ _id: id, notifyPending: true }, { $inc: { notifyAttempts: 1 } }, { returnDocument: 'after' }).lean<AppealDoc>();
      const attempts = a?.notifyAttempts ?? 1;
      const retryAt = new Date(ctx.now().getTime() + backoffMs(attempts));
      if (a) await Appeal.updateOne({ _id: id, notifyAttempts: attempts }, { $set: { notifyRetryAt: retryAt } });
      ctx.logger.warn({ appealId, attempts, retryAt, error: errorKind(err) }, 'appeal notification relay failed; retried after a backoff');
    } catch (recordErr) {
      // The database itself is away: the next sweep finds the appeal still pending.
      ctx.logger.warn({ appealId, error: errorKind(err), recordError: errorKind(recordErr) }, 'appeal notification relay failed; the sweep retries');
    }
  }

  /**
   * Relay one appeal; a failure is logged and recorded on the appeal with the time of its next
   * try, and never thrown. Returns whether it succeeded.
   */
  async function relayAlone(id: Types.ObjectId, current?: AppealDoc, within?: object): Promise<boolean> {
    try {
      await relay(id, current, within);
      return true;
    } catch (err) {
      await recordFailure(id, err);
      return false;
    }
  }

  /**
   * Appeals handed in as just written (filings), relayed together: one outbox write for all their
   * messages and one update per event count, each conditioned on it (the relay's condition). When
   * fewer matched, an appeal moved since: each of the group is relayed alone, which reads it again
   * (the relayed ones find nothing left). A failure is recorded on each appeal it concerns, as
   * relayAlone does; never throws.
   */
  async function relayBatch(batch: readonly Kicked[]): Promise<void> {
    const ready: { a: AppealDoc; items: OutboxItemInput[] }[] = [];
    await Promise.all(
      batch.map(async ({ current: a, within }) => {
        if (isRelayed(a)) return;
        try {
          ready.push({ a, items: await messagesOf(a, within) });
        } catch (err) {
          await recordFailure(a._id, err);
        }
      }),
    );
    if (ready.length === 0) return;
    try {
      await enqueue(ready.flatMap((r) => r.items));
    } catch (err) {
      await Promise.all(ready.map((r) => recordFailure(r.a._id, err)));
      return;
    }
    const byCount = new Map<number, Types.ObjectId[]>();
    for (const { a } of ready) byCount.set(a.eventCount, [...(byCount.get(a.eventCount) ?? []), a._id]);
    for (const [eventCount, ids] of byCount) {
      try {
        const done = await Appeal.updateMany({ _id: { $in: ids }, eventCount }, RELAYED(eventCount));
        if (done.matchedCount < ids.length) await Promise.all(ids.map((id) => relayAlone(id)));
      } catch (err) {
        await Promise.all(ids.map((id) => recordFailure(id, err)));
      }
    }
  }

  /** Filings kicked while a batch is in flight: the next batch. */
  let waiting: Kicked[] = [];
  let draining = false;
  async function drain(): Promise<void> {
    draining = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_BATCH);
        waiting = waiting.slice(batch.length);
        await relayBatch(batch);
      }
    } finally {
      draining = false;
    }
  }
  const track = (p: Promise<unknown>) => {
    const q: Promise<void> = p.then(() => {}).finally(() => inFlight.delete(q));
    inFlight.add(q);
  };

  return {
    /**
     * A new appeal's messages (`a` as it is about to be inserted, its events all pending), written
     * to the outbox held before the appeal exists, so the appeal is stored already relayed and
     * needs no second write: the relay's mark was an update of the appeal, as dear as its insert
     * (issue 16). `release` after the insert (filings released at the same moment share one
     * update), `drop` when it failed. A process that dies between the two leaves them held:
     * `sweepHeld` releases those whose appeal exists and drops the rest after HOLD_GRACE_MS. An
     * insert slower than that may find its messages dropped: then the appeal is relayed again
     * from its first event (what the outbox holds is skipped by its dedupe key). Throws when the
     * messages cannot be written: the filing then stores the appeal pending, as before.
     */
    async hold(a: AppealDoc, within?: object): Promise<HeldMessages> {
      const items = await messagesOf(a, within);
      const { result, at } = await holdWrite(items);
      const ids = result.ids.slice(at, at + items.length).filter((id): id is Types.ObjectId => id !== null);
      logRejected(result.rejected.filter((r) => r.dedupeKey.startsWith(`appeal:${a._id}:`)));
      return {
        release: async () => {
          try {
            if (!(await release(ids))) await relayFromStart([a._id]);
          } catch (err) {
            // Left held: the sweep releases them, as the appeal exists.
            ctx.logger.warn({ appealId: String(a._id), error: errorKind(err) }, 'releasing a filing\'s held notifications failed; the sweep releases them');
          }
        },
        drop: async () => {
          try {
            await box.dropHeld(ids);
          } catch (err) {
            ctx.logger.warn({ appealId: String(a._id), error: errorKind(err) }, 'dropping the held notifications of a failed filing failed; the sweep drops them');
          }
        },
      };
    },
    /**
     * Held messages older than `graceMs` (a crash between a filing's hold and its release):
     * released when their appeal exists, dropped when it does not. Returns how many of each.
     */
    async sweepHeld(graceMs = HOLD_GRACE_MS, limit = 500): Promise<{ released: number; dropped: number }> {
      const held = (await box.heldBefore(new Date(ctx.now().getTime() - graceMs), limit)).filter((h) => h.dedupeKey.startsWith('appeal:') && Types.ObjectId.isValid(appealIdOf(h.dedupeKey)));
      if (held.length === 0) return { released: 0, dropped: 0 };
      const appealIds = [...new Set(held.map((h) => appealIdOf(h.dedupeKey)))].map((id) => new Types.ObjectId(id));
      const stored = new Set((await Appeal.find({ _id: { $in: appealIds } }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((a) => String(a._id)));
      const keep = held.filter((h) => stored.has(appealIdOf(h.dedupeKey))).map((h) => h._id);
      const gone = held.filter((h) => !stored.has(appealIdOf(h.dedupeKey))).map((h) => h._id);
      await Promise.all([box.release(keep), box.dropHeld(gone)]);
      return { released: keep.length, dropped: gone.length };
    },
    /**
     * Right after a change, without making the caller wait; a failure waits for the sweep's backoff.
     * `current`: the appeal as that change wrote it, when the caller has it (saves a read);
     * `within`: the request that made it, when it wrote no user or region (its stamp read serves).
     */
    kick(id: Types.ObjectId, current?: AppealDoc, within?: object): void {
      if (!current) return track(relayAlone(id));
      // Relayed with the others kicked while a batch is in flight (relayBatch); the first at once.
      waiting.push({ current, within });
      if (!draining) track(drain());
    },
    /**
     * Relay every appeal with pending events whose backoff is over (the scheduler runs this),
     * each on its own: one that fails is recorded and the others go on. Returns how many were
     * relayed.
     */
    async sweep(limit = 200): Promise<number> {
      const now = ctx.now();
      // Never failed (null) first, then by the end of the backoff: the due ones lead the index.
      const pending = await Appeal.find({ notifyPending: true }, { _id: 1, notifyRetryAt: 1 }).sort({ notifyRetryAt: 1 }).limit(limit).lean<AppealDoc[]>();
      let relayed = 0;
      for (const a of pending) {
        if (a.notifyRetryAt && a.notifyRetryAt > now) break;
        if (await relayAlone(a._id)) relayed++;
      }
      return relayed;
    },
    /** Wait for kicked relays (shutdown, tests). */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    relay,
  };
}
export type NotificationRelay = ReturnType<typeof notificationRelay>;

import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { OUTBOX_CHANNELS, OUTBOX_STATES, type OutboxChannel, type OutboxState } from './schemas';

/** The state of a record written ahead of what it speaks of (OutboxDoc.state). */
export const HELD = 'held' as const;

/**
 * One message to one recipient on one channel, delivered at least once (outbox.ts). The record is
 * the whole state of its delivery, so a process that dies mid-send loses nothing: its lease runs
 * out and another claimer takes the record.
 */
export interface OutboxDoc {
  _id: Types.ObjectId;
  /** Unique: enqueueing the same key again is a no-op. */
  dedupeKey: string;
  /** What the record is for, to list its deliveries: `notice:<id>`, `digest:<YYYYMMDD>`; null for appeal messages. */
  ref: string | null;
  channel: OutboxChannel;
  /** A room id (bot_room), a WeChat contact id (bot_contact) or a user id (wechat_subscribe). */
  recipient: string;
  /** BotRoomPayload or SubscribePayload (schemas.ts), checked when enqueued. */
  payload: Record<string, unknown>;
  /** Lower first. */
  priority: number;
  /**
   * A delivery's state, or `held`: written before the record it speaks of exists (a filing's
   * messages, written before its appeal: appeals/notify.ts `hold`), never claimed, and released to
   * `pending` once that record is stored or deleted when it never was. Not a delivery state:
   * counts and the API leave it out.
   */
  state: OutboxState | typeof HELD;
  /** Claims so far (a claim is an attempt, even when its claimer dies before reporting). */
  attempts: number;
  /** A pending record is not claimed before this (backoff after a failure, or a scheduled send). */
  nextAttemptAt: Date;
  /** Who holds or last held the lease; kept after completion so a repeated report is recognised. */
  leaseOwner: string | null;
  /** While sending: the lease ends here, and after it any claimer may take the record over. */
  leaseUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  /** E.g. the development sender's "not sent: WeChat not configured". */
  sentNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const outboxSchema = new Schema<OutboxDoc>(
  {
    dedupeKey: { type: String, required: true, unique: true },
    ref: { type: String, default: null },
    channel: { type: String, enum: OUTBOX_CHANNELS, required: true },
    recipient: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    priority: { type: Number, required: true },
    state: { type: String, enum: [...OUTBOX_STATES, HELD], required: true },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
    sentNote: { type: String, default: null },
  },
  { ...baseOptions, minimize: false },
);
// The claim: due pending records and expired leases of one channel, by priority then age.
outboxSchema.index({ channel: 1, state: 1, priority: 1, createdAt: 1 });
outboxSchema.index({ channel: 1, state: 1, nextAttemptAt: 1 });
outboxSchema.index({ channel: 1, state: 1, leaseUntil: 1 });
// A notice's deliveries, per room (the workbench's delivery status).
outboxSchema.index({ ref: 1, recipient: 1 });
// The cleanup job deletes records sent long ago.
outboxSchema.index({ sentAt: 1 });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function outboxModels(conn: Connection) {
  return {
    Outbox: ownModel(conn, 'Outbox', outboxSchema),
  };
}

import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/**
 * One one-time grant (一次性订阅) of a WeChat subscribe message: the user tapped 允许 for this
 * template once, so WeChat lets the server send them one message with it. A send consumes one
 * grant (`consumedAt`, `consumedFor`); without an unconsumed grant nothing is sent.
 */
export interface SubscriptionGrantDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  /** Our name of the template (`appeal_progress`). */
  template: string;
  /** WeChat's id of the template the user agreed to: a grant for a template the county replaced counts no more. */
  templateId: string;
  /** The app's key for one requestSubscribeMessage: a retried report of it records nothing twice. */
  idempotencyKey: string;
  grantedAt: Date;
  consumedAt: Date | null;
  /** What consumed it (the outbox record's id), so a retried delivery of that record reuses it. */
  consumedFor: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const subscriptionGrantSchema = new Schema<SubscriptionGrantDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    template: { type: String, required: true },
    templateId: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    grantedAt: { type: Date, required: true },
    consumedAt: { type: Date, default: null },
    consumedFor: { type: String, default: null },
  },
  baseOptions,
);
// One grant per acceptance: the same report sent twice hits this and is recorded once.
subscriptionGrantSchema.index({ userId: 1, idempotencyKey: 1, templateId: 1 }, { unique: true });
// Consume the oldest unconsumed grant of a user and template; count what is left.
subscriptionGrantSchema.index({ userId: 1, templateId: 1, consumedAt: 1, grantedAt: 1 });
// A retried delivery finds the grant its record already consumed.
subscriptionGrantSchema.index({ consumedFor: 1 });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function subscriptionModels(conn: Connection) {
  return {
    SubscriptionGrant: ownModel(conn, 'SubscriptionGrant', subscriptionGrantSchema),
  };
}

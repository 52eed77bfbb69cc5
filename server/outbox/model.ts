import { Schema, baseOptions, type Types } from '../db/schema-helpers';

/** One message to one recipient on one channel (skeleton: the outbox feature fills it in). */
export interface OutboxDoc {
  _id: Types.ObjectId;
  dedupeKey: string;
  channel: string;
  recipient: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export const outboxSchema = new Schema<OutboxDoc>(
  {
    dedupeKey: { type: String, required: true, unique: true },
    channel: { type: String, required: true },
    recipient: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
  },
  baseOptions,
);

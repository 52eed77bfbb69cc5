import { Schema } from '../db/schema-helpers';

/** One applied section of the demo county seed (server/seed/seed.ts), by name. */
export interface SeedRecordDoc {
  _id: string;
  count: number;
  createdAt: Date;
}

export const seedRecordSchema = new Schema<SeedRecordDoc>(
  { _id: { type: String, required: true }, count: { type: Number, required: true } },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, autoIndex: false },
);

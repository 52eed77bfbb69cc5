import { Schema, ownModel, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/**
 * One applied section of the demo county seed (server/seed/seed.ts), by name; or, while a section
 * is being written, `pending:<name>` with the ids of every document the section writes, so an
 * interrupted run can be undone exactly.
 */
export interface SeedRecordDoc {
  _id: string;
  count: number;
  pending?: { model: string; ids: Types.ObjectId[] }[];
  createdAt: Date;
}

export const seedRecordSchema = new Schema<SeedRecordDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    pending: { type: [{ _id: false, model: { type: String, required: true }, ids: { type: [Schema.Types.ObjectId], default: [] } }], default: undefined },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, autoIndex: false },
);

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function seedModels(conn: Connection) {
  return {
    SeedRecord: ownModel(conn, 'SeedRecord', seedRecordSchema),
  };
}

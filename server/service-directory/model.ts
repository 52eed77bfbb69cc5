import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

export const SERVICES_CACHE = 'service-directory';

export interface ServiceEntryDoc {
  _id: Types.ObjectId;
  name: string;
  group: string;
  phone: string;
  hours: string;
  address: string;
  keywords: string[];
  note: string;
  sort: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}
export const serviceEntrySchema = new Schema<ServiceEntryDoc>(
  {
    name: { type: String, required: true, unique: true },
    group: { type: String, required: true },
    phone: { type: String, required: true },
    hours: { type: String, default: '' },
    address: { type: String, default: '' },
    keywords: { type: [String], default: [] },
    note: { type: String, default: '' },
    sort: { type: Number, default: 100 },
    active: { type: Boolean, default: true },
  },
  { ...baseOptions, minimize: false },
);
serviceEntrySchema.plugin(cacheStampPlugin(SERVICES_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function serviceDirectoryModels(conn: Connection) {
  return {
    ServiceEntry: ownModel(conn, 'ServiceEntry', serviceEntrySchema),
  };
}

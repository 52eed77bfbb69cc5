import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

/** The read cache's namespace for this collection: every write bumps it (core/cache/stamps.ts). */
export const DEPARTMENTS_CACHE = 'departments';

export interface DepartmentDoc {
  _id: Types.ObjectId;
  name: string;
  code: string;
  phone: string | null;
  sort: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const departmentSchema = new Schema<DepartmentDoc>(
  {
    name: { type: String, required: true, unique: true },
    code: { type: String, required: true, unique: true },
    phone: { type: String, default: null },
    sort: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
  },
  baseOptions,
);
departmentSchema.plugin(cacheStampPlugin(DEPARTMENTS_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function departmentModels(conn: Connection) {
  return {
    Department: ownModel(conn, 'Department', departmentSchema),
  };
}

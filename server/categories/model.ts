import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

/** The read cache's namespace for this collection: every write bumps it (core/cache/stamps.ts). */
export const CATEGORIES_CACHE = 'categories';

/**
 * The dispatch catalogue (派单目录): what residents can report, which unit handles it by default,
 * and the deadlines that apply. Data, not code, so a county edits it without a release.
 */
export interface CategoryDoc {
  _id: Types.ObjectId;
  code: string;
  name: string;
  /** The heading the category is listed under (城市管理, 公用事业 ...). */
  group: string;
  /** Where a new appeal goes by rule (直派); null means a dispatcher decides. */
  defaultDepartmentId: Types.ObjectId | null;
  /** Hours allowed: accept, first contact with the resident, resolve. */
  deadlines: { acceptHours: number; firstContactHours: number; resolveHours: number };
  sort: number;
  active: boolean;
  /** Words residents use for it (路灯: 灯不亮, 灯坏了): with the name, what the category suggestion (server/suggest) starts from before any appeal is learned. Absent on categories stored before. */
  keywords?: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const categorySchema = new Schema<CategoryDoc>(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    group: { type: String, required: true },
    defaultDepartmentId: { type: Schema.Types.ObjectId, default: null },
    deadlines: {
      acceptHours: { type: Number, required: true },
      firstContactHours: { type: Number, required: true },
      resolveHours: { type: Number, required: true },
    },
    sort: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
    keywords: { type: [String], default: [] },
  },
  baseOptions,
);
categorySchema.plugin(cacheStampPlugin(CATEGORIES_CACHE));

/** docs/PRODUCT.md: accept within 2 h, first contact within 24 h, resolve within 7 days. */
export const DEFAULT_DEADLINES = { acceptHours: 2, firstContactHours: 24, resolveHours: 7 * 24 };

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function categoryModels(conn: Connection) {
  return {
    Category: ownModel(conn, 'Category', categorySchema),
  };
}

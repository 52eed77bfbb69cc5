import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

/** The read cache's namespace for this collection: every write bumps it (core/cache/stamps.ts). */
export const REGIONS_CACHE = 'regions';

export const REGION_LEVELS = ['county', 'township', 'community', 'grid'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];
export const REGION_LEVEL_LABELS: Record<RegionLevel, string> = { county: '县', township: '乡镇/街道', community: '社区/村', grid: '网格' };

export interface RegionDoc {
  _id: Types.ObjectId;
  name: string;
  /** Administrative code, unique in the county, e.g. `DX-01-02`. */
  code: string;
  level: RegionLevel;
  parentId: Types.ObjectId | null;
  /**
   * Ids from the root down to and including this node, as `/a/b/c/`, so "everything under this
   * township" is one anchored prefix query on an indexed string (no $graphLookup needed).
   */
  path: string;
  pathNames: string[];
  sort: number;
  /** GCJ-02 centre for the nearest-region suggestion (admin-set); absent or null when unknown. */
  centre?: { lat: number; lng: number } | null;
  createdAt: Date;
  updatedAt: Date;
}

export const regionSchema = new Schema<RegionDoc>(
  {
    name: { type: String, required: true },
    code: { type: String, required: true, unique: true },
    level: { type: String, enum: REGION_LEVELS, required: true },
    parentId: { type: Schema.Types.ObjectId, default: null, index: true },
    path: { type: String, required: true, index: true },
    pathNames: { type: [String], default: [] },
    sort: { type: Number, default: 0 },
    centre: { type: new Schema({ lat: Number, lng: Number }, { _id: false }), default: null },
  },
  baseOptions,
);
regionSchema.plugin(cacheStampPlugin(REGIONS_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function regionModels(conn: Connection) {
  return {
    Region: ownModel(conn, 'Region', regionSchema),
  };
}

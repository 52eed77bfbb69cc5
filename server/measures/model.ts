import { Schema, ownModel } from '../db/schema-helpers';
import type { Connection, Types } from 'mongoose';

/**
 * A China day's rollup (`_id` YYYYMMDD, China time): claimed by one process with a lease
 * (`leaseUntil`), `done` once its pack (MeasurePackDoc) is written, and `packed` with it. A day
 * is rolled up only after it has ended, and never again once done. Days rolled up by an older
 * version kept their cells as documents of their own (`measurecells`) and are not `packed`: the
 * rollup rolls them up again (rollup.ts).
 */
export interface MeasureDayDoc {
  _id: string;
  done: boolean;
  packed: boolean;
  leaseUntil: Date;
  rolledAt: Date | null;
  cells: number;
}

/**
 * A rolled-up day's figures per cell (the appeal's region leaf path, department, category,
 * channel), packed into one string (pack.ts), `_id` the day. Kept apart from the day's claim so
 * that reading which days are done never reads the packs: the embedded database decodes a whole
 * document even for a projection.
 */
export interface MeasurePackDoc {
  _id: string;
  pack: string;
}

export const measurePackSchema = new Schema<MeasurePackDoc>(
  {
    _id: { type: String, required: true },
    pack: { type: String, required: true },
  },
  { versionKey: false, autoIndex: false },
);

export const measureDaySchema = new Schema<MeasureDayDoc>(
  {
    _id: { type: String, required: true },
    done: { type: Boolean, required: true },
    leaseUntil: { type: Date, required: true },
    rolledAt: { type: Date, default: null },
    packed: { type: Boolean, default: false },
    cells: { type: Number, default: 0 },
  },
  { versionKey: false, autoIndex: false },
);

/**
 * The read-cache namespace of which days are rolled up: bumped once by a rollup run that rolled
 * any day up, and by `forget` (rollup.ts). Not on every write of `measuredays`: a run's claims and
 * leases (two writes per day, 400 days at a new installation's start) would each bump it.
 */
export const MEASURE_DAYS_CACHE = 'measure-days';

/**
 * A big screen's key (数据大屏): admins issue one per screen so the media centre's display shows
 * the county's dashboard without a staff member's sign-in (which expires, and would put a
 * person's session on a wall). It reads the dashboard only. The key is shown once; only its
 * SHA-256 is kept. Revoked keys stay listed.
 */
export interface ScreenKeyDoc {
  _id: Types.ObjectId;
  name: string;
  keyHash: string;
  /** The key's first characters, to tell keys apart in the list. */
  prefix: string;
  createdById: Types.ObjectId;
  createdByName: string;
  revokedAt: Date | null;
  revokedByName: string | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const screenKeySchema = new Schema<ScreenKeyDoc>(
  {
    name: { type: String, required: true },
    keyHash: { type: String, required: true },
    prefix: { type: String, required: true },
    createdById: { type: Schema.Types.ObjectId, required: true },
    createdByName: { type: String, required: true },
    revokedAt: { type: Date, default: null },
    revokedByName: { type: String, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, autoIndex: false },
);
screenKeySchema.index({ keyHash: 1 }, { unique: true });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function measureModels(conn: Connection) {
  return {
    MeasureDay: ownModel(conn, 'MeasureDay', measureDaySchema),
    MeasurePack: ownModel(conn, 'MeasurePack', measurePackSchema),
    ScreenKey: ownModel(conn, 'ScreenKey', screenKeySchema),
  };
}

import { Schema, ownModel } from '../db/schema-helpers';
import type { Connection, Types } from 'mongoose';
import { COUNT_NAMES, DURATION_NAMES, type Tally } from './formulas';

/**
 * One China day's figures in one cell (the appeal's region leaf path, department, category,
 * channel), written once by the rollup (rollup.ts) after the day has ended. `_id` is the key
 * `day|regionPath|department|category|channel`: two processes rolling up the same day write the
 * same documents (the same key, the same values), never two.
 */
export interface MeasureCellDoc extends Tally {
  _id: string;
  /** YYYYMMDD, China time. */
  day: string;
  regionPath: string;
  departmentId: string | null;
  categoryId: string | null;
  channel: string;
}

const cellFields: Record<string, unknown> = {
  _id: { type: String, required: true },
  day: { type: String, required: true },
  regionPath: { type: String, required: true },
  departmentId: { type: String, default: null },
  categoryId: { type: String, default: null },
  channel: { type: String, required: true },
};
for (const n of COUNT_NAMES) cellFields[n] = { type: Number, default: 0 };
// The durations behind the medians, in seconds: a day's cell holds a few at most.
for (const n of DURATION_NAMES) cellFields[n] = { type: [Number], default: [] };

export const measureCellSchema = new Schema<MeasureCellDoc>(cellFields, { versionKey: false, autoIndex: false });
// A period's cells: the whole county by day range; a region subtree (community staff, a
// township's dispatcher) by its path prefix and days; a department's staff by department and days.
measureCellSchema.index({ day: 1 });
measureCellSchema.index({ regionPath: 1, day: 1 });
measureCellSchema.index({ departmentId: 1, day: 1 });

/**
 * A China day's rollup: claimed by one process with a lease (`leaseUntil`), `done` once all its
 * cells are written. A day is rolled up only after it has ended, and never again once done.
 */
export interface MeasureDayDoc {
  _id: string;
  done: boolean;
  leaseUntil: Date;
  rolledAt: Date | null;
  cells: number;
}

export const measureDaySchema = new Schema<MeasureDayDoc>(
  {
    _id: { type: String, required: true },
    done: { type: Boolean, required: true },
    leaseUntil: { type: Date, required: true },
    rolledAt: { type: Date, default: null },
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
    MeasureCell: ownModel(conn, 'MeasureCell', measureCellSchema),
    MeasureDay: ownModel(conn, 'MeasureDay', measureDaySchema),
    ScreenKey: ownModel(conn, 'ScreenKey', screenKeySchema),
  };
}

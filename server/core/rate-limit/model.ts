import type { Connection, Model } from 'mongoose';
import { Schema, ownModel } from '../../db/schema-helpers';

/**
 * One fixed window of one limiter key: `<key>|<window start ms>`. Kept in the database, not in a
 * process's memory, so several server processes share one budget and a restart does not reset it.
 * The cleanup job deletes windows once `expiresAt` has passed (FerretDB has no TTL indexes).
 */
export interface RateWindowDoc {
  _id: string;
  count: number;
  expiresAt: Date;
  /** Windows of shorter limits counted in this one (`RateLimit.countedIn`), by limit and start. */
  w?: Record<string, number>;
}

export const rateWindowSchema = new Schema<RateWindowDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true, index: true },
    w: { type: Schema.Types.Mixed },
  },
  { versionKey: false, autoIndex: false },
);



/** The limiter's collection on a connection: the platform owns it, no feature touches it directly. */
export function rateWindowModel(conn: Connection): Model<RateWindowDoc> {
  return ownModel(conn, 'RateWindow', rateWindowSchema);
}

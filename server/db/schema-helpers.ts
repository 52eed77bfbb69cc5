import { Schema, Types } from 'mongoose';

/** The id as the API shows it. */
export const idOf = (v: Types.ObjectId | string | null | undefined): string | null => (v == null ? null : String(v));

export const newId = () => new Types.ObjectId();

/**
 * Schema options shared by every collection: timestamps, no `__v`, and no mongoose autoIndex at
 * connect (indexes are built explicitly by `syncIndexes` at start, so a slow index build is
 * visible in the logs instead of racing the first request).
 */
export const baseOptions = { timestamps: true, versionKey: false, autoIndex: false } as const;

export { Schema, Types };

import { Schema, Types, type Connection } from 'mongoose';

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

/**
 * A feature's model on a connection, registered there on first use and the same object after.
 * Each feature declares its collections with this in its own `model.ts` (`appealModels(conn)`), so
 * only the folder that owns a collection can reach it; the app's context carries the connection,
 * not a bag of every feature's models.
 */
export function ownModel<S extends Schema>(conn: Connection, name: string, schema: S) {
  const register = () => conn.model(name, schema);
  return (conn.models[name] as ReturnType<typeof register> | undefined) ?? register();
}

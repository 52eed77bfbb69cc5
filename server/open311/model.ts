import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/**
 * An Open311 API key an admin issued to an outside system (a city app, a partner's client). The
 * key itself is shown once, at issue; only its SHA-256 is kept. The key's id is the account its
 * filings are submitted by (appeals' submittedById), so its retries and limits are its own.
 */
export interface Open311KeyDoc {
  _id: Types.ObjectId;
  /** What the system is called (shown in the workbench and as the filer on the timeline). */
  name: string;
  /** Who runs it (a company, a department), for the admin's records. */
  owner: string;
  /** SHA-256 (hex) of the key. */
  keyHash: string;
  /** The key's first characters, so an admin can tell keys apart without the key. */
  prefix: string;
  /** Filings an hour this key may make (server/open311/requests.ts). */
  perHour: number;
  createdById: Types.ObjectId;
  createdByName: string;
  revokedAt: Date | null;
  revokedByName: string | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const open311KeySchema = new Schema<Open311KeyDoc>(
  {
    name: { type: String, required: true },
    owner: { type: String, required: true },
    keyHash: { type: String, required: true },
    prefix: { type: String, required: true },
    perHour: { type: Number, required: true },
    createdById: { type: Schema.Types.ObjectId, required: true },
    createdByName: { type: String, required: true },
    revokedAt: { type: Date, default: null },
    revokedByName: { type: String, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  baseOptions,
);
// Every filing finds its key by the key's hash.
open311KeySchema.index({ keyHash: 1 }, { unique: true });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function open311Models(conn: Connection) {
  return {
    Open311Key: ownModel(conn, 'Open311Key', open311KeySchema),
  };
}

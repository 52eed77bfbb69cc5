import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

export const BINDING_TYPES = ['room', 'contact'] as const;
export type BindingType = (typeof BINDING_TYPES)[number];

/**
 * A one-time code: said in a group (`绑定 12345678`) or in a private chat with the bot. Usable
 * while unused, not cancelled and not expired; the cleanup job (server/maintenance) deletes it a
 * while after it expires (FerretDB has no TTL indexes).
 */
export interface BindingCodeDoc {
  _id: Types.ObjectId;
  code: string;
  type: BindingType;
  /** room: the community the group chat belongs to. */
  regionId: Types.ObjectId | null;
  /** Who asked for the code; for `contact` also the user whose WeChat contact gets bound. */
  createdBy: Types.ObjectId;
  expiresAt: Date;
  usedAt: Date | null;
  usedFor: string | null;
  /** Set when a newer code of the same kind and target replaced this one before it was used. */
  cancelledAt: Date | null;
  createdAt: Date;
}

export const bindingCodeSchema = new Schema<BindingCodeDoc>(
  {
    code: { type: String, required: true, unique: true },
    type: { type: String, enum: BINDING_TYPES, required: true },
    regionId: { type: Schema.Types.ObjectId, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    usedFor: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);
// A new code cancels the older ones of its target: contact codes by creator, room codes by community.
bindingCodeSchema.index({ type: 1, createdBy: 1 });
bindingCodeSchema.index({ type: 1, regionId: 1 });
// The cleanup job deletes by expiry.
bindingCodeSchema.index({ expiresAt: 1 });

/** A WeChat group chat bound to a community. */
export interface RoomDoc {
  _id: Types.ObjectId;
  roomId: string;
  topic: string;
  regionId: Types.ObjectId;
  regionPath: string;
  boundBy: Types.ObjectId;
  boundAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const roomSchema = new Schema<RoomDoc>(
  {
    roomId: { type: String, required: true, unique: true },
    topic: { type: String, required: true },
    regionId: { type: Schema.Types.ObjectId, required: true },
    regionPath: { type: String, required: true, index: true },
    boundBy: { type: Schema.Types.ObjectId, required: true },
    boundAt: { type: Date, required: true },
  },
  baseOptions,
);

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function bindingModels(conn: Connection) {
  return {
    BindingCode: ownModel(conn, 'BindingCode', bindingCodeSchema),
    Room: ownModel(conn, 'Room', roomSchema),
  };
}

import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/**
 * Staff reads of personal data (PIPL) and other actions worth answering for later, e.g. every
 * bind, rebind and unbind of a group chat or a staff member's WeChat: who (the account, and the
 * WeChat contact that spoke), from which chat (group id, or the contact for a private chat).
 */
export interface AuditDoc {
  _id: Types.ObjectId;
  actorId: Types.ObjectId;
  action: string;
  targetType: string;
  targetId: string;
  /** The WeChat contact that acted through the bot, if any. */
  actorContactId: string | null;
  /** Where it happened: a group chat's id, or the contact's id for a private chat with the bot. */
  chatId: string | null;
  /** What else explains the entry, e.g. `{ regionId, previousRegionId }` for a rebind. */
  details: Record<string, string | null> | null;
  createdAt: Date;
}

export const auditSchema = new Schema<AuditDoc>(
  {
    actorId: { type: Schema.Types.ObjectId, required: true, index: true },
    action: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
    actorContactId: { type: String, default: null },
    chatId: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: null },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);
// "What happened to this group / this user": one target's history in time order.
auditSchema.index({ targetType: 1, targetId: 1, createdAt: 1 });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function auditModels(conn: Connection) {
  return {
    Audit: ownModel(conn, 'Audit', auditSchema),
  };
}

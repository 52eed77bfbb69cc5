import { Schema, baseOptions, type Types } from '../db/schema-helpers';

/** Staff reads of personal data (PIPL) and other actions worth answering for later. */
export interface AuditDoc {
  _id: Types.ObjectId;
  actorId: Types.ObjectId;
  action: string;
  targetType: string;
  targetId: string;
  createdAt: Date;
}

export const auditSchema = new Schema<AuditDoc>(
  {
    actorId: { type: Schema.Types.ObjectId, required: true, index: true },
    action: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
  },
  { ...baseOptions, timestamps: { createdAt: true, updatedAt: false } },
);

import { Schema, baseOptions, type Types } from '../db/schema-helpers';

/** One stored picture, named by the SHA-256 of the uploaded bytes (skeleton: photos feature fills it in). */
export interface PhotoDoc {
  _id: string;
  uploaderId: Types.ObjectId;
  mime: string;
  bytes: number;
  width: number;
  height: number;
  createdAt: Date;
  updatedAt: Date;
}

export const photoSchema = new Schema<PhotoDoc>(
  {
    _id: { type: String, required: true },
    uploaderId: { type: Schema.Types.ObjectId, required: true },
    mime: { type: String, required: true },
    bytes: { type: Number, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
  },
  baseOptions,
);

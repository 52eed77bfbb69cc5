import { Schema, baseOptions } from '../db/schema-helpers';

/**
 * One stored picture, named by the SHA-256 of the uploaded bytes. Written only after its three
 * files (original, display copy, thumbnail) are on disk under their final names (storage.ts).
 *
 * Uploader ids are strings, not ObjectIds, because the bot is a service identity whose id is
 * `bot`. The same bytes uploaded by two people are one photo that both may attach: the first
 * uploader is kept for the record, every uploader is in `uploaderIds`.
 */
export interface PhotoDoc {
  _id: string;
  uploaderId: string;
  uploaderIds: string[];
  /** The original's type as recognised from its content: image/jpeg, image/png or image/webp. */
  mime: string;
  /** Size of the original upload. */
  bytes: number;
  /** Dimensions of the display copy (upright, at most DISPLAY_MAX_SIDE on the long side). */
  width: number;
  height: number;
  createdAt: Date;
  updatedAt: Date;
}

export const photoSchema = new Schema<PhotoDoc>(
  {
    _id: { type: String, required: true },
    uploaderId: { type: String, required: true },
    uploaderIds: { type: [String], required: true },
    mime: { type: String, required: true },
    bytes: { type: Number, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
  },
  baseOptions,
);

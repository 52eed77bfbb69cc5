import { Schema, ownModel, baseOptions } from '../db/schema-helpers';
import type { Connection } from 'mongoose';

/**
 * One stored picture, named by the SHA-256 of the uploaded bytes. Written only after its three
 * files (original, display copy, thumbnail) are on disk under their final names (storage.ts).
 *
 * What is kept per photo: the original as uploaded (evidence: EXIF time and GPS, for those who
 * handle its record only), a display copy (at most 1600 px, no metadata, about a tenth of a phone
 * photo's bytes) and a thumbnail (320 px, a few KB, for lists on phones). The copies cannot be
 * dropped: the original may not be shown to everyone (metadata), and lists of 20 appeals would
 * load 20 full-size copies on a phone without thumbnails.
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
  /**
   * The last upload of these bytes (by anyone) or the last request that named it to be attached
   * (photoService.requireOwned), on ctx.now(): an orphan's age counts from here.
   */
  touchedAt: Date;
  /**
   * Seen attached to a record (appeal, answer, article) by the cleanup job: never an orphan again.
   * Records written before this field existed have none and are never treated as orphans.
   */
  attached: boolean;
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
    touchedAt: { type: Date, required: true },
    attached: { type: Boolean, default: false },
  },
  baseOptions,
);

/** The cleanup job's orphan candidates: not attached, last touched before a time, oldest first. */
photoSchema.index({ attached: 1, touchedAt: 1 });

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function photoModels(conn: Connection) {
  return {
    Photo: ownModel(conn, 'Photo', photoSchema),
  };
}

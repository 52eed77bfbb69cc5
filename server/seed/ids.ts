import { Types } from 'mongoose';

/**
 * The seed's ids: `<seconds of at><5eed><tag><serial>`. They sort by time (lists page by `_id`), so
 * the demo's history lists in story order, and the same moment gives the same ids. Tags: 00 the
 * appeals; a1…a8 the news section's kinds.
 */
export const seedId = (at: Date, tag: string, serial: number) =>
  new Types.ObjectId(Types.ObjectId.createFromTime(Math.floor(at.getTime() / 1000)).toHexString().slice(0, 8) + '5eed' + tag + serial.toString(16).padStart(10, '0'));

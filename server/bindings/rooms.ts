import type { Types } from 'mongoose';
import { recordsOf } from '../db/records';
import type { AppContext } from '../context';
import { pathPrefixRegex } from '../regions';
import { bindingModels, type RoomDoc } from './model';

/**
 * How other features read the bound group chats (bindings/index.ts): the rooms a scope reaches
 * (notices, the news digest), a room by its WeChat id (the bot's appeals). Lean documents.
 */
export function boundRooms(ctx: AppContext) {
  const { Room } = bindingModels(ctx.conn);

  return {
    /**
     * The rooms bound under any of the region paths (every room when there are none: county-wide),
     * in binding order (by id), with their WeChat room id and region path.
     */
    inScope(regionPaths: readonly string[]) {
      const filter = regionPaths.length === 0 ? {} : { $or: regionPaths.map((p) => ({ regionPath: pathPrefixRegex(p) })) };
      return Room.find(filter, { roomId: 1, regionPath: 1 }).sort({ _id: 1 }).lean<Pick<RoomDoc, '_id' | 'roomId' | 'regionPath'>[]>();
    },

    /** Every bound room, in the database's order. */
    all: () => Room.find().lean<RoomDoc[]>(),

    /** The bound rooms as records, written as given (the demo seed's group chats). */
    records: () => recordsOf(Room),

    /** The room bound under that WeChat room id, or null. */
    byRoomId: (roomId: string) => Room.findOne({ roomId }).lean<RoomDoc>(),

    /** The rooms bound under those WeChat room ids (unbound ones are missing). */
    byRoomIds: (roomIds: readonly string[]) => Room.find({ roomId: { $in: roomIds } }).lean<RoomDoc[]>(),

    /** How many group chats are bound to that region (a region in use is not removed). */
    countInRegion: (regionId: Types.ObjectId) => Room.countDocuments({ regionId }),
  };
}
export type BoundRooms = ReturnType<typeof boundRooms>;

import type { Model, Types } from 'mongoose';

/**
 * A collection's documents written as they are, with their ids: how a feature lets the demo seed
 * write its reference data (server/seed/seed.ts), and undo an interrupted section by exactly those
 * ids, without handing out its model.
 */
export interface Records {
  /** Writes the document as given (one at a time: the seed counts each write). */
  insert(doc: { _id: Types.ObjectId } & Record<string, unknown>): Promise<void>;
  /** Deletes the documents with these ids (and nothing else). */
  remove(ids: readonly Types.ObjectId[]): Promise<void>;
  /** How many documents the collection holds. */
  count(): Promise<number>;
}

export function recordsOf(model: Model<any, any, any, any, any, any, any>): Records {
  return {
    async insert(doc) {
      await model.create(doc);
    },
    async remove(ids) {
      await model.deleteMany({ _id: { $in: ids } });
    },
    count: () => model.countDocuments(),
  };
}

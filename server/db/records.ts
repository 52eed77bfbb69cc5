import type { Model, Types } from 'mongoose';

type Doc = { _id: Types.ObjectId | string } & Record<string, unknown>;

/**
 * A collection's documents written as they are, with their ids: how a feature lets the demo seed
 * write what the feature produced (server/seed/seed.ts), copy it into the seed's sandbox, and undo
 * an interrupted section by exactly those ids, without handing out its model.
 */
export interface Records {
  /** Writes the document as given (one at a time: the seed counts each write). */
  insert(doc: Doc): Promise<void>;
  /** Writes the documents as given, in one batch (copying into the seed's sandbox). */
  insertMany(docs: readonly Doc[]): Promise<void>;
  /** Every document as stored (raw, no defaults applied): what the sandbox copies. */
  all(): Promise<Doc[]>;
  /** Deletes the documents with these ids (and nothing else). */
  remove(ids: readonly (Types.ObjectId | string)[]): Promise<void>;
  /** How many documents the collection holds. */
  count(): Promise<number>;
}

export function recordsOf(model: Model<any, any, any, any, any, any, any>): Records {
  return {
    async insert(doc) {
      // As given: a document that carries its own createdAt (played on the seed's clock) keeps both
      // its timestamps; one without gets them now.
      await model.create([doc], { timestamps: !('createdAt' in doc) });
    },
    async insertMany(docs) {
      if (docs.length > 0) await model.collection.insertMany(docs.map((d) => ({ ...d })) as never[]);
    },
    all: async () => (await model.collection.find().toArray()) as Doc[],
    async remove(ids) {
      await model.deleteMany({ _id: { $in: ids } });
    },
    count: () => model.countDocuments(),
  };
}

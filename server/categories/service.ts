import type { Types } from 'mongoose';
import { recordsOf } from '../db/records';
import type { AppContext } from '../context';
import { categoryModels, type CategoryDoc } from './model';

/** What other features may ask of the appeal categories (their collection stays here). */
export function categoryService(ctx: AppContext) {
  const { Category } = categoryModels(ctx.conn);
  return {
    /** The category, active or retired; null when there is none. */
    byId: (id: string | Types.ObjectId): Promise<CategoryDoc | null> => Category.findById(id).lean<CategoryDoc>(),
    /** The category when it is active; null otherwise. */
    /** Every category, active or retired, in the database's order. */
    all: () => Category.find().lean<CategoryDoc[]>(),
    /** The categories as records, written as given (the demo seed's reference data). */
    records: () => recordsOf(Category),
    /** The collection's estimated count (an empty database has none). */
    estimatedCount: () => Category.estimatedDocumentCount(),
    activeById: (id: string | Types.ObjectId): Promise<CategoryDoc | null> => Category.findOne({ _id: id, active: true }).lean<CategoryDoc>(),
  };
}
export type CategoryService = ReturnType<typeof categoryService>;

import type { Types } from 'mongoose';
import { recordsOf } from '../db/records';
import type { AppContext } from '../context';
import { departmentModels, type DepartmentDoc } from './model';

/** What other features may ask of the departments (their collection stays here). */
export function departmentService(ctx: AppContext) {
  const { Department } = departmentModels(ctx.conn);
  return {
    /** Whether a department with this id exists, active or retired. */
    exists: async (id: string): Promise<boolean> => !!(await Department.exists({ _id: id })),
    /** The department when it is active (it takes appeals); null otherwise. */
    activeById: (id: string | Types.ObjectId): Promise<DepartmentDoc | null> => Department.findOne({ _id: id, active: true }).lean<DepartmentDoc>(),
    /** Every department, active or retired, in the database's order. */
    all: () => Department.find().lean<DepartmentDoc[]>(),
    /** The departments as records, written as given (the demo seed's reference data). */
    records: () => recordsOf(Department),
    /** The collection's estimated count (an empty database has none). */
    estimatedCount: () => Department.estimatedDocumentCount(),
    /** The department's name (active or retired); null when there is no such department. */
    nameOf: async (id: string | Types.ObjectId): Promise<string | null> =>
      (await Department.findById(id, { name: 1 }).lean<Pick<DepartmentDoc, 'name'>>())?.name ?? null,
  };
}
export type DepartmentService = ReturnType<typeof departmentService>;

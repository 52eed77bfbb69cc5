import type { AppContext } from '../context';

/** What other features may ask of the departments (their collection stays here). */
export function departmentService(ctx: AppContext) {
  const { Department } = ctx.models;
  return {
    /** Whether a department with this id exists, active or retired. */
    exists: async (id: string): Promise<boolean> => !!(await Department.exists({ _id: id })),
  };
}
export type DepartmentService = ReturnType<typeof departmentService>;

/**
 * The departments feature's face: what other features may use of it. Departments are a catalogue
 * (core/catalogue.ts); the app mounts their routes from routes.ts.
 */
export { departmentService, type DepartmentService } from './service';
export { DEPARTMENTS_CACHE, type DepartmentDoc } from './model';

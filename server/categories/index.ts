/**
 * The categories feature's face: what other features may use of it. Categories are a catalogue
 * (core/catalogue.ts); the app mounts their routes from routes.ts.
 */
export { categoryService, type CategoryService } from './service';
export { CATEGORIES_CACHE, DEFAULT_DEADLINES, type CategoryDoc } from './model';

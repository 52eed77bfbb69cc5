import { Router } from 'express';
import type { AppContext } from '../context';
import type { RouteDef } from '../core/route';

/** Skeleton: the photos feature fills these in. Reads of stored photos (JSON-less answers). */
export function photoRoutes(_ctx: AppContext): RouteDef[] {
  return [];
}

/** Skeleton: multipart uploads, mounted before the API's JSON-only body parser. */
export function photoUploadRouter(_ctx: AppContext): Router {
  return Router();
}

import type { AuthUser } from '../server/core/route';

declare global {
  namespace Express {
    interface Request {
      user?: AuthUser | null;
    }
  }
}
export {};

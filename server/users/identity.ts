/**
 * Who is asking, without a database round trip per request: the account behind an access token's
 * subject (as routes see it, AuthUser) and its Me, kept in each process's memory through the read
 * cache (core/cache) and checked against the version stamps once per request. Every write that
 * changes what they show (a role, a region, a department, a deactivation, a new home community)
 * bumps the users stamp (model.ts), a region's path the regions stamp, a department's name the
 * departments stamp; so the next request in any server process after such a write sees it.
 */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { notFound } from '../core/errors';
import type { AuthUser } from '../core/route';
import { REGIONS_CACHE } from '../regions';
import { DEPARTMENTS_CACHE } from '../departments';
import { USERS_CACHE } from './model';
import { userService } from './service';
import type { Me } from './schemas';

/** Entries per namespace: one per signed-in user active in the last while. */
const MAX_USERS = 20_000;

/** A miss is thrown, so the cache keeps nothing for it (a user made later is found then). */
class NoSuchUser extends Error {}

export interface Identity {
  active: boolean;
  user: AuthUser;
}

export function identityCache(ctx: AppContext) {
  const users = userService(ctx);
  // What an identity and a Me are read from, made once: the read cache joins each list once.
  const IDENTITY_NAMESPACES = [USERS_CACHE, REGIONS_CACHE];
  const ME_NAMESPACES = [USERS_CACHE, REGIONS_CACHE, DEPARTMENTS_CACHE];

  async function orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof NoSuchUser) return null;
      throw err;
    }
  }

  async function doc(id: string) {
    const u = await users.find(id);
    if (!u) throw new NoSuchUser();
    return u;
  }

  return {
    /**
     * The account with this id as routes see it and whether it is active, or null when there is
     * none. `within`: the request asking (one stamp read per request).
     */
    identity: (id: string, within?: object): Promise<Identity | null> =>
      orNull(
        ctx.cache.value<Identity>({ namespace: IDENTITY_NAMESPACES, key: id, maxEntries: MAX_USERS }, async () => {
          const u = await doc(id);
          return { active: u.active, user: await users.toAuthUser(u) };
        }, within),
      ),

    /**
     * GET /me: the account as the apps see it, sent from memory as prepared bytes (private, with an
     * ETag, so an app polling it gets a 304); a 404 when there is none.
     */
    respondMe: async (id: string, http: { req: Request; res: Response }): Promise<Me> => {
      const me = await orNull(ctx.cache.respond<Me>(http, { namespace: ME_NAMESPACES, key: `me:${id}`, private: true, maxEntries: MAX_USERS }, async () => users.toMe(await doc(id))));
      if (!me) throw notFound('用户');
      return me;
    },
  };
}

import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { AppError, unauthenticated } from '../core/errors';
import type { AuthUser } from '../core/route';
import { identityCache } from '../users';
import { sessionStore } from './sessions';
import { accessTokenVerifier, safeEqual } from './tokens';

/** The bot is a service identity of its own, recognised by its token. */
export const BOT_USER: AuthUser = { id: 'bot', name: '群聊机器人', roles: ['bot'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null };

/**
 * Resolves `Authorization: Bearer ...` into `req.user` (null when absent). The account and whether
 * the token's sign-in has ended come from each process's memory, kept true through the database's
 * version stamps (users/identity.ts, sessions.ts): one stamp read per request, shared by the
 * requests waiting for it, and no read of the user or the session while nothing changed. A role or
 * scope change, a deactivation or a sign-out (and every session ended by a new password or a
 * replayed refresh token) bumps a stamp, so the next request after it, in any server process,
 * sees it.
 */
export function authenticate(ctx: AppContext) {
  const identities = identityCache(ctx);
  const sessions = sessionStore(ctx);
  const verify = accessTokenVerifier(ctx.config.jwtSecret);
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.user = null;
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthenticated('Authorization 头格式应为 Bearer <token>');
    const token = m[1];
    if (safeEqual(token, ctx.config.botToken)) {
      req.user = BOT_USER;
      return next();
    }
    const claims = verify(token);
    if (claims === 'expired') throw new AppError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录');
    if (!claims) throw unauthenticated('登录凭证无效，请重新登录');
    const [found, ended] = await Promise.all([identities.identity(claims.sub, req), claims.sid ? sessions.chainEnded(claims.sid, req) : false]);
    if (!found || !found.active) throw unauthenticated('账号不存在或已停用');
    if (ended) throw unauthenticated('已退出登录，请重新登录');
    req.user = found.user;
    next();
  };
}

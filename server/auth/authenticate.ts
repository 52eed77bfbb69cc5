import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { AppError, unauthenticated } from '../core/errors';
import type { AuthUser } from '../core/route';
import { identityCache } from '../users';
import { sessionStore } from './sessions';
import { accessTokenVerifier, safeEqual } from './tokens';

/**
 * The token of `Authorization: Bearer <token>` (the scheme in any case, then white space), or null.
 * The usual `Bearer <token>` is taken without capturing through the full pattern.
 */
export function bearerToken(header: string): string | null {
  if (header.length > 7 && header.startsWith('Bearer ') && !/\s/.test(header.slice(7))) return header.slice(7);
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : null;
}

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
  const { botToken } = ctx.config;
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.user = null;
    const header = req.headers.authorization;
    if (!header) return next();
    const token = bearerToken(header);
    if (!token) throw unauthenticated('Authorization 头格式应为 Bearer <token>');
    // Equal strings have equal lengths: only a token of the bot token's length is compared (in
    // constant time, through two buffers), not every resident's.
    if (token.length === botToken.length && safeEqual(token, botToken)) {
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

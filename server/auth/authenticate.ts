import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { AppError, unauthenticated } from '../core/errors';
import type { AuthUser } from '../core/route';
import { userService } from '../users';
import { safeEqual, verifyAccessToken } from './tokens';

/** The bot is a service identity of its own, recognised by its token. */
export const BOT_USER: AuthUser = { id: 'bot', name: '群聊机器人', roles: ['bot'], scopePaths: [], scopeRegionIds: [], departmentId: null, regionId: null };

/**
 * Resolves `Authorization: Bearer ...` into `req.user` (null when absent). The user is loaded
 * on every request so that a role change or a deactivation takes effect at once.
 */
export function authenticate(ctx: AppContext) {
  const users = userService(ctx);
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
    const claims = verifyAccessToken(token, ctx.config.jwtSecret);
    if (claims === 'expired') throw new AppError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录');
    if (!claims) throw unauthenticated('登录凭证无效，请重新登录');
    const u = await users.find(claims.sub);
    if (!u || !u.active) throw unauthenticated('账号不存在或已停用');
    req.user = await users.toAuthUser(u);
    next();
  };
}

import type { AppContext } from '../context';
import { AppError, unauthenticated } from '../core/errors';
import { identityKey, type UserDoc } from '../users/model';
import { userService } from '../users/service';
import { burnPasswordCheck, verifyPassword } from './passwords';
import { hashToken, newRefreshToken, signAccessToken } from './tokens';
import type { Session } from './schemas';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a just-rotated refresh token may be replayed (the answer to the refresh was lost). */
const REUSE_GRACE_MS = 60 * 1000;

const devLoginDisabled = () => new AppError(403, 'DEV_LOGIN_DISABLED', '生产环境不提供开发登录，请使用微信登录');

export function authService(ctx: AppContext) {
  const { User, Session: Sessions } = ctx.models;
  const users = userService(ctx);

  async function issueSession(user: UserDoc, userAgent: string | null): Promise<Session> {
    if (!user.active) throw new AppError(403, 'FORBIDDEN', '该账号已停用，请联系管理员');
    const refreshToken = newRefreshToken();
    await Sessions.create({
      userId: user._id,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(ctx.now().getTime() + ctx.config.refreshTokenTtlDays * DAY_MS),
      userAgent: userAgent?.slice(0, 200) ?? null,
    });
    await User.updateOne({ _id: user._id }, { $set: { lastLoginAt: ctx.now() } });
    return {
      accessToken: signAccessToken({ sub: String(user._id), roles: user.roles }, ctx.config.jwtSecret, ctx.config.accessTokenTtlSeconds),
      refreshToken,
      expiresIn: ctx.config.accessTokenTtlSeconds,
      user: await users.toMe(user),
    };
  }

  const residentLogin = async (openid: string, userAgent: string | null) =>
    issueSession(await users.findOrCreateByIdentity(identityKey.wechat(openid), { name: '微信用户', roles: ['resident'] }), userAgent);

  const devLoginAllowed = () => ctx.config.env !== 'production';

  return {
    methods: () => ({ wechatMiniProgram: ctx.wechat !== null, devLogin: devLoginAllowed(), password: true }),

    async wechatLogin(code: string, userAgent: string | null): Promise<Session> {
      if (!ctx.wechat) throw devLoginDisabled();
      const { openid } = await ctx.wechat.code2session(code);
      return residentLogin(openid, userAgent);
    },

    async devLogin(openid: string, userAgent: string | null): Promise<Session> {
      if (!devLoginAllowed()) throw devLoginDisabled();
      return residentLogin(openid, userAgent);
    },

    async passwordLogin(username: string, password: string, userAgent: string | null): Promise<Session> {
      const identity = await ctx.models.Identity.findOne({ key: identityKey.username(username) }).lean();
      const user = identity ? await User.findById(identity.userId).lean<UserDoc>() : null;
      if (!user) {
        await burnPasswordCheck(password);
        throw unauthenticated('用户名或密码错误');
      }
      if (!(await verifyPassword(password, user.passwordHash))) throw unauthenticated('用户名或密码错误');
      return issueSession(user, userAgent);
    },

    /**
     * Rotate: the old refresh token is claimed (revoked) atomically, so two concurrent refreshes
     * with one token yield one new session. A token replayed after it was rotated is a sign of
     * theft and ends every session of that user, except within a short grace period: on a weak
     * network the answer to a refresh is often lost, and the phone then retries with the old token.
     */
    async refresh(refreshToken: string, userAgent: string | null): Promise<Session> {
      const tokenHash = hashToken(refreshToken);
      const now = ctx.now();
      const claimed = await Sessions.findOneAndUpdate(
        { tokenHash, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { revokedAt: now, rotatedAt: now } },
        { returnDocument: 'before' },
      ).lean();
      let userId = claimed?.userId;
      if (!claimed) {
        const old = await Sessions.findOne({ tokenHash }).lean();
        const inGrace = old?.rotatedAt && now.getTime() - old.rotatedAt.getTime() < REUSE_GRACE_MS && old.expiresAt > now;
        if (inGrace) userId = old.userId;
        else {
          if (old?.revokedAt) await Sessions.updateMany({ userId: old.userId, revokedAt: null }, { $set: { revokedAt: now } });
          throw new AppError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录');
        }
      }
      const user = await User.findById(userId).lean<UserDoc>();
      if (!user) throw unauthenticated('账号不存在');
      return issueSession(user, userAgent);
    },

    async logout(refreshToken: string): Promise<void> {
      await Sessions.updateOne({ tokenHash: hashToken(refreshToken), revokedAt: null }, { $set: { revokedAt: ctx.now() } });
    },
  };
}

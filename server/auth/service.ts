import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { demoEnabled, devSignInEnabled } from '../core/config';
import { AppError, unauthenticated } from '../core/errors';
import { newId, type Types } from '../db/schema-helpers';
import { burnPasswordCheck, identityKey, userService, verifyPassword, type UserDoc } from '../users';
import { ACCOUNT_FAILURE_THRESHOLD, LOGIN_FAILURE_KEEP_MS, LOGIN_FAILURE_WINDOW_MS, loginLimits, PAIR_FAILURE_LIMIT } from './login-limits';
import { authModels, type LoginFailureDoc, type SessionDoc } from './model';
import { openToken, sealToken } from './sealing';
import { sessionStore } from './sessions';
import { hashToken, newRefreshToken, signAccessToken } from './tokens';
import { webSignIn } from './web-sign-in';
import type { FailedLoginList, Session } from './schemas';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a just-rotated refresh token may be replayed (the answer to the refresh was lost). */
export const REUSE_GRACE_MS = 60 * 1000;

/** Who is signing in: the client address (`req.ip`, which honours TRUST_PROXY) and the user agent. */
export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | null;
}

const devLoginDisabled = () => new AppError(403, 'DEV_LOGIN_DISABLED', '本系统未开放开发登录（仅演示环境提供），请使用微信登录');
const sessionEnded = () => new AppError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录');

export function authService(ctx: AppContext) {
  const { Session: Sessions } = authModels(ctx.conn);
  const users = userService(ctx);
  const sessions = sessionStore(ctx);
  const limits = loginLimits(ctx);

  /** The chain a session belongs to (sessions made before chains were kept name their own). */
  const chainOf = (s: Pick<SessionDoc, '_id' | 'chainId'>) => s.chainId ?? s._id;

  async function sessionFor(user: UserDoc, refreshToken: string, chainId: Types.ObjectId): Promise<Session> {
    return {
      accessToken: signAccessToken({ sub: String(user._id), roles: user.roles, sid: String(chainId) }, ctx.config.jwtSecret, ctx.config.accessTokenTtlSeconds),
      refreshToken,
      expiresIn: ctx.config.accessTokenTtlSeconds,
      user: await users.toMe(user),
    };
  }

  /** Stores a new refresh token (only its hash) for the user, in a chain of its own unless given one. */
  async function createSession(user: UserDoc, userAgent: string | null, id: Types.ObjectId = newId(), chainId: Types.ObjectId = id, refreshToken = newRefreshToken()) {
    await Sessions.create({
      _id: id,
      chainId,
      userId: user._id,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(ctx.now().getTime() + ctx.config.refreshTokenTtlDays * DAY_MS),
      userAgent: userAgent?.slice(0, 200) ?? null,
    });
    await users.recordSignIn(user._id);
    return refreshToken;
  }

  async function issueSession(user: UserDoc, userAgent: string | null): Promise<Session> {
    if (!user.active) throw new AppError(403, 'FORBIDDEN', '该账号已停用，请联系管理员');
    const id = newId();
    return sessionFor(user, await createSession(user, userAgent, id), id);
  }

  /** The owner of a session being refreshed; a refusal is always 401, the app's sign to sign in again. */
  async function sessionOwner(userId: Types.ObjectId): Promise<UserDoc> {
    const user = await users.find(userId);
    if (!user || !user.active) throw unauthenticated('账号不存在或已停用');
    return user;
  }

  /**
   * A token that was already rotated. Within the grace period its holder gets the same successor
   * back (fresh access token, same refresh token); a replay later is a sign of theft and ends every
   * session of the user.
   */
  async function replay(old: SessionDoc, refreshToken: string, now: Date): Promise<Session> {
    const inGrace = old.rotatedAt !== null && now.getTime() - old.rotatedAt.getTime() < REUSE_GRACE_MS && old.expiresAt > now;
    if (inGrace) {
      const successorToken = old.successorId && old.successorSealed ? openToken(old.successorSealed, refreshToken, String(old.successorId)) : null;
      const successor =
        successorToken && (await Sessions.findOne({ _id: old.successorId, tokenHash: hashToken(successorToken), revokedAt: null, expiresAt: { $gt: now } }).lean());
      // No live successor (logged out, rotated again, or revoked): this chain has ended.
      if (!successor || !successorToken) throw sessionEnded();
      return sessionFor(await sessionOwner(successor.userId), successorToken, chainOf(successor));
    }
    if (old.rotatedAt) {
      ctx.logger.warn({ userId: String(old.userId) }, 'a rotated refresh token was replayed after the grace period; every session of the user is revoked');
      await sessions.endAllOf(old.userId, now);
    }
    throw sessionEnded();
  }

  // By the unionid too when WeChat gives one, so the H5 sign-in through the 公众号 finds the same account.
  const residentLogin = async (openid: string, userAgent: string | null, unionid?: string) =>
    issueSession(await users.residentForWechat(identityKey.wechat(openid), unionid), userAgent);
  const web = webSignIn(ctx);

  const devLoginAllowed = () => devSignInEnabled(ctx.config);
  // The development adapter (any code is an openid) only where the development sign-in is open:
  // whatever adapter the server was given, never in production or off loopback without DEMO=1.
  const wechat = ctx.wechat && (ctx.wechat.kind === 'wechat' || devLoginAllowed()) ? ctx.wechat : null;

  /** Open when the county set up its 公众号 and the server knows its public address. */
  const webSignInOpen = () => ctx.wechatWeb !== null && Boolean(ctx.config.publicUrl);
  async function guardWeb(client: ClientInfo): Promise<void> {
    if (!webSignInOpen()) throw new AppError(404, 'NOT_FOUND', '本系统未开通微信网页登录');
    await limits.address(client.ip);
  }

  return {
    methods: () => ({ wechatMiniProgram: wechat !== null, devLogin: devLoginAllowed(), password: true, wechatWeb: webSignInOpen(), demo: demoEnabled(ctx.config) }),

    async wechatLogin(code: string, client: ClientInfo): Promise<Session> {
      if (!wechat) throw devLoginDisabled();
      await limits.address(client.ip);
      const { openid, unionid } = await wechat.code2session(code);
      return residentLogin(openid, client.userAgent, unionid);
    },

    /** The H5 sign-in through WeChat (web-sign-in.ts): steps 1 and 2 answer with redirects. */
    wechatWebStart(res: Response, next: string | undefined, client: ClientInfo): Promise<void> {
      return guardWeb(client).then(() => web.start(res, next));
    },
    async wechatWebCallback(req: Request, res: Response, q: { code?: string; state?: string }, client: ClientInfo): Promise<void> {
      await guardWeb(client);
      await web.callback(req, res, q);
    },
    /** Step 3: the one-time ticket for a session; the same 401 for a ticket unknown, used or expired. */
    async wechatWebSession(ticket: string, client: ClientInfo): Promise<Session> {
      await guardWeb(client);
      const user = await web.redeem(ticket);
      if (!user) throw unauthenticated('微信登录已失效，请重新登录');
      return issueSession(user, client.userAgent);
    },

    async devLogin(openid: string, client: ClientInfo): Promise<Session> {
      if (!devLoginAllowed()) throw devLoginDisabled();
      await limits.address(client.ip);
      return residentLogin(openid, client.userAgent);
    },

    /**
     * Counted per address, then per account, before the password is checked: a refused attempt
     * never reaches the password, so a right guess after the limit is refused like a wrong one.
     */
    async passwordLogin(username: string, password: string, client: ClientInfo): Promise<Session> {
      await limits.address(client.ip);
      await limits.account(username, client.ip);
      const user = await users.byUsername(username);
      // An unknown account fails like a wrong password (same time, same count, same answer).
      const right = user ? await verifyPassword(password, user.passwordHash) : await burnPasswordCheck(password).then(() => false);
      if (!user || !right) {
        await limits.failed(username, client.ip);
        throw unauthenticated('用户名或密码错误');
      }
      return issueSession(user, client.userAgent);
    },

    /** The admin's view: failed password sign-ins of the last day, newest first (at most 200 pairs). */
    async recentFailures(): Promise<FailedLoginList> {
      const since = new Date(ctx.now().getTime() - LOGIN_FAILURE_KEEP_MS);
      const rows = await authModels(ctx.conn).LoginFailure.find({ lastAt: { $gt: since } }).sort({ lastAt: -1 }).limit(200).lean<LoginFailureDoc[]>();
      const existing = await users.usernamesInUse(rows.map((r) => r.username));
      return {
        items: rows.map((r) => ({
          username: r.username,
          accountExists: existing.has(r.username),
          address: r.address,
          count: r.count,
          firstAt: r.firstAt.toISOString(),
          lastAt: r.lastAt.toISOString(),
        })),
        policy: { windowMinutes: LOGIN_FAILURE_WINDOW_MS / 60_000, perAddressLimit: PAIR_FAILURE_LIMIT, accountThreshold: ACCOUNT_FAILURE_THRESHOLD },
      };
    },

    /**
     * Rotate: the successor is stored first, then the old token is claimed (revoked, and pointed at
     * the successor) atomically, so of two concurrent refreshes with one token exactly one rotates;
     * the other removes its unused successor and, like any replay within the grace period (on a
     * weak network the answer to a refresh is often lost, and the phone retries with the old
     * token), gets the winner's successor back.
     */
    async refresh(refreshToken: string, client: ClientInfo): Promise<Session> {
      const now = ctx.now();
      let current = await Sessions.findOne({ tokenHash: hashToken(refreshToken) }).lean<SessionDoc>();
      if (!current) throw sessionEnded();
      if (current.revokedAt === null && current.expiresAt > now) {
        const user = await sessionOwner(current.userId);
        const successorId = newId();
        const successorToken = await createSession(user, client.userAgent, successorId, chainOf(current));
        const claimed = await Sessions.findOneAndUpdate(
          { _id: current._id, revokedAt: null },
          { $set: { revokedAt: now, rotatedAt: now, successorId, successorSealed: sealToken(successorToken, refreshToken, String(successorId)) } },
          { returnDocument: 'after' },
        ).lean();
        if (claimed) return sessionFor(user, successorToken, chainOf(current));
        await Sessions.deleteOne({ _id: successorId });
        current = await Sessions.findById(current._id).lean<SessionDoc>();
        if (!current) throw sessionEnded();
      }
      return replay(current, refreshToken, now);
    },

    async logout(refreshToken: string): Promise<void> {
      const now = ctx.now();
      await Sessions.updateOne({ tokenHash: hashToken(refreshToken), revokedAt: null }, { $set: { revokedAt: now, endedAt: now } });
    },
  };
}

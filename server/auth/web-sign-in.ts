import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { identityKey, userService } from '../users';
import { authModels } from './model';
import { hashToken } from './tokens';

/**
 * Residents sign in to the H5 app through the county 公众号's web authorisation (网页授权,
 * `snsapi_base`: silent, no consent screen), the way a page opened from a group chat or the
 * 公众号's menu knows who is reading inside WeChat:
 *
 * 1. `GET /auth/wechat-web/start?next=/pages/...` sends the browser to WeChat with a `state` we
 *    sign, and keeps a nonce in a cookie of this path (so a callback that another site started, or
 *    a replayed one, is refused: the login CSRF of OAuth);
 * 2. WeChat sends it back to `GET /auth/wechat-web/callback?code&state`; the server exchanges the
 *    code for the openid (and the unionid when the 公众号 and the mini-program are linked on the
 *    open platform, so the resident is one account in both), finds or makes the resident, and
 *    sends the browser to the app's sign-in page with a one-time ticket;
 * 3. the app exchanges the ticket for a session (`POST /auth/wechat-web/session`), within two
 *    minutes, once: tokens never travel in a URL.
 *
 * Failures come back to the sign-in page as `wxerror=<kind>`, which the app explains in Chinese.
 */

export const STATE_COOKIE = 'xr_wx_state';
const COOKIE_PATH = '/api/v1/auth/wechat-web';
const STATE_TTL_MS = 10 * 60 * 1000;
export const TICKET_TTL_MS = 2 * 60 * 1000;
const DEFAULT_NEXT = '/pages/me/index';

export type WebSignInError = 'state' | 'refused' | 'failed';

const sign = (secret: string, text: string) => createHmac('sha256', secret).update(`wechat-web|${text}`).digest('base64url').slice(0, 22);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export function webSignIn(ctx: AppContext) {
  const users = userService(ctx);
  const { SignInTicket } = authModels(ctx.conn);
  const origin = () => (ctx.config.publicUrl ?? '').replace(/\/+$/, '');
  const secure = () => origin().startsWith('https:');
  const loginPage = (params: Record<string, string>) => `${origin()}/#/pages/login/index?${new URLSearchParams(params)}`;

  function setStateCookie(res: Response, value: string, maxAgeMs: number) {
    res.cookie(STATE_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: secure(), path: COOKIE_PATH, maxAge: maxAgeMs, encode: String });
  }

  /** The state WeChat carries for us: nonce, expiry and our signature over both (at most 128 bytes, as WeChat allows). */
  function stateFor(nonce: string, expires: number) {
    return `${nonce}.${expires}.${sign(ctx.config.jwtSecret, `${nonce}.${expires}`)}`;
  }

  /** The nonce of a state we signed that has not expired and matches the browser's cookie; null otherwise. */
  function checkState(state: string | undefined, cookie: string | null): { next: string } | null {
    if (!state || !cookie) return null;
    const [nonce, expires, mac] = state.split('.');
    const [cookieNonce, next] = cookie.split('.');
    if (!nonce || !expires || !mac || !cookieNonce) return null;
    if (!sameText(mac, sign(ctx.config.jwtSecret, `${nonce}.${expires}`))) return null;
    if (!(Number(expires) > ctx.now().getTime())) return null;
    if (!sameText(nonce, cookieNonce)) return null;
    let path = DEFAULT_NEXT;
    try {
      path = next ? decodeURIComponent(next) : DEFAULT_NEXT;
    } catch {
      // A cookie we did not write: go to the default page.
    }
    return { next: path };
  }

  return {
    /** Step 1: to WeChat's authorisation page. */
    start(res: Response, next: string | undefined) {
      const nonce = randomBytes(16).toString('base64url');
      const expires = ctx.now().getTime() + STATE_TTL_MS;
      setStateCookie(res, `${nonce}.${encodeURIComponent(next ?? DEFAULT_NEXT)}`, STATE_TTL_MS);
      res.redirect(302, ctx.wechatWeb!.authorizeUrl(`${origin()}${COOKIE_PATH}/callback`, stateFor(nonce, expires)));
    },

    /** Step 2: WeChat's answer, to the app's sign-in page with a ticket (or what went wrong). */
    async callback(req: Request, res: Response, q: { code?: string; state?: string }) {
      const checked = checkState(q.state, cookieValue(req, STATE_COOKIE));
      // The nonce is spent either way: a second callback with the same state is refused.
      setStateCookie(res, '', 0);
      const fail = (kind: WebSignInError) => res.redirect(302, loginPage({ wxerror: kind }));
      if (!checked) return fail('state');
      if (!q.code) return fail('refused');
      let user;
      try {
        const { openid, unionid } = await ctx.wechatWeb!.code2openid(q.code);
        user = await users.residentForWechat(identityKey.wechatWeb(openid), unionid);
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message }, 'H5 sign-in through WeChat failed');
        return fail('failed');
      }
      const ticket = randomBytes(24).toString('base64url');
      await SignInTicket.create({ _id: hashToken(ticket), userId: user._id, expiresAt: new Date(ctx.now().getTime() + TICKET_TTL_MS) });
      res.redirect(302, loginPage({ wxticket: ticket, next: checked.next }));
    },

    /** Step 3's first half: the ticket's user, once; null for a ticket unknown, used or expired. */
    async redeem(ticket: string) {
      const doc = await SignInTicket.findOneAndDelete({ _id: hashToken(ticket), expiresAt: { $gt: ctx.now() } }).lean();
      return doc ? users.find(doc.userId) : null;
    },
  };
}

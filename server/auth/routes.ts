import type { Request } from 'express';
import type { AppContext } from '../context';
import { route } from '../core/route';
import { authService, type ClientInfo } from './service';
import { DevLoginBody, FailedLoginList, LoginMethods, PasswordLoginBody, RefreshBody, Session, WechatLoginBody, WechatWebCallbackQuery, WechatWebStartQuery, WechatWebTicketBody } from './schemas';

/** The client as the login limits and sessions see it; `req.ip` honours TRUST_PROXY. */
const client = (req: Request): ClientInfo => ({ ip: req.ip, userAgent: req.get('user-agent') ?? null });

export function authRoutes(ctx: AppContext) {
  const auth = authService(ctx);
  return [
    route({ method: 'get', path: '/methods', summary: '可用的登录方式', access: 'public', response: LoginMethods, handler: () => auth.methods() }),
    route({ method: 'post', path: '/wechat-login', summary: '小程序登录（wx.login 的 code 换取会话）', access: 'public', body: WechatLoginBody, response: Session, handler: ({ body, req }) => auth.wechatLogin(body.code, client(req)) }),
    // The H5 sign-in through the county 公众号 (web-sign-in.ts): two redirects, then a ticket for a session.
    route({ method: 'get', path: '/wechat-web/start', summary: 'H5 微信登录：跳转到公众号网页授权（snsapi_base）', access: 'public', query: WechatWebStartQuery, status: 302, handler: ({ query, req, res }) => auth.wechatWebStart(res, query.next, client(req)) }),
    route({ method: 'get', path: '/wechat-web/callback', summary: 'H5 微信登录：微信授权回调，带一次性票据回到登录页', access: 'public', query: WechatWebCallbackQuery, status: 302, handler: ({ query, req, res }) => auth.wechatWebCallback(req, res, query, client(req)) }),
    route({ method: 'post', path: '/wechat-web/session', summary: 'H5 微信登录：一次性票据换取会话（两分钟内、仅一次）', access: 'public', body: WechatWebTicketBody, response: Session, handler: ({ body, req }) => auth.wechatWebSession(body.ticket, client(req)) }),
    route({ method: 'post', path: '/dev-login', summary: '开发登录（生产环境禁用）', access: 'public', body: DevLoginBody, response: Session, handler: ({ body, req }) => auth.devLogin(body.openid, client(req)) }),
    route({ method: 'post', path: '/password-login', summary: '工作人员账号密码登录', access: 'public', body: PasswordLoginBody, response: Session, handler: ({ body, req }) => auth.passwordLogin(body.username, body.password, client(req)) }),
    route({ method: 'post', path: '/refresh', summary: '刷新会话（轮换 refresh token）', access: 'public', body: RefreshBody, response: Session, handler: ({ body, req }) => auth.refresh(body.refreshToken, client(req)) }),
    route({ method: 'get', path: '/failed-logins', summary: '近期登录失败记录（管理员）', access: ['admin'], response: FailedLoginList, handler: () => auth.recentFailures() }),
    route({ method: 'post', path: '/logout', summary: '退出登录', access: 'public', body: RefreshBody, handler: ({ body }) => auth.logout(body.refreshToken) }),
  ];
}

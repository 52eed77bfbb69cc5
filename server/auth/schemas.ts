import { z } from 'zod';
import { Me } from '../users';
import { APP_PAGE_PATH } from '../../common/app-pages';

export const WechatLoginBody = z.strictObject({ code: z.string().trim().min(1, '缺少登录凭证').max(128) });
export const DevLoginBody = z.strictObject({ openid: z.string().trim().regex(/^[A-Za-z0-9_-]{3,64}$/, '只能包含字母、数字、下划线和连字符，3到64位') });
export const PasswordLoginBody = z.strictObject({
  username: z.string().trim().min(1, '请输入用户名').max(32),
  password: z.string().min(1, '请输入密码').max(128),
});
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(20).max(200) });

export const Session = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  user: Me,
});
export type Session = z.infer<typeof Session>;

/** Which sign-in methods this deployment offers, so the apps show only those that work. */
export const LoginMethods = z.object({
  /** `wx.login` in the mini-program, exchanged through WeChat (or the development adapter). */
  wechatMiniProgram: z.boolean(),
  /** The development login by openid (demo residents); never in production. */
  devLogin: z.boolean(),
  password: z.boolean(),
  /** The H5 sign-in through the county 公众号's web authorisation (`GET /auth/wechat-web/start`). */
  wechatWeb: z.boolean(),
  /** A demo deployment (the demo county, published passwords): the apps label themselves 演示. */
  demo: z.boolean(),
});
export type LoginMethods = z.infer<typeof LoginMethods>;

/** Failed password sign-ins of one account from one (masked) address, for the admin. */
export const FailedLogin = z.object({
  username: z.string(),
  /** Whether an account has this username (guesses at names that do not exist are shown too). */
  accountExists: z.boolean(),
  /** IPv4 by its /24 (`203.0.113.*`), IPv6 by its /48. */
  address: z.string(),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
});
export const FailedLoginList = z.object({
  items: z.array(FailedLogin),
  /** The limits in force, so the page can say them: failures per window per address, per account. */
  policy: z.object({ windowMinutes: z.number().int(), perAddressLimit: z.number().int(), accountThreshold: z.number().int() }),
});
export type FailedLogin = z.infer<typeof FailedLogin>;
export type FailedLoginList = z.infer<typeof FailedLoginList>;

/** Where the H5 app wants the resident back after signing in through WeChat: a page of the app. */
export const AppPagePath = z
  .string()
  .max(300)
  .regex(APP_PAGE_PATH, '须为本应用的页面路径，如 /pages/me/index');

export const WechatWebStartQuery = z.strictObject({ next: AppPagePath.optional() });
/** What WeChat sends back: `code` (absent when the resident refused) and our `state`. */
export const WechatWebCallbackQuery = z.strictObject({ code: z.string().max(512).optional(), state: z.string().max(256).optional() });
export const WechatWebTicketBody = z.strictObject({ ticket: z.string().min(20).max(100) });

import { AppError } from './errors';

/**
 * The one adapter in front of WeChat's own servers (outside our reach in tests and development).
 * `code2session` turns the code from `wx.login()` into the user's openid; the web client below does
 * the same for the 公众号's web authorisation (H5 sign-in).
 */
export interface WechatClient {
  readonly kind: 'wechat' | 'development';
  code2session(code: string): Promise<{ openid: string; unionid?: string }>;
}

/**
 * The county 公众号's web authorisation (网页授权, scope `snsapi_base`: silent, openid only, and the
 * unionid when the 公众号 and the mini-program are linked on WeChat's open platform).
 */
export interface WechatWebClient {
  readonly appId: string;
  /** WeChat's page that sends the resident back to `redirectUri` with `code` and our `state`. */
  authorizeUrl(redirectUri: string, state: string): string;
  code2openid(code: string): Promise<{ openid: string; unionid?: string }>;
}

type FetchFn = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

interface WechatAnswer {
  openid?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

/** One call to WeChat's API: 502 when it cannot be reached, 401 for a code that is invalid or used. */
async function exchange(doFetch: FetchFn, url: string): Promise<{ openid: string; unionid?: string }> {
  let body: WechatAnswer;
  try {
    const res = await doFetch(url, { signal: AbortSignal.timeout(5000) });
    body = (await res.json()) as WechatAnswer;
  } catch {
    throw new AppError(502, 'UPSTREAM_FAILED', '微信登录服务暂时不可用，请稍后重试');
  }
  if (body.openid) return { openid: body.openid, ...(body.unionid ? { unionid: body.unionid } : {}) };
  // 40029: invalid code, 40163: code already used; both mean "log in again".
  if (body.errcode === 40029 || body.errcode === 40163) throw new AppError(401, 'UNAUTHENTICATED', '微信登录凭证无效或已使用，请重新登录');
  throw new AppError(502, 'UPSTREAM_FAILED', `微信登录失败（错误码 ${body.errcode ?? '未知'}）`);
}

const defaultFetch: FetchFn = (url, init) => fetch(url, init);

export function createWechatClient(opts: { appId: string; secret: string; fetch?: FetchFn; baseUrl?: string }): WechatClient {
  const base = opts.baseUrl ?? 'https://api.weixin.qq.com';
  return {
    kind: 'wechat',
    code2session: (code) =>
      exchange(opts.fetch ?? defaultFetch, `${base}/sns/jscode2session?${new URLSearchParams({ appid: opts.appId, secret: opts.secret, js_code: code, grant_type: 'authorization_code' })}`),
  };
}

export function createWechatWebClient(opts: { appId: string; secret: string; fetch?: FetchFn; baseUrl?: string; authorizeBase?: string }): WechatWebClient {
  const base = opts.baseUrl ?? 'https://api.weixin.qq.com';
  const authorize = opts.authorizeBase ?? 'https://open.weixin.qq.com';
  return {
    appId: opts.appId,
    // WeChat reads the parameters in this order and wants the #wechat_redirect fragment.
    authorizeUrl: (redirectUri, state) =>
      `${authorize}/connect/oauth2/authorize?appid=${encodeURIComponent(opts.appId)}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=snsapi_base&state=${encodeURIComponent(state)}#wechat_redirect`,
    code2openid: (code) =>
      exchange(opts.fetch ?? defaultFetch, `${base}/sns/oauth2/access_token?${new URLSearchParams({ appid: opts.appId, secret: opts.secret, code, grant_type: 'authorization_code' })}`),
  };
}

/** Without WECHAT_APPID: the code itself names the user. Never used in production. */
export const developmentWechatClient: WechatClient = {
  kind: 'development',
  async code2session(code) {
    return { openid: `dev-${code}` };
  },
};

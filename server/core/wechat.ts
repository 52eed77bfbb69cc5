import { AppError } from './errors';

/**
 * The one adapter in front of WeChat's own servers (outside our reach in tests and development).
 * `code2session` turns the code from `wx.login()` into the user's openid.
 */
export interface WechatClient {
  readonly kind: 'wechat' | 'development';
  code2session(code: string): Promise<{ openid: string; unionid?: string }>;
}

type FetchFn = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export function createWechatClient(opts: { appId: string; secret: string; fetch?: FetchFn; baseUrl?: string }): WechatClient {
  const doFetch: FetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
  const base = opts.baseUrl ?? 'https://api.weixin.qq.com';
  return {
    kind: 'wechat',
    async code2session(code) {
      const url = `${base}/sns/jscode2session?${new URLSearchParams({ appid: opts.appId, secret: opts.secret, js_code: code, grant_type: 'authorization_code' })}`;
      let body: { openid?: string; unionid?: string; errcode?: number; errmsg?: string };
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(5000) });
        body = (await res.json()) as typeof body;
      } catch {
        throw new AppError(502, 'UPSTREAM_FAILED', '微信登录服务暂时不可用，请稍后重试');
      }
      if (body.openid) return { openid: body.openid, unionid: body.unionid };
      // 40029: invalid code, 40163: code already used; both mean "log in again".
      if (body.errcode === 40029 || body.errcode === 40163) throw new AppError(401, 'UNAUTHENTICATED', '微信登录凭证无效或已使用，请重新登录');
      throw new AppError(502, 'UPSTREAM_FAILED', `微信登录失败（错误码 ${body.errcode ?? '未知'}）`);
    },
  };
}

/** Without WECHAT_APPID: the code itself names the user. Never used in production. */
export const developmentWechatClient: WechatClient = {
  kind: 'development',
  async code2session(code) {
    return { openid: `dev-${code}` };
  },
};

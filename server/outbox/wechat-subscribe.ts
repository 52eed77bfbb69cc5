/**
 * WeChat subscribe messages (订阅消息), the one adapter in front of WeChat's servers for them.
 * The real sender takes an access token from `cgi-bin/stable_token` (the same token for every
 * process of the account, so several servers do not invalidate each other's) and posts
 * `cgi-bin/message/subscribe/send`. Without WeChat credentials and a template id, a logging
 * sender marks records sent with a note, so development and the demo work.
 *
 * The template id comes from the validated config (WECHAT_SUBSCRIBE_TEMPLATE_APPEAL_PROGRESS), as
 * the app asks residents for the same id (server/subscriptions). The keyword map only matters to
 * this adapter and is read here: WECHAT_SUBSCRIBE_FIELDS_APPEAL_PROGRESS
 * (`number:character_string1,state:phrase2,...`) when the chosen template's keywords differ from
 * the default map below.
 */
import type { Logger } from 'pino';
import type { AppConfig } from '../core/config';
import type { SubscribePayload, SubscribeTemplate } from './schemas';

export type SubscribeResult = { ok: true; note?: string } | { ok: false; error: string; retryable: boolean };

export interface SubscribeSender {
  readonly kind: 'wechat' | 'logging';
  send(openid: string, payload: SubscribePayload): Promise<SubscribeResult>;
}

type FetchFn = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Our field names → the keywords of the template picked in the WeChat console (类目模板 "诉求处理进度"). */
export const DEFAULT_FIELD_MAPS: Record<SubscribeTemplate, Record<string, string>> = {
  appeal_progress: { number: 'character_string1', state: 'phrase2', time: 'time3', note: 'thing4' },
};

export interface WechatSubscribeOptions {
  appId: string;
  secret: string;
  templateIds: Record<SubscribeTemplate, string>;
  fieldMaps?: Partial<Record<SubscribeTemplate, Record<string, string>>>;
  /** 'formal' in production; 'developer' or 'trial' opens the development build. */
  miniprogramState?: 'formal' | 'developer' | 'trial';
  fetch?: FetchFn;
  baseUrl?: string;
  /** For the token's expiry. */
  now?: () => number;
}

// errcodes after which sending the same message again cannot succeed.
const NOT_RETRYABLE: Record<number, string> = {
  43101: '用户拒绝接收或未订阅该消息',
  40003: 'openid 无效',
  40037: '模板编号无效',
  47003: '模板参数不正确',
  41030: '跳转页面不存在或小程序未发布',
};
// The token was refused: fetch a fresh one next time.
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
const TOKEN_MARGIN_MS = 5 * 60_000;

export function createWechatSubscribeSender(opts: WechatSubscribeOptions): SubscribeSender {
  const doFetch: FetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
  const base = opts.baseUrl ?? 'https://api.weixin.qq.com';
  const now = opts.now ?? Date.now;
  let token: { value: string; until: number } | null = null;

  const postJson = async (url: string, body: unknown) => {
    const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    return (await res.json()) as { errcode?: number; errmsg?: string; access_token?: string; expires_in?: number };
  };

  async function accessToken(): Promise<string> {
    if (token && token.until > now()) return token.value;
    const body = await postJson(`${base}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid: opts.appId, secret: opts.secret, force_refresh: false });
    if (!body.access_token) throw new Error(`stable_token errcode ${body.errcode ?? 'unknown'}`);
    token = { value: body.access_token, until: now() + Math.max(60, body.expires_in ?? 7200) * 1000 - TOKEN_MARGIN_MS };
    return token.value;
  }

  return {
    kind: 'wechat',
    async send(openid, payload) {
      const fields = { ...DEFAULT_FIELD_MAPS[payload.template], ...opts.fieldMaps?.[payload.template] };
      const data: Record<string, { value: string }> = {};
      for (const [name, value] of Object.entries(payload.data)) data[fields[name] ?? name] = { value };
      let body;
      try {
        const t = await accessToken();
        body = await postJson(`${base}/cgi-bin/message/subscribe/send?${new URLSearchParams({ access_token: t })}`, {
          touser: openid,
          template_id: opts.templateIds[payload.template],
          page: payload.page,
          data,
          miniprogram_state: opts.miniprogramState ?? 'formal',
          lang: 'zh_CN',
        });
      } catch (err) {
        // Network, timeout or no token: WeChat may answer next time.
        return { ok: false, error: `微信接口不可用：${(err as Error).message}`, retryable: true };
      }
      if (body.errcode === 0 || body.errcode === undefined) return { ok: true };
      if (TOKEN_ERRORS.has(body.errcode)) token = null;
      const reason = NOT_RETRYABLE[body.errcode];
      if (reason) return { ok: false, error: `${reason}（${body.errcode}）`, retryable: false };
      return { ok: false, error: `微信返回错误码 ${body.errcode}`, retryable: true };
    },
  };
}

/** Development: nothing leaves the machine; the record is marked sent with a note saying so. */
export function loggingSubscribeSender(logger: Logger): SubscribeSender {
  return {
    kind: 'logging',
    async send(_openid, payload) {
      // No openid and no field values in the log: they are personal data.
      logger.info({ template: payload.template, page: payload.page }, 'subscribe message not sent: WeChat subscribe messages are not configured');
      return { ok: true, note: '未配置微信订阅消息，仅记录未发送' };
    },
  };
}

/** `number:character_string1,state:phrase2` → { number: 'character_string1', state: 'phrase2' }. */
export function parseFieldMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, keyword, extra] = pair.split(':').map((p) => p.trim());
    if (!name || !keyword || extra !== undefined) throw new Error(`bad subscribe field mapping "${pair}" (expected name:keyword)`);
    map[name] = keyword;
  }
  return map;
}

/**
 * The sender this deployment uses: the real one when WeChat credentials and the template id are
 * set, else the logging one (with a warning when credentials are there but the template is not).
 */
export function subscribeSenderFromEnv(config: Pick<AppConfig, 'wechat' | 'env' | 'subscribeTemplates'>, logger: Logger, env: NodeJS.ProcessEnv = process.env): SubscribeSender {
  const templateId = config.subscribeTemplates?.appeal_progress;
  if (!config.wechat || !templateId) {
    if (config.wechat || config.env === 'production') logger.warn('WECHAT_SUBSCRIBE_TEMPLATE_APPEAL_PROGRESS is not set: subscribe messages are only logged, not sent');
    return loggingSubscribeSender(logger);
  }
  const fields = env.WECHAT_SUBSCRIBE_FIELDS_APPEAL_PROGRESS?.trim();
  return createWechatSubscribeSender({
    appId: config.wechat.appId,
    secret: config.wechat.secret,
    templateIds: { appeal_progress: templateId },
    fieldMaps: fields ? { appeal_progress: parseFieldMap(fields) } : undefined,
    miniprogramState: config.env === 'production' ? 'formal' : 'developer',
  });
}

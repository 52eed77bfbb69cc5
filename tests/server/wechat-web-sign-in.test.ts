/**
 * The H5 sign-in through the county 公众号's web authorisation (server/auth/web-sign-in.ts) against a
 * fake of WeChat's servers: the real adapter (core/wechat.ts) with a fetch that answers as WeChat
 * does. Redirects are read as they come (not followed), as the resident's browser would get them.
 */
import { request } from 'node:http';
import { createWechatClient, createWechatWebClient } from '../../server/core/wechat';
import { startTestServer, type TestServer } from '../helpers/server';

const PUBLIC = 'https://xr.example.cn';
const MP_APPID = 'wx0123456789abcdef';
const START = new Date('2026-12-07T01:00:00Z');

/** WeChat's answers by code: the 公众号's `sns/oauth2/access_token` and the mini-program's `jscode2session`. */
const wechatAnswers: Record<string, { openid?: string; unionid?: string; errcode?: number }> = {
  'web-a': { openid: 'mp-openid-a', unionid: 'union-a' },
  'web-b': { openid: 'mp-openid-b' },
  'web-bad': { errcode: 40029 },
  'mini-a': { openid: 'mini-openid-a', unionid: 'union-a' },
};
const calls: string[] = [];
const fakeFetch = async (url: string) => {
  calls.push(url);
  const code = new URL(url).searchParams.get('code') ?? new URL(url).searchParams.get('js_code') ?? '';
  if (code === 'web-down') throw new Error('connect ETIMEDOUT');
  return { ok: true, status: 200, json: async () => wechatAnswers[code] ?? { errcode: 40163 } };
};

let s: TestServer;
let now = START;

beforeAll(async () => {
  s = await startTestServer({
    seed: false,
    config: { publicUrl: PUBLIC, wechatMpVerify: 'AbC123xyz789' },
    now: () => now,
    wechat: createWechatClient({ appId: 'wxminiprogram000001', secret: 'mini-secret', fetch: fakeFetch }),
    wechatWeb: createWechatWebClient({ appId: MP_APPID, secret: 'mp-secret', fetch: fakeFetch }),
  });
}, 90_000);

afterAll(async () => {
  await s?.stop();
});

interface Raw {
  status: number;
  location: string;
  setCookie: string[];
}

function get(path: string, cookie?: string): Promise<Raw> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The hash route's query on the app's sign-in page (`https://…/#/pages/login/index?a=b`). */
const loginParams = (location: string) => {
  expect(location.startsWith(`${PUBLIC}/#/pages/login/index?`)).toBe(true);
  return new URLSearchParams(location.slice(location.indexOf('?') + 1));
};

/** Step 1: the redirect to WeChat, its state and the browser's cookie. */
async function start(next?: string) {
  const res = await get(`/api/v1/auth/wechat-web/start${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  expect(res.status).toBe(302);
  const url = new URL(res.location);
  const cookie = res.setCookie.find((c) => c.startsWith('xr_wx_state='))!;
  return { url, state: url.searchParams.get('state')!, cookie: cookie.split(';')[0]!, rawCookie: cookie };
}

async function signIn(code: string, next?: string) {
  const { state, cookie } = await start(next);
  const back = await get(`/api/v1/auth/wechat-web/callback?code=${code}&state=${encodeURIComponent(state)}`, cookie);
  expect(back.status).toBe(302);
  return loginParams(back.location);
}

const session = (ticket: string) => s.api('POST', '/api/v1/auth/wechat-web/session', { body: { ticket } });

// Catches: the app not offering the button (or offering it where the server cannot do it).
it('is offered when the county set up its 公众号 and its public address', async () => {
  expect((await s.api('GET', '/api/v1/auth/methods')).body.wechatWeb).toBe(true);
});

// Catches: a redirect WeChat refuses (wrong parameters, scope or fragment) or a state cookie a
// script could read or another site could send.
it('sends the resident to WeChat’s authorisation with our callback, snsapi_base and a signed state in a cookie of its own', async () => {
  const { url, state, rawCookie } = await start('/pages/appeals/index');
  expect(`${url.origin}${url.pathname}`).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
  expect(url.searchParams.get('appid')).toBe(MP_APPID);
  expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/api/v1/auth/wechat-web/callback`);
  expect(url.searchParams.get('response_type')).toBe('code');
  expect(url.searchParams.get('scope')).toBe('snsapi_base');
  expect(url.hash).toBe('#wechat_redirect');
  expect(state.length).toBeLessThanOrEqual(128);
  expect(rawCookie).toMatch(/HttpOnly/i);
  expect(rawCookie).toMatch(/SameSite=Lax/i);
  expect(rawCookie).toMatch(/Secure/i);
  expect(rawCookie).toMatch(/Path=\/api\/v1\/auth\/wechat-web/);
});

// Catches: a next page outside the app (an open redirect through our sign-in).
it('refuses a next page that is not one of the app’s', async () => {
  for (const next of ['https://evil.example/x', '//evil.example', '/pages/../../x', 'javascript:alert(1)']) {
    const res = await s.api('GET', `/api/v1/auth/wechat-web/start?next=${encodeURIComponent(next)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.next');
  }
});

// Catches: a ticket usable twice or tokens in the URL; a session for someone else than WeChat named.
it('comes back with a one-time ticket that becomes a resident’s session once, and goes where the app asked', async () => {
  const params = await signIn('web-b', '/pages/appeals/index');
  expect(params.get('next')).toBe('/pages/appeals/index');
  const ticket = params.get('wxticket')!;
  expect(ticket.length).toBeGreaterThanOrEqual(20);
  expect(params.has('accessToken')).toBe(false);
  const first = await session(ticket);
  expect(first.status).toBe(200);
  expect(first.body.user.roles).toEqual(['resident']);
  const again = await session(ticket);
  expect(again.status).toBe(401);
  // The same WeChat user signing in again is the same account.
  const second = await session((await signIn('web-b')).get('wxticket')!);
  expect(second.body.user.id).toBe(first.body.user.id);
});

// Catches: two accounts for one person (the mini-program's and the H5's) when WeChat links them.
it('is the mini-program’s account when WeChat gives the same unionid', async () => {
  const mini = await s.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'mini-a' } });
  expect(mini.status).toBe(200);
  const web = await session((await signIn('web-a')).get('wxticket')!);
  expect(web.status).toBe(200);
  expect(web.body.user.id).toBe(mini.body.user.id);
});

// Catches: a login CSRF (a callback the resident's browser did not start), a forged state, a state
// from another sign-in, or a nonce cookie left in the browser after its one use.
it('refuses a callback without the browser’s cookie, with a state we did not sign or of another sign-in, and spends the cookie', async () => {
  const { state, cookie } = await start();
  const noCookie = await get(`/api/v1/auth/wechat-web/callback?code=web-b&state=${encodeURIComponent(state)}`);
  expect(loginParams(noCookie.location).get('wxerror')).toBe('state');
  const forged = `${state.split('.')[0]}.${state.split('.')[1]}.AAAAAAAAAAAAAAAAAAAAAA`;
  const tampered = await get(`/api/v1/auth/wechat-web/callback?code=web-b&state=${encodeURIComponent(forged)}`, cookie);
  expect(loginParams(tampered.location).get('wxerror')).toBe('state');
  const other = await start();
  const crossed = await get(`/api/v1/auth/wechat-web/callback?code=web-b&state=${encodeURIComponent(state)}`, other.cookie);
  expect(loginParams(crossed.location).get('wxerror')).toBe('state');
  // The callback clears the cookie: a browser that used it has none left.
  const used = await get(`/api/v1/auth/wechat-web/callback?code=web-b&state=${encodeURIComponent(other.state)}`, other.cookie);
  expect(used.setCookie.join(';')).toMatch(/xr_wx_state=;/);
});

// Catches: a state or ticket that never expires (a link found in a browser's history working later).
it('refuses a state older than ten minutes and a ticket older than two', async () => {
  const late = await start();
  now = new Date(START.getTime() + 11 * 60_000);
  const expired = await get(`/api/v1/auth/wechat-web/callback?code=web-b&state=${encodeURIComponent(late.state)}`, late.cookie);
  expect(loginParams(expired.location).get('wxerror')).toBe('state');
  const ticket = (await signIn('web-b')).get('wxticket')!;
  now = new Date(now.getTime() + 3 * 60_000);
  expect((await session(ticket)).status).toBe(401);
});

// Catches: a 500 page inside WeChat when its servers fail or refuse the code, or when the resident refused.
it('comes back to the sign-in page saying what went wrong when WeChat refuses, fails or the resident says no', async () => {
  expect((await signIn('web-bad')).get('wxerror')).toBe('failed');
  expect((await signIn('web-down')).get('wxerror')).toBe('failed');
  const { state, cookie } = await start();
  const refused = await get(`/api/v1/auth/wechat-web/callback?state=${encodeURIComponent(state)}`, cookie);
  expect(loginParams(refused.location).get('wxerror')).toBe('refused');
});

// Catches: the routes answering (and minting accounts) on a server whose county has no 公众号.
it('is not there without a 公众号', async () => {
  const plain = await startTestServer({ seed: false });
  try {
    expect((await plain.api('GET', '/api/v1/auth/methods')).body.wechatWeb).toBe(false);
    expect((await plain.api('GET', '/api/v1/auth/wechat-web/start')).status).toBe(404);
    expect((await plain.api('POST', '/api/v1/auth/wechat-web/session', { body: { ticket: 'x'.repeat(32) } })).status).toBe(404);
  } finally {
    await plain.stop();
  }
}, 90_000);

// Catches: WeChat refusing the 网页授权域名 because the file it checks is not served.
it('serves the domain check file the 公众号 console asks for, and no other', async () => {
  const res = await s.api('GET', '/MP_verify_AbC123xyz789.txt');
  expect(res.status).toBe(200);
  expect(res.body).toBe('AbC123xyz789');
  expect((await s.api('GET', '/MP_verify_other.txt')).status).toBe(404);
});

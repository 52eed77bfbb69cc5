import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import { request, ApiError, NETWORK_ERROR_MESSAGE } from '../../src/api/request';
import { getSession, setSession } from '../../src/store/session';
import { apiError, fakeApi, me, session } from './helpers/fake-api';

const toast = Taro.showToast as unknown as jest.Mock;
const reLaunch = Taro.reLaunch as unknown as jest.Mock;

beforeEach(() => resetTaro());

describe('request wrapper', () => {
  test('sends the bearer token and returns the body', async () => {
    setSession(session());
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: me({ name: '李四' }) }) });
    const result = await request<{ name: string }>('/me');
    expect(result.name).toBe('李四');
    expect(log[0].headers.Authorization).toBe('Bearer access-1');
  });

  test('maps a server error to its Chinese message and shows it as a toast', async () => {
    fakeApi({ 'POST /auth/password-login': () => apiError(401, 'INVALID_CREDENTIALS', '用户名或密码错误') });
    const err = (await request('/auth/password-login', { method: 'POST', data: {}, auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('用户名或密码错误');
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(err.status).toBe(401);
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '用户名或密码错误', icon: 'none' }));
    // a failed login without a token is not a session expiry: no refresh, no redirect
    expect(reLaunch).not.toHaveBeenCalled();
  });

  test('toast: false leaves the message to the page', async () => {
    fakeApi({ 'GET /regions': () => apiError(500, 'INTERNAL', '服务器开小差了') });
    await expect(request('/regions', { toast: false })).rejects.toThrow('服务器开小差了');
    expect(toast).not.toHaveBeenCalled();
  });

  test('network failure becomes the standard Chinese message', async () => {
    fakeApi({ 'GET /me': () => 'network-error' });
    await expect(request('/me')).rejects.toThrow(NETWORK_ERROR_MESSAGE);
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后重试' }));
  });

  test('on 401 refreshes the token once and retries with the new token', async () => {
    setSession(session());
    let refreshCalls = 0;
    const log = fakeApi({
      'GET /me': (req) =>
        req.headers.Authorization === 'Bearer access-2'
          ? { status: 200, body: me({ name: '王五' }) }
          : apiError(401, 'UNAUTHENTICATED', '请先登录'),
      'POST /auth/refresh': (req) => {
        refreshCalls += 1;
        expect(req.data).toEqual({ refreshToken: 'refresh-1' });
        return { status: 200, body: session({ accessToken: 'access-2', refreshToken: 'refresh-2' }) };
      },
    });
    const [a, b] = await Promise.all([request<{ name: string }>('/me'), request<{ name: string }>('/me')]);
    expect(a.name).toBe('王五');
    expect(b.name).toBe('王五');
    expect(refreshCalls).toBe(1);
    expect(getSession()?.accessToken).toBe('access-2');
    expect(getSession()?.refreshToken).toBe('refresh-2');
    expect(log.filter((r) => r.path === '/me')).toHaveLength(4);
    expect(reLaunch).not.toHaveBeenCalled();
  });

  test('when the refresh token is refused (401) the session is cleared and the login page opens', async () => {
    // Catches a client that keeps a session the server has ended.
    setSession(session());
    let refreshCalls = 0;
    fakeApi({
      'GET /me': () => apiError(401, 'UNAUTHENTICATED', '请先登录'),
      'POST /auth/refresh': () => {
        refreshCalls += 1;
        return apiError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录');
      },
    });
    await expect(request('/me')).rejects.toThrow('登录已过期，请重新登录');
    expect(refreshCalls).toBe(1);
    expect(getSession()).toBeNull();
    expect(reLaunch).toHaveBeenCalledWith({ url: '/pages/login/index' });
  });

  test('a network error on refresh keeps the session, says so in Chinese, and the next try works', async () => {
    // Catches signing the user out when the network drops during a token refresh.
    setSession(session());
    let online = false;
    fakeApi({
      'GET /me': (req) => (req.headers.Authorization === 'Bearer access-2' ? { status: 200, body: me({ name: '王五' }) } : apiError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录')),
      'POST /auth/refresh': () => (online ? { status: 200, body: session({ accessToken: 'access-2', refreshToken: 'refresh-2' }) } : 'network-error'),
    });
    const err = (await request('/me').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.message).toBe(NETWORK_ERROR_MESSAGE);
    expect(getSession()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(reLaunch).not.toHaveBeenCalled();
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后重试' }));

    // 重试 once the network is back: the kept refresh token still works.
    online = true;
    await expect(request<{ name: string }>('/me')).resolves.toMatchObject({ name: '王五' });
    expect(getSession()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect(reLaunch).not.toHaveBeenCalled();
  });

  test('a 503 on refresh keeps the session and passes the server\'s message on', async () => {
    // Catches treating every non-2xx refresh answer as a refused token (a database outage would
    // sign every user out).
    setSession(session());
    fakeApi({
      'GET /me': () => apiError(401, 'TOKEN_EXPIRED', '登录已过期，请重新登录'),
      'POST /auth/refresh': () => apiError(503, 'NOT_READY', '数据库暂不可用'),
    });
    const err = (await request('/me').catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(503);
    expect(err.message).toBe('数据库暂不可用');
    expect(getSession()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(reLaunch).not.toHaveBeenCalled();
  });

  test('a second 401 after a successful refresh does not refresh again', async () => {
    setSession(session());
    let refreshCalls = 0;
    fakeApi({
      'GET /me': () => apiError(401, 'UNAUTHENTICATED', '请先登录'),
      'POST /auth/refresh': () => {
        refreshCalls += 1;
        return { status: 200, body: session({ accessToken: 'access-2' }) };
      },
    });
    await expect(request('/me')).rejects.toBeInstanceOf(ApiError);
    expect(refreshCalls).toBe(1);
    expect(reLaunch).toHaveBeenCalledWith({ url: '/pages/login/index' });
  });

  test('query parameters skip empty values', async () => {
    const log = fakeApi({ 'GET /regions': () => ({ status: 200, body: { items: [], total: 0, page: 1, pageSize: 20 } }) });
    await request('/regions', { query: { parentId: undefined, page: 2, pageSize: 20, level: '' } });
    expect(log[0].query).toEqual({ page: '2', pageSize: '20' });
  });
});

// The one request wrapper: base URL, bearer token, one refresh on 401 (only a refused refresh
// token signs the user out), Chinese toasts.
// Pages never call Taro.request directly; they call the functions in ./endpoints.
import Taro from '@tarojs/taro';
import { apiUrl } from './base';
import type { ApiErrorBody, ApiErrorDetail, Session } from './types';
import { clearSession, getSession, setSession } from '../store/session';

export const NETWORK_ERROR_MESSAGE = '网络不给力，请稍后重试';
export const SESSION_EXPIRED_MESSAGE = '登录已过期，请重新登录';
const FALLBACK_MESSAGE = '服务暂时不可用，请稍后重试';
export const LOGIN_PAGE = '/pages/login/index';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  data?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** Send the access token (default true). Login endpoints pass false. */
  auth?: boolean;
  /** Show a toast with the error message (default true). Pages with their own error view pass false. */
  toast?: boolean;
  /** Extra request headers (e.g. `If-Match` from ifMatch()). */
  headers?: Record<string, string>;
}

/** The If-Match of an edit or move made on `version` (the server's ETag `"v<version>"`). */
export const ifMatch = (version: number): Record<string, string> => ({ 'If-Match': `"v${version}"` });

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: ApiErrorDetail[];

  constructor(status: number, code: string, message: string, details?: ApiErrorDetail[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function buildQuery(query?: RequestOptions['query']): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface RawResponse {
  statusCode: number;
  data: unknown;
}

async function send(path: string, opts: RequestOptions, token: string | null): Promise<RawResponse> {
  const header: Record<string, string> = { ...opts.headers, 'Content-Type': 'application/json' };
  if (token) header.Authorization = `Bearer ${token}`;
  try {
    const res = await Taro.request({
      url: apiUrl(path) + buildQuery(opts.query),
      method: (opts.method ?? 'GET') as 'GET',
      data: opts.data as Record<string, unknown> | undefined,
      header,
      dataType: 'json',
    });
    return { statusCode: res.statusCode, data: res.data };
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE);
  }
}

export function toApiError(res: RawResponse): ApiError {
  const body = res.data as Partial<ApiErrorBody> | null | undefined;
  const err = body && typeof body === 'object' ? body.error : undefined;
  if (err && typeof err.message === 'string') {
    return new ApiError(res.statusCode, err.code ?? 'ERROR', err.message, err.details);
  }
  return new ApiError(res.statusCode, 'HTTP_' + res.statusCode, FALLBACK_MESSAGE);
}

/**
 * What a refresh came to. Only a refused refresh token (401 from /auth/refresh) ends the session;
 * a dropped network, a 5xx or a 429 leave the tokens in place, so the user can try again.
 */
export type RefreshResult = { kind: 'renewed'; accessToken: string } | { kind: 'refused' } | { kind: 'unavailable'; error: ApiError };

// Concurrent 401s share one refresh call.
let refreshing: Promise<RefreshResult> | null = null;

async function refreshAccessToken(): Promise<RefreshResult> {
  const current = getSession();
  if (!current?.refreshToken) return { kind: 'refused' };
  let res: RawResponse;
  try {
    res = await send('/auth/refresh', { method: 'POST', data: { refreshToken: current.refreshToken } }, null);
  } catch (e) {
    return { kind: 'unavailable', error: e instanceof ApiError ? e : new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE) };
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return { kind: 'renewed', accessToken: setSession(res.data as Session).accessToken };
  if (res.statusCode === 401) return { kind: 'refused' };
  return { kind: 'unavailable', error: toApiError(res) };
}

/** Shared with src/api/upload.ts, so an upload's 401 joins the same single refresh. */
export function refreshOnce(): Promise<RefreshResult> {
  if (!refreshing) {
    refreshing = refreshAccessToken().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/**
 * A call sent with the session's token (`token`: the caller's, null for none); a 401 joins the
 * single refresh and is sent once more; a refused refresh, or a 401 with the renewed token, signs
 * the user out. The JSON requests, uploads and downloads all go through it.
 */
export async function sendWithRefresh<R extends RawResponse>(sendWith: (token: string | null) => Promise<R>, token: string | null = getSession()?.accessToken ?? null): Promise<R> {
  let res = await sendWith(token);
  if (res.statusCode === 401 && token) {
    const refreshed = await refreshOnce();
    if (refreshed.kind === 'refused') {
      goToLogin();
      throw new ApiError(401, 'SESSION_EXPIRED', SESSION_EXPIRED_MESSAGE);
    }
    // Could not reach the server (or it failed): the session stays; the page offers 重试.
    if (refreshed.kind === 'unavailable') throw refreshed.error;
    res = await sendWith(refreshed.accessToken);
    if (res.statusCode === 401) {
      goToLogin();
      throw new ApiError(401, 'SESSION_EXPIRED', SESSION_EXPIRED_MESSAGE);
    }
  }
  return res;
}

function showError(message: string): void {
  void Taro.showToast({ title: message, icon: 'none', duration: 2500 });
}

export function goToLogin(): void {
  clearSession();
  void Taro.reLaunch({ url: LOGIN_PAGE });
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const wantsToast = opts.toast !== false;
  const token = opts.auth === false ? null : getSession()?.accessToken ?? null;
  try {
    const res = await sendWithRefresh((t) => send(path, opts, t), token);
    if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res);
    return (res.statusCode === 204 ? undefined : res.data) as T;
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(0, 'CLIENT_ERROR', FALLBACK_MESSAGE);
    if (wantsToast) showError(err.message);
    throw err;
  }
}

/** Chinese message for anything a request threw. */
export function errorMessage(e: unknown): string {
  return e instanceof ApiError ? e.message : FALLBACK_MESSAGE;
}

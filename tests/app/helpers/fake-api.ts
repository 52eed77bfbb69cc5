// Drives the Taro.request stand-in like a tiny server: handlers by "METHOD /path" (without /api/v1).
import Taro from '@tarojs/taro';
import type { Me, Region, Session } from '../../../src/api/types';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  data: any;
  headers: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse> | 'network-error';

export const requestMock = Taro.request as unknown as jest.Mock;

/** Installs handlers; returns the log of requests received. Unknown routes answer 404. */
export function fakeApi(handlers: Record<string, Handler>): FakeRequest[] {
  const log: FakeRequest[] = [];
  requestMock.mockImplementation(async (opts: { url: string; method?: string; data?: unknown; header?: Record<string, string> }) => {
    const url = new URL(opts.url, 'http://localhost');
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const req: FakeRequest = {
      method: opts.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams.entries()),
      data: opts.data,
      headers: opts.header ?? {},
    };
    log.push(req);
    const handler = handlers[`${req.method} ${path}`];
    const res = handler ? await handler(req) : { status: 404, body: { error: { code: 'NOT_FOUND', message: '接口不存在' } } };
    if (res === 'network-error') throw new Error('request:fail');
    return { statusCode: res.status, data: res.body ?? '', header: {} };
  });
  return log;
}

export function apiError(status: number, code: string, message: string): FakeResponse {
  return { status, body: { error: { code, message } } };
}

export function region(id: string, name: string, level: Region['level'], childCount: number, parentId: string | null = null): Region {
  return { id, name, code: id, level, parentId, path: `/${id}/`, pathNames: [name], childCount, centre: null };
}

export function me(overrides: Partial<Me> = {}): Me {
  return {
    id: 'u1',
    name: '张三',
    username: null,
    roles: ['resident'],
    roleLabels: ['居民'],
    isStaff: false,
    regionId: null,
    region: null,
    scopeRegionIds: [],
    scopeRegions: [],
    departmentId: null,
    departmentName: null,
    wechatContactBound: false,
    ...overrides,
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return { accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 900, user: me(), ...overrides };
}

/** A promise whose resolution the test controls. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

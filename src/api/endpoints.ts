// Every server endpoint the mini-program calls, in one place.
import { request, type RequestOptions } from './request';
import type {
  BindingCode,
  BoundRoomListResponse,
  CreateBindingCodeInput,
  DevLoginInput,
  LoginMethods,
  Me,
  Paged,
  PasswordLoginInput,
  Region,
  RegionListQuery,
  Session,
  UpdateMeInput,
  WechatLoginInput,
} from './types';

type Extra = Pick<RequestOptions, 'toast'>;

export const authApi = {
  methods: (extra?: Extra) => request<LoginMethods>('/auth/methods', { auth: false, ...extra }),
  wechatLogin: (body: WechatLoginInput, extra?: Extra) =>
    request<Session>('/auth/wechat-login', { method: 'POST', data: body, auth: false, ...extra }),
  devLogin: (body: DevLoginInput, extra?: Extra) =>
    request<Session>('/auth/dev-login', { method: 'POST', data: body, auth: false, ...extra }),
  passwordLogin: (body: PasswordLoginInput, extra?: Extra) =>
    request<Session>('/auth/password-login', { method: 'POST', data: body, auth: false, ...extra }),
  logout: (refreshToken: string) =>
    request<void>('/auth/logout', { method: 'POST', data: { refreshToken }, auth: false, toast: false }),
};

export const meApi = {
  get: (extra?: Extra) => request<Me>('/me', { ...extra }),
  update: (body: UpdateMeInput, extra?: Extra) => request<Me>('/me', { method: 'PATCH', data: body, ...extra }),
};

export const regionsApi = {
  list: (query: RegionListQuery = {}, extra?: Extra) =>
    request<Paged<Region>>('/regions', { query: { ...query }, auth: false, ...extra }),
  get: (id: string, extra?: Extra) => request<Region>(`/regions/${encodeURIComponent(id)}`, { auth: false, ...extra }),
};

/** Staff: one-time binding codes (a group chat for a community, or one's own WeChat) and bound rooms. */
export const bindingsApi = {
  createCode: (body: CreateBindingCodeInput, extra?: Extra) =>
    request<BindingCode>('/binding-codes', { method: 'POST', data: body, ...extra }),
  listRooms: (extra?: Extra) => request<BoundRoomListResponse>('/rooms', { ...extra }),
};

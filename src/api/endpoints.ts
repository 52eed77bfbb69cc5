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
  AppealCounts,
  AppealDetail,
  AppealListQuery,
  AppealPage,
  AppealSummary,
  Category,
  CreateAppealInput,
  Department,
  Move,
  MoveBodies,
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

/**
 * Appeals (诉求). Moves are one POST each (`/appeals/:id/accept` ...); the detail's
 * `allowedActions` says which the caller may make now. Photos are uploaded first (src/api/upload.ts)
 * and sent by id.
 */
export const appealsApi = {
  create: (body: CreateAppealInput, extra?: Extra) => request<AppealDetail>('/appeals', { method: 'POST', data: body, ...extra }),
  list: (query: AppealListQuery = {}, extra?: Extra) => request<AppealPage>('/appeals', { query: { ...query }, ...extra }),
  counts: (extra?: Extra) => request<AppealCounts>('/appeals/counts', { ...extra }),
  get: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}`, { ...extra }),
  similar: (query: { categoryId: string; regionId: string }, extra?: Extra) =>
    request<{ items: AppealSummary[] }>('/appeals/similar', { query: { ...query }, ...extra }),
  move: <M extends Move & keyof MoveBodies>(id: string, move: M, body: MoveBodies[M], extra?: Extra) =>
    request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/${move}`, { method: 'POST', data: body, ...extra }),
  remind: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/remind`, { method: 'POST', data: {}, ...extra }),
  follow: (id: string, extra?: Extra) => request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/follow`, { method: 'POST', data: {}, ...extra }),
  review: (id: string, body: { note?: string } = {}, extra?: Extra) =>
    request<AppealDetail>(`/appeals/${encodeURIComponent(id)}/review`, { method: 'POST', data: body, ...extra }),
};

export const categoriesApi = {
  list: (extra?: Extra) => request<{ items: Category[] }>('/categories', { auth: false, ...extra }),
};

export const departmentsApi = {
  list: (extra?: Extra) => request<{ items: Department[] }>('/departments', { ...extra }),
};

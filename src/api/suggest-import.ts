// Imports of past appeals (历史诉求导入, admins): server/suggest/import-routes.ts. The upload sends
// the file itself as the body (text/csv or .xlsx), read on the device into an ArrayBuffer: WeChat's
// uploadFile can only send multipart. Same token and single-refresh rule as ./request.
import Taro from '@tarojs/taro';
import { apiUrl } from './base';
import { ApiError, NETWORK_ERROR_MESSAGE, request, sendWithRefresh, toApiError, type RawResponse, type RequestOptions } from './request';
import type { ImportView } from '../../server/suggest/import';

export type SuggestImport = ImportView;
export interface SuggestImportList {
  items: SuggestImport[];
  total: number;
}
export interface RefusedRowList {
  items: { row: number; reason: string; name: string | null }[];
  total: number;
  page: number;
  pageSize: number;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The server's limit (server/suggest/import-routes.ts), checked before sending. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
type Extra = Pick<RequestOptions, 'toast'>;
const base = '/categories/imports';

export const suggestImportApi = {
  list: (extra?: Extra) => request<SuggestImportList>(base, { query: { pageSize: 50 }, ...extra }),
  get: (id: string, extra?: Extra) => request<SuggestImport>(`${base}/${encodeURIComponent(id)}`, { ...extra }),
  refused: (id: string, page: number, extra?: Extra) => request<RefusedRowList>(`${base}/${encodeURIComponent(id)}/refused`, { query: { page, pageSize: 20 }, ...extra }),
  map: (id: string, version: number, mapping: Record<string, string | null>, extra?: Extra) =>
    request<SuggestImport>(`${base}/${encodeURIComponent(id)}`, { method: 'PATCH', data: { version, mapping }, ...extra }),
  start: (id: string, version: number, extra?: Extra) => request<SuggestImport>(`${base}/${encodeURIComponent(id)}/start`, { method: 'POST', data: { version }, ...extra }),
  remove: (id: string, extra?: Extra) => request<SuggestImport>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE', ...extra }),
};

/**
 * The import's id, chosen here before the upload (an ObjectId's shape: seconds, then random): the
 * page polls it for the rows read while the server makes the preview, and a retried upload under
 * it is the same import on the server, never a second.
 */
export function newImportId(): string {
  const random = Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return Math.floor(Date.now() / 1000).toString(16).padStart(8, '0').slice(-8) + random;
}

async function send(body: ArrayBuffer, type: string, fileName: string, id: string, token: string | null): Promise<RawResponse> {
  const header: Record<string, string> = { 'Content-Type': type };
  if (token) header.Authorization = `Bearer ${token}`;
  try {
    const res = await Taro.request({ url: apiUrl(`${base}?name=${encodeURIComponent(fileName)}&id=${id}`), method: 'POST', data: body, header, timeout: 120_000 });
    return { statusCode: res.statusCode, data: res.data };
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE);
  }
}

/**
 * Uploads the chosen file as import `id`; resolves with the import's preview, or with it still
 * `reading` when this was a retry while an earlier send of it is being read (202).
 */
export async function uploadImport(body: ArrayBuffer, fileName: string, id: string = newImportId()): Promise<SuggestImport> {
  const type = /\.xlsx$/i.test(fileName) ? XLSX_TYPE : 'text/csv';
  const res = await sendWithRefresh((token) => send(body, type, fileName, id, token));
  if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res);
  return res.data as SuggestImport;
}

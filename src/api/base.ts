// Where the server is. H5 is served by the server itself, so same origin ('') is the default;
// the WeChat build needs an absolute address. TARO_APP_API_BASE at build time overrides both.
const DEFAULT_BASE = process.env.TARO_ENV === 'h5' ? '' : 'http://127.0.0.1:3000';

export const API_BASE = (process.env.TARO_APP_API_BASE || DEFAULT_BASE).replace(/\/+$/, '');
export const API_PREFIX = '/api/v1';

export function apiUrl(path: string): string {
  return `${API_BASE}${API_PREFIX}${path}`;
}

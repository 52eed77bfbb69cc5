// Direct dispatch by suggestion (智能直派): server/suggest/direct-dispatch-routes.ts. The admins'
// threshold with the precision measured on the county's own confirmed appeals; an edit carries the
// version the page shows (409 when another admin saved first).
import { request, type RequestOptions } from './request';
import type { DirectDispatchView } from '../../server/suggest/direct-dispatch-routes';

export type DirectDispatch = DirectDispatchView;
export type PrecisionRow = DirectDispatchView['measured']['table'][number];
type Extra = Pick<RequestOptions, 'toast'>;
const path = '/categories/suggest/direct-dispatch';

export const directDispatchApi = {
  get: (extra?: Extra) => request<DirectDispatch>(path, { ...extra }),
  save: (body: { version: number; enabled: boolean; threshold: number }, extra?: Extra) => request<DirectDispatch>(path, { method: 'PATCH', data: body, ...extra }),
};

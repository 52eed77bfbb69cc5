// Hot spots (高频诉求): server/hotspots/routes.ts. Similar appeals piling up in one community, listed
// in the caller's scope, merged into one appeal (合并为一件) or dismissed (忽略), and the admins'
// thresholds. Every decision carries the version the page shows.
import type { z } from 'zod';
import { request, type RequestOptions } from './request';
import type { DismissHotspotBody, EditHotspotSettingsBody, HotspotCount, HotspotDetail, HotspotPage, HotspotSettings, HotspotSummary, MergeHotspotBody, MergeHotspotResult, MergeOutcome } from '../../server/hotspots';

export type { HotspotCount, HotspotDetail, HotspotPage, HotspotSettings, HotspotSummary, MergeHotspotResult, MergeOutcome };
export type HotspotState = HotspotSummary['state'];
export type HotspotAppeal = HotspotDetail['appeals'][number];
export type MergeHotspotInput = z.input<typeof MergeHotspotBody>;
export type DismissHotspotInput = z.input<typeof DismissHotspotBody>;
export type EditHotspotSettingsInput = z.input<typeof EditHotspotSettingsBody>;

type Extra = Pick<RequestOptions, 'toast'>;
const id = (v: string) => encodeURIComponent(v);

export const hotspotsApi = {
  list: (query: { state?: HotspotState; cursor?: string; limit?: number }, extra?: Extra) => request<HotspotPage>('/hotspots', { query: { ...query }, ...extra }),
  count: (extra?: Extra) => request<HotspotCount>('/hotspots/count', { ...extra }),
  get: (hotspotId: string, extra?: Extra) => request<HotspotDetail>(`/hotspots/${id(hotspotId)}`, { ...extra }),
  merge: (hotspotId: string, body: MergeHotspotInput, extra?: Extra) => request<MergeHotspotResult>(`/hotspots/${id(hotspotId)}/merge`, { method: 'POST', data: body, ...extra }),
  dismiss: (hotspotId: string, body: DismissHotspotInput, extra?: Extra) => request<HotspotDetail>(`/hotspots/${id(hotspotId)}/dismiss`, { method: 'POST', data: body, ...extra }),
  settings: (extra?: Extra) => request<HotspotSettings>('/hotspots/settings', { ...extra }),
  editSettings: (body: EditHotspotSettingsInput, extra?: Extra) => request<HotspotSettings>('/hotspots/settings', { method: 'PUT', data: body, ...extra }),
};

/** Who sees hot spots: dispatchers and community staff (their regions), admins (the server's HOTSPOT_VIEWERS). */
export const seesHotspots = (user: { roles: readonly string[] }) => ['dispatcher', 'community_staff', 'admin'].some((r) => user.roles.includes(r));

import type { Request } from 'express';
import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { requiredVersion, sendVersion } from '../core/versions';
import { DismissHotspotBody, EditHotspotSettingsBody, HotspotCount, HotspotDetail, HotspotPage, HotspotSettings, ListHotspotsQuery, MergeHotspotBody, MergeHotspotResult } from './schemas';
import { HOTSPOT_DECIDERS, HOTSPOT_VIEWERS, hotspotService } from './service';
import { hotspotSettings } from './settings';

/** The hot spots (高频诉求): staff of the community and its dispatchers read them; dispatchers merge or dismiss; admins set the thresholds. */
export function hotspotRoutes(ctx: AppContext): RouteDef[] {
  const hotspots = hotspotService(ctx);
  const settings = hotspotSettings(ctx);
  // Admins pass every role list (core/route.ts checkAccess).
  const VIEW = HOTSPOT_VIEWERS;
  const DECIDE = HOTSPOT_DECIDERS;
  const v = (req: Request, version: number | undefined) => requiredVersion(req, version);

  return [
    route({
      method: 'get', path: '/settings', summary: '高频诉求阈值（时间窗、件数、文本相似度）', access: VIEW, response: HotspotSettings,
      handler: async ({ res }) => {
        const s = await settings.read();
        sendVersion(res, s.version);
        return s;
      },
    }),
    route({
      method: 'put', path: '/settings', summary: '修改高频诉求阈值（管理员；带上版本）', access: ['admin'], body: EditHotspotSettingsBody, response: HotspotSettings,
      handler: async ({ user, body, req, res }) => {
        const s = await settings.edit(user!, body, v(req, body.version));
        sendVersion(res, s.version);
        return s;
      },
    }),
    route({ method: 'get', path: '/', summary: '高频诉求列表（本人辖区，按状态，新的在前）', access: VIEW, query: ListHotspotsQuery, response: HotspotPage, handler: ({ user, query }) => hotspots.list(user!, query) }),
    route({ method: 'get', path: '/count', summary: '辖区内待处理的高频诉求数（工作台角标）', access: VIEW, response: HotspotCount, handler: ({ user }) => hotspots.count(user!) }),
    route({
      method: 'get', path: '/:id', summary: '高频诉求详情（该组诉求，姓名按统一规则显示）', access: VIEW, params: idParams, response: HotspotDetail,
      handler: async ({ user, params, res }) => {
        const d = await hotspots.get(user!, params.id);
        sendVersion(res, d.version);
        return d;
      },
    }),
    route({
      method: 'post', path: '/:id/merge', summary: '合并为一件：该组其余诉求合并到目标诉求（默认最早一件；带上版本，重试不重复合并）', access: DECIDE, params: idParams, body: MergeHotspotBody, response: MergeHotspotResult,
      handler: async ({ user, params, body, req, res }) => {
        const r = await hotspots.merge(user!, params.id, body, v(req, body.version));
        sendVersion(res, r.hotspot.version);
        return r;
      },
    }),
    route({
      method: 'post', path: '/:id/dismiss', summary: '忽略高频诉求（附理由；带上版本）', access: DECIDE, params: idParams, body: DismissHotspotBody, response: HotspotDetail,
      handler: async ({ user, params, body, req, res }) => {
        const d = await hotspots.dismiss(user!, params.id, body, v(req, body.version));
        sendVersion(res, d.version);
        return d;
      },
    }),
  ];
}

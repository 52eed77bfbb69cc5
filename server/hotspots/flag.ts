/**
 * The flag of a hot spot to staff, through the outbox like every staff notification of appeals
 * (appeals/notify.ts): a subscribe message to each dispatcher whose regions hold the community and
 * to the community's staff, opening the group's page. One message per step (the size the hot spot
 * reached: flagStep in detect.ts) and recipient, by dedupe key, so a retried run sends nothing twice.
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { outbox, type OutboxItemInput } from '../outbox';
import { userService } from '../users';
import { chinaLongTime } from '../../common/china-time';
import type { HotspotDoc } from './model';

/** The page the message opens (the staff subpackage's group page). */
export const hotspotPage = (id: Types.ObjectId | string) => `packages/staff/pages/hotspot/index?id=${id}`;

/** 「高频诉求：西城社区 6小时内 5 件相似诉求（路灯不亮）」 */
export const flagText = (h: Pick<HotspotDoc, 'regionName' | 'windowHours' | 'size' | 'label'>) => `高频诉求：${h.regionName} ${h.windowHours}小时内 ${h.size} 件相似诉求（${h.label}）`;

export function hotspotFlags(ctx: AppContext) {
  const users = userService(ctx);
  const box = outbox(ctx);

  /** The active dispatchers whose regions hold the community, and the community's staff. */
  async function recipients(h: HotspotDoc): Promise<string[]> {
    const inScope = (await users.dispatcherIdsOver(h.regionPath)).map(String);
    const staff = (await users.communityStaffIds(h.communityId)).map(String);
    return [...new Set([...inScope, ...staff])];
  }

  return {
    recipients,
    async enqueue(h: HotspotDoc, step: number): Promise<void> {
      const text = flagText(h);
      const items: OutboxItemInput[] = (await recipients(h)).map((userId) => ({
        dedupeKey: `hotspot:${h._id}:step:${step}:wechat_subscribe:${userId}`,
        channel: 'wechat_subscribe',
        recipient: userId,
        ref: `hotspot:${h._id}`,
        // The template staff grant for appeals' progress: number, state, time, note (cut to 20 characters by the outbox).
        payload: { template: 'appeal_progress', page: hotspotPage(h._id), data: { number: String(h.size), state: '高频诉求', time: chinaLongTime(h.lastAt), note: text } },
      }));
      const { rejected = [] } = await box.enqueue(items, { invalid: 'skip' });
      for (const r of rejected) ctx.logger.error({ hotspotId: String(h._id), dedupeKey: r.dedupeKey, problems: r.problems }, 'hot spot flag refused by the outbox; left out');
      ctx.logger.info({ hotspotId: String(h._id), step, recipients: items.length }, 'hot spot flagged');
    },
  };
}

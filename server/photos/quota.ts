/**
 * The daily upload quota (limits.ts PHOTO_QUOTA): photos and bytes per account and China day.
 *
 * Counted in the shared limiter's collection (RateWindow: one budget for every server process,
 * removed by the cleanup job once the day is over) with its key format `<key>|<window start>`,
 * but not through `rateLimiter().hit`: its windows start at UTC midnight (08:00 in China) and it
 * counts events, where this counts bytes too.
 */
import { chinaDayIndex } from '../../common/china-time';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { isDuplicateKeyError, rateLimited } from '../core/errors';
import { PHOTO_QUOTA, type PhotoQuota } from './limits';

const DAY_MS = 24 * 60 * 60 * 1000;
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const MB = 1024 * 1024;

export function quotaOf(user: Pick<AuthUser, 'roles'>): PhotoQuota {
  if (user.roles.includes('bot')) return PHOTO_QUOTA.bot;
  return user.roles.some((r) => r !== 'resident') ? PHOTO_QUOTA.staff : PHOTO_QUOTA.resident;
}

export function photoQuota(ctx: AppContext) {
  const { RateWindow } = ctx.models;

  function today(userId: string) {
    const t = ctx.now().getTime();
    const start = chinaDayIndex(t) * DAY_MS - CHINA_OFFSET_MS;
    const end = start + DAY_MS;
    return {
      countId: `photos:count:${userId}|${start}`,
      bytesId: `photos:bytes:${userId}|${start}`,
      end: new Date(end),
      retryAfterSeconds: Math.max(1, Math.ceil((end - t) / 1000)),
    };
  }

  async function add(id: string, by: number, expiresAt: Date): Promise<number> {
    // Two first uploads of the day may both insert; the loser retries as an update.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await RateWindow.findOneAndUpdate({ _id: id }, { $inc: { count: by }, $setOnInsert: { expiresAt } }, { upsert: true, returnDocument: 'after' }).lean<{ count: number }>();
        return doc!.count;
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= 2) throw err;
      }
    }
  }

  const refusal = (q: PhotoQuota, overBytes: boolean, retryAfterSeconds: number) =>
    rateLimited(overBytes ? `今天上传的图片已达每日 ${q.bytes / MB}MB 上限，请明天再试` : `今天已上传 ${q.photos} 张图片，达到每日上限，请明天再试`, retryAfterSeconds);

  return {
    /** Before reading an upload's body: 429 when today's quota is already used up. */
    async check(user: AuthUser): Promise<void> {
      const q = quotaOf(user);
      const d = today(user.id);
      const docs = await RateWindow.find({ _id: { $in: [d.countId, d.bytesId] } }).lean<{ _id: string; count: number }[]>();
      const used = (id: string) => docs.find((x) => x._id === id)?.count ?? 0;
      if (used(d.countId) >= q.photos) throw refusal(q, false, d.retryAfterSeconds);
      if (used(d.bytesId) >= q.bytes) throw refusal(q, true, d.retryAfterSeconds);
    },

    /**
     * Counts one upload of `bytes` against today's quota, atomically; over the quota it is
     * taken back and refused with 429. Answers a refund for when the upload is not stored after all.
     */
    async charge(user: AuthUser, bytes: number): Promise<() => Promise<void>> {
      const q = quotaOf(user);
      const d = today(user.id);
      const count = await add(d.countId, 1, d.end);
      const total = await add(d.bytesId, bytes, d.end);
      const refund = async () => {
        await add(d.countId, -1, d.end);
        await add(d.bytesId, -bytes, d.end);
      };
      if (count > q.photos || total > q.bytes) {
        await refund();
        throw refusal(q, total > q.bytes && count <= q.photos, d.retryAfterSeconds);
      }
      return refund;
    },
  };
}

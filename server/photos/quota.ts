/**
 * The daily upload quota (limits.ts PHOTO_QUOTA): photos and bytes per account and China day,
 * counted by the shared limiter (one budget for every server process, windows starting at China
 * midnight, removed by the cleanup job once the day is over). Bytes are amounts, not events, so
 * they go through the limiter's `add` rather than `hit`.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { rateLimited } from '../core/errors';
import { CHINA_DAY_OFFSET_MS, rateLimiter, type RateLimit } from '../core/rate-limit/limiter';
import { PHOTO_QUOTA, type PhotoQuota } from './limits';

const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;

export function quotaOf(user: Pick<AuthUser, 'roles'>): PhotoQuota {
  if (user.roles.includes('bot')) return PHOTO_QUOTA.bot;
  return user.roles.some((r) => r !== 'resident') ? PHOTO_QUOTA.staff : PHOTO_QUOTA.resident;
}

export function photoQuota(ctx: AppContext) {
  const limiter = rateLimiter(ctx);
  const today = (userId: string, q: PhotoQuota): { count: RateLimit; bytes: RateLimit } => ({
    count: { key: `photos:count:${userId}`, limit: q.photos, windowMs: DAY_MS, offsetMs: CHINA_DAY_OFFSET_MS },
    bytes: { key: `photos:bytes:${userId}`, limit: q.bytes, windowMs: DAY_MS, offsetMs: CHINA_DAY_OFFSET_MS },
  });

  const refusal = (q: PhotoQuota, overBytes: boolean, retryAfterSeconds: number) =>
    rateLimited(overBytes ? `今天上传的图片已达每日 ${q.bytes / MB}MB 上限，请明天再试` : `今天已上传 ${q.photos} 张图片，达到每日上限，请明天再试`, retryAfterSeconds);

  return {
    /** Before reading an upload's body: 429 when today's quota is already used up. */
    async check(user: AuthUser): Promise<void> {
      const q = quotaOf(user);
      const d = today(user.id, q);
      const [photos, bytes] = await limiter.totals([d.count, d.bytes]);
      if (photos! >= q.photos || bytes! >= q.bytes) throw refusal(q, photos! < q.photos, limiter.secondsLeft(d.count));
    },

    /**
     * Counts one upload of `bytes` against today's quota, atomically; over the quota it is
     * taken back and refused with 429. Answers a refund for when the upload is not stored after all.
     */
    async charge(user: AuthUser, bytes: number): Promise<() => Promise<void>> {
      const q = quotaOf(user);
      const d = today(user.id, q);
      const count = await limiter.add(d.count, 1);
      const total = await limiter.add(d.bytes, bytes);
      const refund = async () => {
        await limiter.add(d.count, -1);
        await limiter.add(d.bytes, -bytes);
      };
      if (count.total > q.photos || total.total > q.bytes) {
        await refund();
        throw refusal(q, total.total > q.bytes && count.total <= q.photos, count.retryAfterSeconds);
      }
      return refund;
    },
  };
}

/**
 * The cleanup job: FerretDB has no TTL indexes, so what has run out is deleted here.
 * - binding codes a day after they expired (used and cancelled codes expire too, at most 2 h
 *   after they were issued; the audit log keeps who bound what);
 * - sessions that have expired, or were revoked more than a day ago (the refresh grace period is
 *   far shorter);
 * - rate-limit windows that have ended;
 * - outbox messages sent more than 30 days ago (failed ones stay for the record);
 * - photo upload temp files a crashed process left behind (a day old: no upload takes that long);
 * - photos attached to nothing a day after their last upload or use (record and files,
 *   photos/service.ts `removeOrphans`; a conditional delete per photo, so also safe twice at once).
 * Each step is a call on the owning feature's face: the job reads no collection itself.
 *
 * Every step is one idempotent deleteMany by a date: two server processes running it at once
 * delete each document once between them and never anything still in use.
 */
import type { AppContext } from '../context';
import { sessionStore } from '../auth';
import { rateLimiter } from '../core/rate-limit/limiter';
import { deleteExpiredBindingCodes } from '../bindings';
import { outbox } from '../outbox';
import { photoService, type PhotoHolder } from '../photos';
import { appealPhotoHolder } from '../appeals';
import { articlePhotoHolder } from '../news';
import { tipPhotoHolder } from '../tips';
import { consultationPhotoHolder } from '../consultations';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';

const DAY = 24 * 60 * 60 * 1000;
/** How long spent binding codes and revoked sessions stay, to explain a refusal shortly after. */
export const KEEP_SPENT_MS = DAY;
/** Sent notifications are kept a month, to answer "was I told?". */
export const KEEP_SENT_OUTBOX_MS = 30 * DAY;
export const DEFAULT_CLEANUP_INTERVAL_MS = 15 * 60 * 1000;

export interface CleanupResult {
  bindingCodes: number;
  sessions: number;
  rateWindows: number;
  outbox: number;
  photoTempFiles: number;
  photoOrphans: number;
}

/** Every feature whose records show photos (photos/holders.ts): a photo none of them shows is an orphan. The photo routes get the same list (app.ts). */
const photoHolders = (ctx: AppContext): [PhotoHolder, ...PhotoHolder[]] => [appealPhotoHolder(ctx), articlePhotoHolder(ctx), tipPhotoHolder(ctx), consultationPhotoHolder(ctx)];

export async function runCleanup(ctx: AppContext): Promise<CleanupResult> {
  const now = ctx.now();
  const spentBefore = new Date(now.getTime() - KEEP_SPENT_MS);
  const bindingCodes = await deleteExpiredBindingCodes(ctx, spentBefore);
  const sessions = await sessionStore(ctx).removeSpent(now, spentBefore);
  const rateWindows = await rateLimiter(ctx).removeExpired();
  const sent = await outbox(ctx).removeSentBefore(new Date(now.getTime() - KEEP_SENT_OUTBOX_MS));
  const photos = photoService(ctx);
  const photoTempFiles = await photos.removeStaleTemp(spentBefore);
  const photoOrphans = (await photos.removeOrphans(photoHolders(ctx))).removed;
  return { bindingCodes, sessions, rateWindows, outbox: sent, photoTempFiles, photoOrphans };
}

export type CleanupJob = PeriodicJob;
export type { Schedule };

/** Runs `runCleanup` now and then every `intervalMs` (core/periodic-job.ts). */
export function startCleanupJob(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): CleanupJob {
  return startPeriodicJob(
    ctx.logger,
    'cleanup',
    async () => {
      const deleted = await runCleanup(ctx);
      if (Object.values(deleted).some((n) => n > 0)) ctx.logger.info({ deleted }, 'cleanup: removed expired records');
    },
    { intervalMs: opts.intervalMs ?? DEFAULT_CLEANUP_INTERVAL_MS, schedule: opts.schedule },
  );
}

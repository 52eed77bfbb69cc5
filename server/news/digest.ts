/**
 * The daily digest: once a day, at DIGEST_TIME China time, every bound group chat gets one message
 * with up to five stories of its region published in the 24 hours before that time (pinned and
 * emergency first, then newest), through the outbox.
 *
 * Its state is the outbox itself: a record per room and day under the dedupe key
 * `digest:<YYYYMMDD>:<roomId>`, so two processes, a restart, or a server started after the time
 * on the same day add nothing a first run added. The stories are those of the fixed window ending
 * at the day's digest time, so every process builds the same message whenever it runs that day.
 */
import type { AppContext } from '../context';
import { chinaDay, chinaDayStart } from '../../common/china-time';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { boundRooms } from '../bindings';
import { regionLookup } from '../regions';
import { outbox, PRIORITY } from '../outbox';
import { inScope } from './feed';
import { newsModels, type ArticleDoc } from './model';

export const DEFAULT_DIGEST_TIME = '18:00';
export const DIGEST_INTERVAL_MS = 60 * 1000;
/** Stories per message. */
export const DIGEST_MAX_STORIES = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Articles of the window read at most: far more than a county publishes in a day. */
const WINDOW_CAP = 1000;
/** Outbox records inserted per batch. */
const BATCH = 200;

/** The China-time day of `now` (YYYYMMDD) and that day's digest instant. */
export function digestDay(now: Date, time: string = DEFAULT_DIGEST_TIME): { day: string; at: Date } {
  const day = chinaDay(now);
  const [hh, mm] = time.split(':').map(Number);
  const start = chinaDayStart(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`);
  return { day, at: new Date(start.getTime() + (hh * 60 + mm) * 60_000) };
}

/** 东溪县 → 东溪: the county's short name, as local media title things. */
export function countyShortName(name: string): string {
  const short = name.replace(/(自治县|县|市|区|旗)$/u, '');
  return Array.from(short).length >= 2 ? short : name;
}

export function digestText(countyName: string, titles: string[]): string {
  return [`【${countyShortName(countyName)}今日要闻】`, ...titles.map((t, i) => `${i + 1}. ${t}`), '在小程序「县融」首页阅读全文'].join('\n');
}

export interface DigestRun {
  /** The China-time day the run was for, or null before the day's digest time. */
  day: string | null;
  rooms: number;
  /** Records new in the outbox (0 when another process or run sent them already). */
  enqueued: number;
}

export function newsDigest(ctx: AppContext) {
  const { Article } = newsModels(ctx.conn);
  const time = ctx.config.digestTime ?? DEFAULT_DIGEST_TIME;

  return {
    /** Enqueues today's digest if its time has passed; safe to call any number of times. */
    async run(): Promise<DigestRun> {
      const { day, at } = digestDay(ctx.now(), time);
      if (ctx.now() < at) return { day: null, rooms: 0, enqueued: 0 };

      const [stories, rooms, county] = await Promise.all([
        Article.find({ state: 'published', publishedAt: { $gt: new Date(at.getTime() - DAY_MS), $lte: at } }, { title: 1, regionPaths: 1, feedKey: 1 })
          .sort({ feedKey: -1 })
          .limit(WINDOW_CAP)
          .lean<Pick<ArticleDoc, '_id' | 'title' | 'regionPaths' | 'feedKey'>[]>(),
        boundRooms(ctx).inScope([]),
        regionLookup(ctx).countyName(),
      ]);
      if (stories.length === 0 || rooms.length === 0) return { day, rooms: 0, enqueued: 0 };

      const items = [];
      for (const room of rooms) {
        const top = stories.filter((a) => inScope(a.regionPaths, room.regionPath)).slice(0, DIGEST_MAX_STORIES);
        if (top.length === 0) continue;
        items.push({
          channel: 'bot_room' as const,
          recipient: room.roomId,
          payload: { text: digestText(county ?? '本县', top.map((a) => a.title)), mentionContactIds: [] },
          dedupeKey: `digest:${day}:${room.roomId}`,
          ref: `digest:${day}`,
          priority: PRIORITY.digest,
        });
      }
      let enqueued = 0;
      const box = outbox(ctx);
      for (let i = 0; i < items.length; i += BATCH) enqueued += (await box.enqueue(items.slice(i, i + BATCH))).inserted;
      return { day, rooms: items.length, enqueued };
    },
  };
}

/**
 * Runs every minute; after a run that completed for a day, this process skips the rest of that
 * day (other processes and restarts are kept from sending twice by the outbox's dedupe keys).
 */
export function startDigestJob(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const digest = newsDigest(ctx);
  let doneDay: string | null = null;
  return startPeriodicJob(
    ctx.logger,
    'news digest',
    async () => {
      const { day } = digestDay(ctx.now(), ctx.config.digestTime ?? DEFAULT_DIGEST_TIME);
      if (day === doneDay) return;
      const r = await digest.run();
      if (r.day === null) return;
      doneDay = r.day;
      if (r.enqueued > 0) ctx.logger.info(r, 'news digest: enqueued for bound group chats');
    },
    { intervalMs: opts.intervalMs ?? DIGEST_INTERVAL_MS, schedule: opts.schedule },
  );
}

/**
 * Article views without a database write per read. A view counts once per reader (the signed-in
 * user, or a hash of the client address and user agent for an anonymous reader), article and China
 * day. Reads are only noted in memory; a flush (every VIEW_FLUSH_MS, and when the server stops)
 * writes them in a batch: one lookup of the readers already counted today (by any process), one
 * insert of the new ones, and one `$inc` per article.
 *
 * Several processes share the counting through the `ArticleView` rows: a reader seen by another
 * process in an earlier flush is not counted again. Two processes that both note the same reader
 * for the same article and flush at the same moment may both count them: the same reader is
 * counted twice at most within one flush window, never again that day. Views noted by a process
 * that dies before its flush are lost (at most VIEW_FLUSH_MS of views).
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../context';
import { chinaDay } from '../../common/china-time';
import { isDuplicateKeyError } from '../core/errors';
import { startPeriodicJob, type PeriodicJob, type Schedule } from '../core/periodic-job';
import { newsModels } from './model';

/** How often noted views are written. */
export const VIEW_FLUSH_MS = 5_000;
/** Readers this process remembers as counted today (a cache: the database decides); cleared beyond it. */
export const MAX_REMEMBERED_READERS = 200_000;
/** Rows per lookup or insert of one flush. */
const CHUNK = 500;

/** Who reads: a signed-in user, or an anonymous client (address and user agent, hashed: no address is stored). */
export function readerKey(userId: string | null, address: string, userAgent: string): string {
  if (userId) return `u:${userId}`;
  return `a:${createHash('sha256').update(`${address}\n${userAgent}`).digest('base64url').slice(0, 22)}`;
}

export interface ViewCounter {
  /** Notes a read; counted once per reader, article and day. */
  note(articleId: string, reader: string): void;
  /** Views noted by this process and not yet written, for one article (shown with the stored count). */
  pendingFor(articleId: string): number;
  /** Writes what was noted; returns the views added. */
  flush(): Promise<number>;
}

const counters = new WeakMap<AppContext, ViewCounter>();

/** The one counter of this app (the read route notes, the flush job and the server's stop flush). */
export function articleViews(ctx: AppContext): ViewCounter {
  let c = counters.get(ctx);
  if (!c) {
    c = createViewCounter(ctx);
    counters.set(ctx, c);
  }
  return c;
}

function createViewCounter(ctx: AppContext): ViewCounter {
  const { ArticleView, ArticleStats } = newsModels(ctx.conn);
  /** Keys `<day>|<articleId>|<reader>` noted today by this process (flushed or not). */
  let remembered = new Set<string>();
  let rememberedDay = '';
  /** Noted and not yet written: key → articleId. */
  let pending = new Map<string, string>();
  const pendingPerArticle = new Map<string, number>();
  let cleanedDay = '';
  let flushing: Promise<number> = Promise.resolve(0);

  async function incViews(articleId: string, n: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await ArticleStats.updateOne({ _id: articleId }, { $inc: { views: n } }, { upsert: true });
        return;
      } catch (err) {
        // Two first upserts of one article's counters at once: the loser retries as an update.
        if (attempt > 2 || !isDuplicateKeyError(err)) throw err;
      }
    }
  }

  async function write(batch: Map<string, string>): Promise<number> {
    const today = chinaDay(ctx.now());
    if (cleanedDay !== today) {
      await ArticleView.deleteMany({ day: { $lt: today } });
      cleanedDay = today;
    }
    const keys = [...batch.keys()];
    const fresh: string[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const seen = new Set((await ArticleView.find({ _id: { $in: chunk } }, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id));
      fresh.push(...chunk.filter((k) => !seen.has(k)));
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const docs = fresh.slice(i, i + CHUNK).map((k) => ({ _id: k, day: k.slice(0, k.indexOf('|')), articleId: batch.get(k)! }));
      try {
        await ArticleView.insertMany(docs, { ordered: false });
      } catch (err) {
        // Another process counted some of these readers in this same window: they count here too (documented above).
        if (!isDuplicateKeyError(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
      }
    }
    const perArticle = new Map<string, number>();
    for (const k of fresh) perArticle.set(batch.get(k)!, (perArticle.get(batch.get(k)!) ?? 0) + 1);
    for (const [articleId, n] of perArticle) await incViews(articleId, n);
    return fresh.length;
  }

  return {
    note(articleId, reader) {
      const day = chinaDay(ctx.now());
      if (day !== rememberedDay || remembered.size >= MAX_REMEMBERED_READERS) {
        remembered = new Set();
        rememberedDay = day;
      }
      const key = `${day}|${articleId}|${reader}`;
      if (remembered.has(key)) return;
      remembered.add(key);
      pending.set(key, articleId);
      pendingPerArticle.set(articleId, (pendingPerArticle.get(articleId) ?? 0) + 1);
    },

    pendingFor: (articleId) => pendingPerArticle.get(articleId) ?? 0,

    flush() {
      // One flush at a time; a flush asked for while one runs writes after it.
      flushing = flushing.catch(() => 0).then(async () => {
        if (pending.size === 0) return 0;
        const batch = pending;
        pending = new Map();
        try {
          return await write(batch);
        } catch (err) {
          // Nothing of the batch is lost on a failed write: it goes back for the next flush.
          for (const [k, a] of batch) if (!pending.has(k)) pending.set(k, a);
          throw err;
        } finally {
          pendingPerArticle.clear();
          for (const a of pending.values()) pendingPerArticle.set(a, (pendingPerArticle.get(a) ?? 0) + 1);
        }
      });
      return flushing;
    },
  };
}

/** The flush every VIEW_FLUSH_MS; stopping it flushes once more (the server's stop). */
export function startViewFlush(ctx: AppContext, opts: { intervalMs?: number; schedule?: Schedule } = {}): PeriodicJob {
  const views = articleViews(ctx);
  const job = startPeriodicJob(ctx.logger, 'article view flush', async () => void (await views.flush()), { intervalMs: opts.intervalMs ?? VIEW_FLUSH_MS, schedule: opts.schedule });
  return {
    async stop() {
      await job.stop();
      await views.flush();
    },
  };
}

/** Writes the views noted and not yet written (the server's stop, with or without the flush job). */
export const flushArticleViews = (ctx: AppContext) => articleViews(ctx).flush();

/**
 * Article views (server/news/view-counter.ts): one view per reader, article and China day, noted in
 * memory and written in batches by a flush (every 5 s, and at stop), never by the read itself. On
 * the real embedded database; the flush is run by hand (no background jobs, no timers raced).
 */
import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { ArticleStatsDoc } from '../../server/news/model';
import { articleViews, startViewFlush } from '../../server/news/view-counter';
import { startTestServer, type TestServer } from '../helpers/server';
import { DAY, MINUTE, testClock } from '../helpers/appeals';
import { publishArticle } from '../helpers/news';

const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let seq = 0;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, backgroundJobs: false });
});
afterAll(async () => {
  await s?.stop();
});

const publish = async () => {
  clock.advance(MINUTE);
  return publishArticle(s, { columnCode: 'livelihood', title: `阅读计数测试稿件${++seq}号` });
};
const read = (id: string, userAgent: string, token?: string) => s.api('GET', `/api/v1/news/articles/${id}`, { token, headers: { 'user-agent': userAgent } });
const stored = async (id: string) => (await s.models.ArticleStats.findById(id).lean<ArticleStatsDoc>())?.views ?? 0;

describe('views', () => {
  it('50 reads by one reader are one view; three readers are three; nothing is written before the flush', async () => {
    // Catches: a database write on every read (the counter moved by each hit), a reader refreshing
    // counted each time, or readers told apart wrongly (a signed-in reader and two browsers).
    const id = await publish();
    const resident = await s.residentToken('demo-resident-02');
    // Every command mongoose sends to the counters' collections, reads aside.
    const writes: string[] = [];
    const READS = ['find', 'findOne', 'countDocuments', 'distinct', 'aggregate', 'createIndex'];
    s.ctx.conn.set('debug', (collection: string, method: string) => {
      if (['articlestats', 'articleviews'].includes(collection) && !READS.includes(method)) writes.push(`${collection}.${method}`);
    });
    const { ArticleView } = s.models;
    for (let i = 0; i < 50; i++) expect((await read(id, 'browser-A')).status).toBe(200);
    expect(await stored(id)).toBe(0);
    expect(await ArticleView.countDocuments({ articleId: id })).toBe(0);
    expect(writes).toEqual([]);
    // The reader sees their own view at once (noted, not yet written).
    expect((await read(id, 'browser-A')).body.views).toBe(1);

    await read(id, 'browser-B');
    await read(id, 'browser-A', resident);
    await read(id, 'browser-B', resident);
    expect(await stored(id)).toBe(0);
    expect(await articleViews(s.ctx).flush()).toBe(3);
    expect(await stored(id)).toBe(3);
    // One batch: one insert of the readers, one $inc for the article.
    expect(writes.sort()).toEqual(['articlestats.updateOne', 'articleviews.deleteMany', 'articleviews.insertMany']);
    s.ctx.conn.set('debug', false);
    expect((await read(id, 'browser-B')).body.views).toBe(3);
    expect(await articleViews(s.ctx).flush()).toBe(0);
    expect(await stored(id)).toBe(3);
  });

  it('another process does not count a reader this one already wrote today; the next China day counts again', async () => {
    // Catches: a per-process memory as the only record (each process counting the same reader every
    // day), or a day that never ends (a reader counted once for ever).
    const id = await publish();
    const other = articleViews({ ...s.ctx } as AppContext); // a second process: its own memory, the same database
    await read(id, 'browser-C');
    expect(await articleViews(s.ctx).flush()).toBe(1);
    other.note(id, (await s.models.ArticleView.findOne({ articleId: id }).lean())!._id.split('|')[2]!);
    expect(await other.flush()).toBe(0);
    expect(await stored(id)).toBe(1);

    clock.advance(DAY);
    await read(id, 'browser-C');
    expect(await articleViews(s.ctx).flush()).toBe(1);
    expect(await stored(id)).toBe(2);
    // Yesterday's readers are gone with the first flush of the new day.
    const days = await s.models.ArticleView.distinct('day', { articleId: id });
    expect(days).toHaveLength(1);
  });

  it('the flush job writes what was noted when it stops', async () => {
    // Catches: views noted since the last flush lost when the job (the server) stops.
    const id = await publish();
    const runs: (() => void)[] = [];
    const job = startViewFlush(s.ctx, { schedule: (run) => (runs.push(run), { cancel: () => {} }) });
    await read(id, 'browser-D');
    expect(await stored(id)).toBe(0);
    await job.stop();
    expect(await stored(id)).toBe(1);
  });

  it('the server writes the views noted since the last flush when it stops', async () => {
    // Catches: a stop (deploy, restart) dropping up to one flush window of views.
    const id = await publish();
    await read(id, 'browser-E');
    await read(id, 'browser-F');
    expect(await stored(id)).toBe(0);
    await s.close();
    const conn = await mongoose.createConnection(s.db.uri).asPromise();
    try {
      const doc = await conn.collection('articlestats').findOne({ _id: new mongoose.Types.ObjectId(id) });
      expect(doc?.views).toBe(2);
    } finally {
      await conn.close();
    }
  });
});

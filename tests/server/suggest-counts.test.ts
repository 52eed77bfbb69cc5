/**
 * The category suggestion's counts in chunk documents (server/suggest/counts.ts, issue 18's
 * "Smart dispatch"): a batch of texts written as one `$inc` per chunk it touches, read back as the
 * same counts, and an installation from before the chunks (one `suggestterms` document per
 * category and bucket) keeping its model through the start-up fold (legacy-counts.ts), resumed
 * after a crash without counting a chunk twice. The learner is run by hand.
 */
import { Types } from 'mongoose';
import { demoIds, fileAppeal, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { startSecondServer, type TestServer } from '../helpers/server';
import { suggestLearner } from '../../server/suggest';
import { CHUNK_BUCKETS, CHUNKS_PER_CATEGORY, chunkOf, fieldOf } from '../../server/suggest/counts';
import { foldLegacyCounts, LEGACY_TERMS } from '../../server/suggest/legacy-counts';
import { suggestTable } from '../../server/suggest/table';
import { bucketCounts } from '../../server/suggest/text';
import type { RunningServer } from '../../server/server';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let dispatcher: string;

const learn = () => suggestLearner(s.ctx).runOnce();
const hotline = (description: string, categoryId: string) =>
  fileAppeal(s, dispatcher, { regionId: ids.region['DX-01-01'], channel: 'hotline', reporter: { name: '王先生', phone: null }, categoryId, description });
const rankedOn = async (url: string, text: string) => {
  const res = await fetch(`${url}/api/v1/categories/suggest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${dispatcher}` }, body: JSON.stringify({ text, limit: 5 }) });
  if (res.status !== 200) throw new Error(`suggest: ${res.status}`);
  return ((await res.json()) as { items: { code: string; score: number }[] }).items;
};
/** 600 different characters in a fixed order: some 1,200 grams, nearly all in different buckets. */
const longText = (from: number) => Array.from({ length: 600 }, (_, i) => String.fromCodePoint(0x4e00 + from + i * 7)).join('');

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  dispatcher = await s.staffToken('dispatcher');
  // The demo's confirmed appeals learned first, so each test sees only its own writes.
  await learn();
}, 120_000);
afterAll(() => env?.stop());

describe('the counts in chunks', () => {
  it('writes a batch as one $inc per chunk it touches, and reads back the counts learned', async () => {
    // Catches: one document (one upsert) per category and bucket, the layout that learned 2.6
    // texts/s: a 600-character text alone would leave over a thousand documents for its category;
    // or a batch written text by text instead of summed per chunk.
    const category = ids.category.prices;
    const texts = [longText(0), longText(3), '石牌坊底下长满了青苔，石牌坊青苔很滑'];
    const buckets = new Set<number>();
    for (const t of texts) for (const b of bucketCounts(t).keys()) buckets.add(b);
    expect(buckets.size).toBeGreaterThan(1000);
    const chunks = new Set([...buckets].map(chunkOf));
    const before = await s.models.SuggestCount.countDocuments({ c: category });
    for (const t of texts) await hotline(t, category);
    const statements: number[] = [];
    const bulkWrite = s.models.SuggestCount.bulkWrite.bind(s.models.SuggestCount);
    const spy = jest.spyOn(s.models.SuggestCount, 'bulkWrite').mockImplementation(((ops: unknown[], opts: unknown) => {
      statements.push(ops.length);
      return bulkWrite(ops as never, opts as never);
    }) as never);
    try {
      expect(await learn()).toMatchObject({ learned: texts.length });
    } finally {
      spy.mockRestore();
    }
    expect(statements.reduce((a, b) => a + b, 0)).toBe(chunks.size);
    expect(Math.max(...statements)).toBeLessThanOrEqual(50);
    const after = await s.models.SuggestCount.countDocuments({ c: category });
    expect(after).toBeLessThanOrEqual(CHUNKS_PER_CATEGORY);
    expect(after - before).toBeLessThanOrEqual(chunks.size);
    // Each bucket's count sits in its chunk's document under its prefixed name, as the table reads it.
    const expected = new Map<number, number>();
    for (const t of texts) for (const [b, n] of bucketCounts(t)) expected.set(b, (expected.get(b) ?? 0) + n);
    const [b, n] = [...expected].find(([, k]) => k > 1) ?? [...expected][0];
    const doc = await s.models.SuggestCount.findById(`${category}|${chunkOf(b)}`).lean();
    expect(doc).toMatchObject({ k: chunkOf(b), c: new Types.ObjectId(category) });
    expect(doc!.n[fieldOf(b)]).toBeGreaterThanOrEqual(n);
    for (const name of Object.keys(doc!.n)) {
      const bucket = Number(name.slice(1));
      expect(name).toMatch(/^b\d+$/);
      expect(Math.floor(bucket / CHUNK_BUCKETS)).toBe(doc!.k);
    }
    const table = await suggestTable(s.ctx.conn).refresh();
    expect(table.categories.get(category)!.counts![b]).toBe(doc!.n[fieldOf(b)]);
  });

  it('an installation with per-bucket counts keeps its model: folded at start, resumed after a crash, once', async () => {
    // Catches: an upgrade that forgets what the county learned (old documents left unread), a
    // resumed fold adding a chunk's counts a second time, or the old collection left to be folded
    // again at every start.
    for (const t of ['桂花巷的石狮子掉漆了', '石狮子掉漆褪色很严重']) await hotline(t, ids.category.noise);
    await learn();
    const texts = ['石牌坊青苔', '石狮子掉漆', '路灯不亮了', longText(1).slice(0, 40)];
    const expected = [];
    for (const t of texts) expected.push(await rankedOn(s.url, t));
    // The same counts as an older release kept them: one document per category and bucket.
    const chunks = await s.models.SuggestCount.find({}).lean();
    const terms = chunks.flatMap((d) =>
      Object.entries(d.n).map(([name, n]) => {
        const b = Number(name.slice(1));
        return { _id: `${String(d.c)}|${b}`, c: d.c, b, n, s: d.s };
      }),
    );
    expect(terms.length).toBeGreaterThan(chunks.length);
    const legacy = s.ctx.conn.collection<{ _id: string }>(LEGACY_TERMS);
    for (let i = 0; i < terms.length; i += 1000) await legacy.insertMany(terms.slice(i, i + 1000));
    await s.models.SuggestCount.deleteMany({});
    // A fold that stopped after its first chunk: that chunk written (and marked), the old documents all still there.
    const first = chunks[0];
    await s.models.SuggestCount.collection.insertOne({ ...first, f: true } as never);
    // A new process starts: its start-up step folds them.
    let second: RunningServer | undefined;
    try {
      second = await startSecondServer(s, { now: env.clock.now, backgroundJobs: false });
      expect(await legacy.countDocuments({})).toBe(0);
      const folded = await s.models.SuggestCount.find({}).sort({ _id: 1 }).lean();
      expect(folded.map((d) => [d._id, d.n])).toEqual(chunks.sort((a, b) => (a._id < b._id ? -1 : 1)).map((d) => [d._id, d.n]));
      for (const [i, t] of texts.entries()) {
        expect(await rankedOn(second.url, t)).toEqual(expected[i]);
        // The first process's table read the folded chunks too (a new run, its stamp bumped).
        expect(await rankedOn(s.url, t)).toEqual(expected[i]);
      }
    } finally {
      await second?.close();
    }
    expect(await foldLegacyCounts(s.ctx)).toEqual({ terms: 0, chunks: 0 });
  }, 120_000);
});

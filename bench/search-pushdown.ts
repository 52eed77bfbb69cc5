/**
 * The news search on the embedded database: `{state: 'published', searchTerms: {$all: terms}}`
 * sorted by `feedKey` desc, limit 21 (server/news/feed.ts), stock FerretDB 1.24.2 beside the
 * patched build. `npx tsx bench/search-pushdown.ts [size ...]` (default 5000). `BEFORE_BINARY=<path>`
 * adds a third build (e.g. the patched build of a commit before `$all` was pushed down, from
 * `.cache/ferretdb/<hash>/xianrong-ferretdb`).
 *
 * Documents: article-like, 90% published, a random Chinese text of 600 characters from 400
 * characters, whose terms (server/news/search-terms.ts: characters and bigrams) make a searchTerms
 * array of about 1000 strings; the indexes of server/news/model.ts. Shapes: two terms that no
 * article has, one common term beside one no article has, a term one article in 500 has, and two
 * common terms (most articles match: the limit stops early). Each shape: warm-up queries, then
 * samples until 50 or 10 s (at least 3). Exits 1 if the builds answer differently.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureDbBinary } from '../scripts/build-db';
import { startEmbeddedDb, withDbName } from '../server/db/embedded';
import { documentTerms } from '../server/news/search-terms';
import { ms, percentile, prng } from './support/stats';

type Collection = ReturnType<ReturnType<InstanceType<typeof mongoose.mongo.MongoClient>['db']>['collection']>;

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isFinite(n) && n > 0)
  .map((n) => Math.min(Math.max(Math.round(n), 100), 200_000));
if (!SIZES.length) SIZES.push(5000);

const BATCH = 200;
const MAX_SAMPLES = 50;
const MIN_SAMPLES = 3;
const WARMUP = 2;
const SHAPE_CAP_MS = 10_000;
const LIMIT = 21;

// 400 characters from the CJK block; the rare and absent terms use characters outside it
const CHARS = Array.from({ length: 400 }, (_, k) => String.fromCodePoint(0x4e00 + k * 7));
const RARE = '鑫淼';
const ABSENT = ['犇骉', '骉犇'];

function makeArticles(count: number): Record<string, unknown>[] {
  const rnd = prng(20261127);
  return Array.from({ length: count }, (_, i) => {
    // a common run at the start so the common shape's terms are in most articles
    let text = '工作推进';
    for (let k = 0; k < 600; k++) text += CHARS[Math.floor(rnd() * CHARS.length)];
    if (i % 500 === 7) text += RARE;
    const terms = documentTerms(text);
    return {
      state: rnd() < 0.9 ? 'published' : 'draft',
      feedKey: `0-${String(1_000_000 + i)}`,
      columnId: `c${i % 6}`,
      title: text.slice(0, 20),
      summary: text.slice(0, 80),
      searchTerms: terms,
    };
  });
}

interface Shape {
  name: string;
  terms: string[];
}

const SHAPES: Shape[] = [
  { name: 'no match (two absent terms)', terms: ABSENT },
  { name: 'no match (a common and an absent term)', terms: ['工作', ABSENT[0]] },
  { name: 'rare (1 in 500 articles)', terms: [RARE] },
  { name: 'common (two terms in every article)', terms: ['工作', '作推'] },
];

const search = (c: Collection, terms: string[]) =>
  c
    .find({ state: 'published', searchTerms: { $all: terms } }, { projection: { feedKey: 1 } })
    .sort({ feedKey: -1 })
    .limit(LIMIT)
    .toArray()
    .then((ds) => ds.map((d) => d.feedKey));

interface ShapeResult {
  samples: number[];
  answer: string;
}

async function runBuild(name: string, binary: string, docs: Record<string, unknown>[]): Promise<Map<string, ShapeResult>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-bench-search-${name}-`));
  const db = await startEmbeddedDb({ dataDir, binary });
  const client = new mongoose.mongo.MongoClient(withDbName(db.uri, 'bench'));
  try {
    await client.connect();
    const coll = client.db().collection('articles');
    await coll.createIndex({ state: 1, feedKey: -1 });
    await coll.createIndex({ columnId: 1, state: 1, feedKey: -1 });
    await coll.createIndex({ searchTerms: 1 });
    for (let k = 0; k < docs.length; k += BATCH) await coll.insertMany(docs.slice(k, k + BATCH).map((d) => ({ ...d })), { ordered: false });
    const byShape = new Map<string, ShapeResult>();
    for (const shape of SHAPES) {
      let answer = '';
      for (let k = 0; k < WARMUP; k++) answer = JSON.stringify(await search(coll, shape.terms));
      const samples: number[] = [];
      const started = performance.now();
      while (samples.length < MAX_SAMPLES) {
        const t = performance.now();
        await search(coll, shape.terms);
        samples.push(performance.now() - t);
        if (samples.length >= MIN_SAMPLES && performance.now() - started > SHAPE_CAP_MS) break;
      }
      byShape.set(shape.name, { samples, answer });
    }
    return byShape;
  } finally {
    await client.close();
    await db.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const log = (s: string) => console.error(s);
  const builds: Array<[string, string]> = [
    ['stock', await ensureDbBinary({ variant: 'stock', log })],
    ...(process.env.BEFORE_BINARY ? [['before', process.env.BEFORE_BINARY] as [string, string]] : []),
    ['patched', await ensureDbBinary({ variant: 'patched', log })],
  ];
  for (const [name, bin] of builds) console.log(`${name.padEnd(8)} ${path.relative(process.cwd(), bin)}`);
  let disagreements = 0;
  for (const size of SIZES) {
    const docs = makeArticles(size);
    const avg = docs.reduce((n, d) => n + (d.searchTerms as string[]).length, 0) / docs.length;
    const results = [];
    for (const [name, bin] of builds) results.push(await runBuild(name, bin, docs));
    console.log(`\n${size} articles (${Math.round(avg)} search terms each on average), p50 / p99 ms (samples):`);
    console.log(`${'shape'.padEnd(42)} ${builds.map(([n]) => n.padStart(22)).join(' ')}`);
    for (const shape of SHAPES) {
      const cells = results.map((r) => {
        const s = r.get(shape.name)!.samples;
        return `${ms(percentile(s, 50))} / ${ms(percentile(s, 99))} (${s.length})`.padStart(22);
      });
      const answers = results.map((r) => r.get(shape.name)!.answer);
      const same = answers.every((a) => a === answers[0]);
      if (!same) disagreements++;
      console.log(`${shape.name.padEnd(42)} ${cells.join(' ')}${same ? '' : '  RESULTS DIFFER'}  ${JSON.parse(answers[0]).length} found`);
    }
  }
  if (disagreements) {
    console.error(`\n${disagreements} shape(s) answered differently`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

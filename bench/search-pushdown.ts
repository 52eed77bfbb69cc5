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
import { documentTerms } from '../server/news/search-terms';
import { dbBuilds, sampleShape, sizesFromArgs, withLoadedCollection, type Collection } from './support/db-builds';
import { ms, percentile, prng } from './support/stats';

const SIZES = sizesFromArgs(5000, 200_000);
const BATCH = 200;
const SAMPLING = { warmup: 2, maxSamples: 50, minSamples: 3, capMs: 10_000 };
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
  const indexes: Array<[Record<string, 1 | -1>]> = [[{ state: 1, feedKey: -1 }], [{ columnId: 1, state: 1, feedKey: -1 }], [{ searchTerms: 1 }]];
  return withLoadedCollection({ name, binary, label: 'search' }, { collection: 'articles', indexes, docs, batch: BATCH }, async (coll) => {
    const byShape = new Map<string, ShapeResult>();
    for (const shape of SHAPES) {
      const { samples, answers } = await sampleShape(() => search(coll, shape.terms), SAMPLING);
      byShape.set(shape.name, { samples, answer: JSON.stringify(answers.at(-1)) });
    }
    return byShape;
  });
}

async function main() {
  const builds = await dbBuilds();
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

/**
 * The embedded database alone, stock FerretDB 1.24.2 beside our patched build, on the query shapes
 * the appeal pages use: `npx tsx bench/db-query.ts [size ...]` (default 10000; e.g. `10000 100000`).
 *
 * For each size and each build: a fresh database in a temp folder, the indexes MongoDB would need
 * ({state, deadlineAt}, {departmentId, state}, {regionPath}), the same seeded appeal-like documents
 * inserted with insertMany in batches, then per query shape a few warm-up queries and timed samples,
 * bounded by a count and a time cap (stock at 100k documents scans, seconds per query, so it gets
 * few samples). Prints p50/p99 per shape for both builds and stock/patched as a ratio. Exits 1 if
 * the builds return different results for the same query (a wrong bench is worse than none).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureDbBinary, type DbVariant } from '../scripts/build-db';
import { startEmbeddedDb, withDbName } from '../server/db/embedded';
import { ms, pct, prng } from './support/stats';

const { ObjectId } = mongoose.mongo;
type ObjectIdT = InstanceType<typeof ObjectId>;
type Collection = ReturnType<ReturnType<InstanceType<typeof mongoose.mongo.MongoClient>['db']>['collection']>;

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isFinite(n) && n > 0)
  .map((n) => Math.min(Math.max(Math.round(n), 100), 500_000));
if (!SIZES.length) SIZES.push(10_000);

const BATCH = 1000;
const MAX_SAMPLES = 200;
const MIN_SAMPLES = 3;
const WARMUP = 2;
/** Per shape and build: stop taking samples after this long (at least MIN_SAMPLES are taken). */
const SHAPE_CAP_MS = 10_000;

const STATES = ['submitted', 'accepted', 'assigned', 'processing', 'replied', 'closed', 'rejected', 'reopened'];
/** 30 grid paths: county c1, 5 towns, 6 grids each. */
const GRIDS = Array.from({ length: 30 }, (_, k) => `/c1/t${Math.floor(k / 6) + 1}/g${(k % 6) + 1}/`);
const TOWNS = Array.from({ length: 5 }, (_, k) => `/c1/t${k + 1}/`);
const DEPARTMENTS = Array.from({ length: 8 }, (_, k) => new ObjectId(`65d0000000000000000000${String(k + 1).padStart(2, '0')}`));
const TEXT = '小区东门路灯连续三晚不亮，夜间居民出行不便，老人和孩子经过时容易摔倒，请尽快安排人员检修并告知处理进度。';

interface Appeal {
  _id: ObjectIdT;
  no: string;
  title: string;
  description: string;
  state: string;
  regionPath: string;
  departmentId: ObjectIdT;
  deadlineAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

function makeAppeals(count: number): Appeal[] {
  const rnd = prng(20261126);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(t0 + Math.floor(rnd() * 300 * 86_400_000));
    const description = (TEXT.repeat(5) + i).slice(-200);
    return {
      _id: new ObjectId(Math.floor(createdAt.getTime() / 1000).toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0')),
      no: `A${String(i).padStart(8, '0')}`,
      title: `路灯不亮 ${i}`,
      description,
      state: pick(STATES),
      regionPath: pick(GRIDS),
      departmentId: pick(DEPARTMENTS),
      deadlineAt: new Date(createdAt.getTime() + (1 + Math.floor(rnd() * 15)) * 86_400_000),
      createdAt,
      updatedAt: createdAt,
    };
  });
}

interface Shape {
  name: string;
  /** The k-th query of this shape; returns something comparable between the builds. */
  run(coll: Collection, k: number): Promise<unknown>;
}

function shapes(ids: ObjectIdT[]): Shape[] {
  return [
    {
      name: 'findById',
      // ids spread over the collection (a stride coprime with most sizes).
      run: (c, k) => c.findOne({ _id: ids[(k * 7919) % ids.length] }).then((d) => d?.no ?? null),
    },
    {
      name: 'inbox {state, regionPath:/^town/} sort deadlineAt limit 20',
      run: (c, k) =>
        c
          .find({ state: STATES[k % STATES.length], regionPath: new RegExp('^' + TOWNS[k % TOWNS.length].replace(/\//g, '\\/')) })
          .sort({ deadlineAt: 1 })
          .limit(20)
          .toArray()
          .then((ds) => ds.map((d) => (d.deadlineAt as Date).getTime())),
    },
    {
      name: 'inbox {state, regionPath:/^grid/} sort deadlineAt limit 20',
      run: (c, k) =>
        c
          .find({ state: STATES[(k * 3) % STATES.length], regionPath: new RegExp('^' + GRIDS[k % GRIDS.length].replace(/\//g, '\\/')) })
          .sort({ deadlineAt: 1 })
          .limit(20)
          .toArray()
          .then((ds) => ds.map((d) => (d.deadlineAt as Date).getTime())),
    },
    {
      name: '{departmentId, state} limit 20',
      run: (c, k) =>
        c
          .find({ departmentId: DEPARTMENTS[k % DEPARTMENTS.length], state: STATES[(k * 5) % STATES.length] })
          .limit(20)
          .toArray()
          .then((ds) => ds.length),
    },
    {
      name: 'countDocuments {state}',
      run: (c, k) => c.countDocuments({ state: STATES[k % STATES.length] }),
    },
  ];
}

interface ShapeResult {
  samples: number[];
  /** Results of query k = 0..WARMUP-1, to compare the builds. */
  answers: string[];
}

interface RunResult {
  insertMs: number;
  byShape: Map<string, ShapeResult>;
}

async function runBuild(variant: DbVariant, binary: string, docs: Appeal[]): Promise<RunResult> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-bench-query-${variant}-`));
  const db = await startEmbeddedDb({ dataDir, binary });
  const client = new mongoose.mongo.MongoClient(withDbName(db.uri, 'bench'));
  try {
    await client.connect();
    const coll = client.db().collection('appeals');
    await coll.createIndex({ state: 1, deadlineAt: 1 });
    await coll.createIndex({ departmentId: 1, state: 1 });
    await coll.createIndex({ regionPath: 1 });
    const t = performance.now();
    for (let k = 0; k < docs.length; k += BATCH) await coll.insertMany(docs.slice(k, k + BATCH), { ordered: false });
    const insertMs = performance.now() - t;

    const byShape = new Map<string, ShapeResult>();
    for (const shape of shapes(docs.map((d) => d._id))) {
      const answers: string[] = [];
      for (let k = 0; k < WARMUP; k++) answers.push(JSON.stringify(await shape.run(coll, k)));
      const samples: number[] = [];
      const started = performance.now();
      for (let k = WARMUP; k < WARMUP + MAX_SAMPLES; k++) {
        const q = performance.now();
        await shape.run(coll, k);
        samples.push(performance.now() - q);
        if (samples.length >= MIN_SAMPLES && performance.now() - started > SHAPE_CAP_MS) break;
      }
      byShape.set(shape.name, { samples, answers });
    }
    return { insertMs, byShape };
  } finally {
    await client.close();
    await db.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const log = (s: string) => console.error(s);
  const binaries = {
    stock: await ensureDbBinary({ variant: 'stock', log }),
    patched: await ensureDbBinary({ variant: 'patched', log }),
  };
  console.log(`stock:   ${path.relative(process.cwd(), binaries.stock)}\npatched: ${path.relative(process.cwd(), binaries.patched)}`);
  let disagreements = 0;
  for (const size of SIZES) {
    const docs = makeAppeals(size);
    const stock = await runBuild('stock', binaries.stock, docs);
    const patched = await runBuild('patched', binaries.patched, docs);
    console.log(
      `\n${size} documents: insertMany (${BATCH} per call) stock ${((size / stock.insertMs) * 1000).toFixed(0)} docs/s, ` +
        `patched ${((size / patched.insertMs) * 1000).toFixed(0)} docs/s`,
    );
    console.log(`${'shape'.padEnd(58)} ${'stock p50/p99 ms (n)'.padStart(24)} ${'patched p50/p99 ms (n)'.padStart(24)}  stock/patched p50`);
    for (const [name, s] of stock.byShape) {
      const p = patched.byShape.get(name)!;
      const ss = [...s.samples].sort((a, b) => a - b);
      const ps = [...p.samples].sort((a, b) => a - b);
      const cell = (xs: number[]) => `${ms(pct(xs, 50))} / ${ms(pct(xs, 99))} (${xs.length})`;
      const same = JSON.stringify(s.answers) === JSON.stringify(p.answers);
      if (!same) disagreements++;
      console.log(
        `${name.padEnd(58)} ${cell(ss).padStart(24)} ${cell(ps).padStart(24)}  ${(pct(ss, 50) / pct(ps, 50)).toFixed(1).padStart(6)}x` +
          (same ? '' : '  RESULTS DIFFER'),
      );
      if (!same) console.log(`  stock:   ${s.answers.join(' ')}\n  patched: ${p.answers.join(' ')}`);
    }
  }
  if (disagreements) {
    console.error(`\n${disagreements} shape(s) returned different results on the two builds`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * What the embedded-database benches share: the sizes from the command line, the builds to compare
 * (stock FerretDB, an optional `BEFORE_BINARY`, the patched build), one build's database loaded
 * with the documents, and the sampling of one query shape (warm-up, then samples until a count or
 * a time cap).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureDbBinary } from '../../scripts/build-db';
import { startEmbeddedDb, withDbName } from '../../server/db/embedded';

export type Collection = ReturnType<ReturnType<InstanceType<typeof mongoose.mongo.MongoClient>['db']>['collection']>;

/** Document counts from the arguments (each clamped to 100..max), or the default. */
export function sizesFromArgs(defaultSize: number, max: number, argv = process.argv.slice(2)): number[] {
  const sizes = argv
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0)
    .map((n) => Math.min(Math.max(Math.round(n), 100), max));
  return sizes.length ? sizes : [defaultSize];
}

/** [name, binary] of stock, `BEFORE_BINARY` when set, and the patched build; printed. */
export async function dbBuilds(): Promise<Array<[string, string]>> {
  const log = (s: string) => console.error(s);
  const builds: Array<[string, string]> = [
    ['stock', await ensureDbBinary({ variant: 'stock', log })],
    ...(process.env.BEFORE_BINARY ? [['before', process.env.BEFORE_BINARY] as [string, string]] : []),
    ['patched', await ensureDbBinary({ variant: 'patched', log })],
  ];
  for (const [name, bin] of builds) console.log(`${name.padEnd(8)} ${path.relative(process.cwd(), bin)}`);
  return builds;
}

/**
 * One build's database in a temporary folder: `collection` created with `indexes`, loaded with
 * `docs` in batches, handed to `use`; everything is removed afterwards.
 */
export async function withLoadedCollection<T>(
  build: { name: string; binary: string; label: string },
  load: { collection: string; indexes: Array<[Record<string, 1 | -1>, { unique?: boolean }?]>; docs: Record<string, unknown>[]; batch: number },
  use: (coll: Collection) => Promise<T>,
): Promise<T> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `xianrong-bench-${build.label}-${build.name}-`));
  const db = await startEmbeddedDb({ dataDir, binary: build.binary });
  const client = new mongoose.mongo.MongoClient(withDbName(db.uri, 'bench'));
  try {
    await client.connect();
    const coll = client.db().collection(load.collection);
    for (const [keys, opts] of load.indexes) await coll.createIndex(keys, opts ?? {});
    // Copies: the driver adds `_id` to what it inserts, and every build must get the same documents.
    for (let k = 0; k < load.docs.length; k += load.batch) await coll.insertMany(load.docs.slice(k, k + load.batch).map((d) => ({ ...d })), { ordered: false });
    return await use(coll);
  } finally {
    await client.close();
    await db.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

export interface SampleOptions {
  warmup: number;
  maxSamples: number;
  minSamples: number;
  capMs: number;
}

/**
 * Runs `run(k)` `warmup` times (their answers are returned, to compare the builds), then times it
 * until `maxSamples` samples, or `capMs` has passed with at least `minSamples`.
 */
export async function sampleShape<A>(run: (k: number) => Promise<A>, o: SampleOptions): Promise<{ samples: number[]; answers: A[] }> {
  const answers: A[] = [];
  for (let k = 0; k < o.warmup; k++) answers.push(await run(k));
  const samples: number[] = [];
  const started = performance.now();
  for (let k = o.warmup; k < o.warmup + o.maxSamples; k++) {
    const t = performance.now();
    await run(k);
    samples.push(performance.now() - t);
    if (samples.length >= o.minSamples && performance.now() - started > o.capMs) break;
  }
  return { samples, answers };
}

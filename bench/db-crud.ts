/**
 * Embedded database (FerretDB on SQLite) throughput and latency for small documents, through
 * mongoose, on loopback: `npx tsx bench/db-crud.ts [count]` (default 2000 documents).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Schema } from 'mongoose';
import { ensureDbBinary } from '../scripts/build-db';
import { startEmbeddedDb, withDbName } from '../server/db/embedded';
import { pct } from './support/stats';

const COUNT = Math.min(Math.max(Number(process.argv[2]) || 2000, 10), 20_000);

function report(label: string, latencies: number[], wallMs: number) {
  const s = [...latencies].sort((a, b) => a - b);
  const ops = (latencies.length / wallMs) * 1000;
  console.log(
    `${label.padEnd(28)} ${String(latencies.length).padStart(6)} ops  ${ops.toFixed(0).padStart(6)} ops/s  ` +
      `p50 ${pct(s, 50).toFixed(2).padStart(6)} ms  p99 ${pct(s, 99).toFixed(2).padStart(6)} ms`,
  );
}

async function timed<T>(fn: () => Promise<T>, into: number[]): Promise<T> {
  const t = performance.now();
  const r = await fn();
  into.push(performance.now() - t);
  return r;
}

async function main() {
  const binary = await ensureDbBinary({ log: (s) => console.error(s) });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-db-'));
  const t0 = performance.now();
  const db = await startEmbeddedDb({ dataDir, binary });
  const started = performance.now() - t0;
  const conn = await mongoose.createConnection(withDbName(db.uri, 'bench'), { autoIndex: false }).asPromise();
  const connected = performance.now() - t0;
  console.log(`embedded database: READY in ${started.toFixed(0)} ms, mongoose connected in ${connected.toFixed(0)} ms (${db.uri})`);
  try {
    const Doc = conn.model('BenchDoc', new Schema({ seq: Number, name: String, path: String, tags: [String] }));
    await Doc.createCollection();

    const ids: mongoose.Types.ObjectId[] = [];
    let lat: number[] = [];
    let t = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const d = await timed(() => Doc.create({ seq: i, name: `居民${i}`, path: `/c/t${i % 10}/g${i % 100}/`, tags: ['a', 'b'] }), lat);
      ids.push(d._id);
    }
    report('insert (one by one)', lat, performance.now() - t);

    lat = [];
    t = performance.now();
    for (const id of ids) await timed(() => Doc.findById(id).lean(), lat);
    report('findById (one by one)', lat, performance.now() - t);

    lat = [];
    t = performance.now();
    for (let i = 0; i < 200; i++) await timed(() => Doc.findOne({ seq: i * 7 % COUNT }).lean(), lat);
    report(`findOne by field (scan of ${COUNT})`, lat, performance.now() - t);

    lat = [];
    t = performance.now();
    for (let i = 0; i < 200; i++) await timed(() => Doc.updateOne({ _id: ids[i] }, { $inc: { seq: 1 } }), lat);
    report('updateOne by _id $inc', lat, performance.now() - t);

    lat = [];
    t = performance.now();
    const batch = 100;
    for (let i = 0; i < COUNT; i += batch) {
      await timed(() => Doc.insertMany(Array.from({ length: batch }, (_, k) => ({ seq: COUNT + i + k, name: 'batch', path: '/c/' }))), lat);
    }
    report(`insertMany (${batch} per call)`, lat, performance.now() - t);
    console.log(`  = ${((COUNT / (performance.now() - t)) * 1000).toFixed(0)} docs/s`);

    lat = [];
    t = performance.now();
    await Promise.all(ids.slice(0, 500).map((id) => timed(() => Doc.findById(id).lean(), lat)));
    report('findById (500 concurrent)', lat, performance.now() - t);
  } finally {
    await conn.close();
    await db.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

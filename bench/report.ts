/**
 * The monthly report (GET /api/v1/reports/monthly.xlsx) at a month of 100k appeals: time to the
 * last byte, the file's size and the server process's memory (RSS sampled every 20 ms from
 * /proc, before and at its peak; the embedded database's process beside it), each beside
 * baselines in the same run:
 *   - counting the month's appeals (countDocuments, the driver on the same database);
 *   - reading the month's appeals with a driver cursor, the report's fields, writing nothing;
 *   - exceljs' WorkbookWriter writing as many rows of the same columns (fixed values, no
 *     database) into a stream that drops them, in a fresh process (its time and peak RSS);
 *   - the report of a much smaller month (the one before), to show the memory does not grow with
 *     the rows;
 *   - the report's writer alone (server/reports/workbook.ts, no database: generated rows, as
 *     bench/support/report-input.ts makes them) at a tenth of the month's rows and at all of them,
 *     each in a fresh process whose V8 old space is capped at 64 MB (so that garbage V8 has not
 *     collected yet does not hide what the writer keeps), into a client that takes a chunk per
 *     turn of the event loop: its time, peak RSS and peak of V8 heap + buffers (sampled every
 *     20 ms), flat when the writer streams, growing with the rows when it buffers.
 * The database is filled with generated appeals (bench/support/generated-appeals.ts) over the
 * last 40 days until the month before the current one holds the wanted number.
 *
 * The project runs in a child process as `npm start` runs it (its own embedded FerretDB in a temp
 * folder, demo county seeded, log level warn). Not part of `npm test` nor of `npm run bench`
 * (loading 100k appeals takes minutes):
 *
 *   npx tsx bench/report.ts [appeals in the month, default 100000]
 *
 * Roles of this file: no argument or a number = the bench; `--project` = the child; `--excel N` =
 * the exceljs baseline; `--writer N` = the report's writer alone.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { withDbName } from '../server/db/embedded';
import { chinaDayStart, chinaIsoDate } from '../common/china-time';
import { DEMO_PASSWORD } from '../common/demo-county';
import { serveProject, startChild, START_TIMEOUT_MS, type Child } from './support/child';
import { childrenOf, rssOf } from './support/proc';
import { demoData, fillTo } from './support/generated-appeals';
import { prng } from './support/stats';
import { generatedReport } from './support/report-input';
import { writeMonthlyReport } from '../server/reports/workbook';

const STEP = 20_000;
const SPAN_DAYS = 40;
const SAMPLE_MS = 20;
const MB = 1024 * 1024;
/** V8's old space of the writer-alone processes, in MB. */
const WRITER_HEAP_MB = 64;

const sec = (t0: number) => (performance.now() - t0) / 1000;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

/** Runs `work` while sampling the processes' RSS; their peaks during it and before it. */
async function sampled<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; seconds: number; before: number[]; peak: number[] }> {
  const before = pids.map(rssOf);
  const peak = [...before];
  const timer = setInterval(() => pids.forEach((p, i) => (peak[i] = Math.max(peak[i], rssOf(p)))), SAMPLE_MS);
  const t0 = performance.now();
  try {
    const result = await work();
    return { result, seconds: sec(t0), before, peak };
  } finally {
    clearInterval(timer);
    pids.forEach((p, i) => (peak[i] = Math.max(peak[i], rssOf(p))));
  }
}

/** `2026-11` → the month before / after. */
const shift = (month: string, by: number) => {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
};

/** The exceljs baseline, in its own process: `rows` rows of the report's columns with fixed values. */
async function excelBaseline(rows: number): Promise<void> {
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const t0 = performance.now();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('诉求明细');
  const at = new Date();
  for (let i = 0; i < rows; i++) {
    ws.addRow([`DX-20261115-${String(i).padStart(6, '0')}`, '小程序', '求助', '路灯不亮', '城关镇 / 东城社区 / 第一网格', '县城市管理局', '已办结', at, at, at, at, at, at, at, '满意', '已解决', 0, 1, at, '小区门口的路灯坏了好几天，晚上出行很不方便，希望尽快维修。']).commit();
  }
  await ws.commit();
  await wb.commit();
  process.stdout.write(`READY ${sec(t0).toFixed(2)} ${process.resourceUsage().maxRSS * 1024}\n`);
}

/** The report's writer alone, in its own process: `rows` generated appeals into a client taking a chunk per turn. */
async function writerAlone(rows: number): Promise<void> {
  let delivered = 0;
  const sink = new Writable({ highWaterMark: 16 * 1024, write: (chunk: Buffer, _enc, done) => {
    delivered += chunk.length;
    setImmediate(done);
  } });
  let peakMemory = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakMemory = Math.max(peakMemory, m.heapUsed + m.external + m.arrayBuffers);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const t0 = performance.now();
  const { input } = generatedReport(rows);
  await writeMonthlyReport(sink, input, { stopped: () => false, gone: new Promise(() => {}) });
  clearInterval(timer);
  sample();
  process.stdout.write(`READY ${sec(t0).toFixed(2)} ${process.resourceUsage().maxRSS * 1024} ${peakMemory} ${delivered}\n`);
}

async function bench(): Promise<void> {
  const want = Number(process.argv[2]) || 100_000;
  const cpus = os.cpus();
  console.log(`Monthly report bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const tStart = performance.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-report-'));
  let child: Child | null = null;
  let conn: mongoose.Connection | null = null;
  const cap = setTimeout(() => {
    console.error('bench/report.ts: time cap reached, stopping');
    process.exit(1);
  }, START_TIMEOUT_MS + 40 * 60_000);
  cap.unref();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '10000' };
    delete env.MONGODB_URI;
    child = await startChild(__filename, ['--project'], env);
    const [uri, pidText] = child.extra;
    const serverPid = Number(pidText);
    const dbPid = childrenOf(serverPid)[0] ?? 0;
    const base = child.url;
    const { createModels } = await import('../server/models');
    conn = await mongoose.createConnection(uri).asPromise();
    const models = createModels(conn);
    const demo = await demoData(models);

    // The month before the current one (China time) holds most of the last 40 days.
    const month = shift(chinaIsoDate(new Date()).slice(0, 7), -1);
    const from = chinaDayStart(`${month}-01`);
    const to = chinaDayStart(`${shift(month, 1)}-01`);
    const inMonth = { submittedAt: { $gte: from, $lt: to } };
    const rand = prng(17);
    let t0 = performance.now();
    let total = await models.Appeal.collection.countDocuments();
    let monthly = await models.Appeal.collection.countDocuments(inMonth);
    while (monthly < want) {
      const step = Math.max(1000, Math.min(STEP, Math.ceil(((want - monthly) * 4) / 3)));
      await fillTo(models, demo, total + step, rand, SPAN_DAYS);
      total = await models.Appeal.collection.countDocuments();
      monthly = await models.Appeal.collection.countDocuments(inMonth);
      process.stdout.write(`\r  loaded ${total} appeals, ${monthly} of them filed in ${month} (${sec(t0).toFixed(0)} s)`);
    }
    console.log(`\nDatabase: ${total} appeals, ${monthly} filed in ${month}; loaded in ${sec(t0).toFixed(0)} s`);

    const login = async (username: string) => {
      const res = await fetch(`${base}/api/v1/auth/password-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const admin = await login('admin');
    const download = async (m: string) => {
      const res = await fetch(`${base}/api/v1/reports/monthly.xlsx?month=${m}`, { headers: { authorization: `Bearer ${admin}` } });
      if (res.status !== 200) throw new Error(`report ${m}: ${res.status} ${await res.text()}`);
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      return bytes;
    };
    const pids = [serverPid, dbPid].filter(Boolean);
    const fields = { number: 1, kind: 1, channel: 1, state: 1, categoryName: 1, regionName: 1, departmentName: 1, description: 1, reporterName: 1, submittedAt: 1, acceptedAt: 1, assignedAt: 1, firstContactAt: 1, repliedAt: 1, closedAt: 1, resolveBy: 1, rating: 1, overdueCount: 1, 'timeline.action': 1 };

    const count = await sampled(pids, () => models.Appeal.collection.countDocuments(inMonth));
    const read = await sampled(pids, async () => {
      let n = 0;
      for await (const _ of models.Appeal.collection.find(inMonth, { projection: fields, batchSize: 500 }).sort({ submittedAt: 1 })) n++;
      return n;
    });
    await download(shift(month, -1)); // warm-up (JIT, connection pools), not counted
    const small = await sampled(pids, () => download(shift(month, -1)));
    const smallRows = await models.Appeal.collection.countDocuments({ submittedAt: { $gte: chinaDayStart(`${shift(month, -1)}-01`), $lt: from } });
    const report = await sampled(pids, () => download(month));

    t0 = performance.now();
    const excel = await startChild(__filename, ['--excel', String(monthly)], env);
    const excelWall = sec(t0);
    const [excelSeconds, excelMaxRss] = [Number(excel.url), Number(excel.extra[0])];
    await excel.stop();
    const writers: { rows: number; seconds: number; maxRss: number; peak: number; bytes: number }[] = [];
    for (const rows of [Math.round(monthly / 10), monthly]) {
      // V8 collects lazily while it has room: a capped old space shows what the writer keeps.
      const w = await startChild(__filename, ['--writer', String(rows)], { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${WRITER_HEAP_MB}`.trim() });
      writers.push({ rows, seconds: Number(w.url), maxRss: Number(w.extra[0]), peak: Number(w.extra[1]), bytes: Number(w.extra[2]) });
      await w.stop();
    }

    console.log(`\nThe monthly report as admin (the whole county), ${month}: every appeal of the month a row of 诉求明细`);
    const h = `${'what'.padEnd(58)} ${'rows'.padStart(8)} ${'seconds'.padStart(8)} ${'server RSS before/peak'.padStart(24)} ${'database RSS before/peak'.padStart(26)}`;
    console.log(h);
    console.log('-'.repeat(h.length));
    const line = (what: string, rows: number, r: { seconds: number; before: number[]; peak: number[] } | null, seconds?: number, own?: string) =>
      console.log(
        `${what.padEnd(58)} ${String(rows).padStart(8)} ${(r ? r.seconds : seconds!).toFixed(2).padStart(8)} ${(r ? `${mb(r.before[0])} / ${mb(r.peak[0])}` : own ?? '').padStart(24)} ${(r && r.before[1] !== undefined ? `${mb(r.before[1])} / ${mb(r.peak[1])}` : '').padStart(26)}`,
      );
    line(`report ${month} (${(report.result / MB).toFixed(1)} MB .xlsx)`, monthly, report);
    line(`report ${shift(month, -1)}, the smaller month before (${(small.result / MB).toFixed(1)} MB)`, smallRows, small);
    line('baseline: countDocuments of the month (driver)', count.result, count);
    line('baseline: driver cursor over the month, report fields, no file', read.result, read);
    line('baseline: exceljs writing as many fixed rows, own process', monthly, null, excelSeconds, `peak ${mb(excelMaxRss)}`);
    for (const w of writers) line(`report's writer alone, generated rows (${(w.bytes / MB).toFixed(1)} MB), own process`, w.rows, null, w.seconds, `peak ${mb(w.maxRss)}, heap+buf ${mb(w.peak)}`);
    console.log(`(the exceljs child took ${excelWall.toFixed(1)} s with its start; RSS sampled every ${SAMPLE_MS} ms from /proc)`);
    console.log(`\ntotal ${sec(tStart).toFixed(0)} s`);
  } finally {
    await conn?.close();
    await child?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main =
  role === '--project'
    ? serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong'), String(process.pid)])
    : role === '--excel'
      ? excelBaseline(Number(process.argv[3]))
      : role === '--writer'
        ? writerAlone(Number(process.argv[3]))
        : bench();
main.then(
  () => {
    if (role !== '--excel' && role !== '--writer') process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

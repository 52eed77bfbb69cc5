/**
 * The category suggestion (智能分类, issue 18) on real citizen messages, trained through the
 * product's own paths, beside a plain character-bigram naive Bayes on the same split.
 *
 * Data (kept out of the repository and out of the product; the bench reads it from paths):
 * the labelled messages of the 8th TipDM Cup (第八届"泰迪杯"数据挖掘挑战赛, 2020, problem C
 * 「智慧政务」中的文本挖掘应用: messages from a city's online message board, 留言主题 and 留言详情
 * with the 一级分类 staff gave them, 7 classes), published by the organisers for the contest
 * (https://www.tipdm.org/bdrace/tzbstysj/20200228/1637.html) with no licence stated; so nothing of
 * it is committed here. The full 附件2 (9,210 rows) is 4 MB and over in every public copy we could
 * reach; the bench takes any number of files with the columns 留言编号 / 留言主题 / 留言详情 /
 * 一级分类 (or 一级标签), joins them and drops repeated 留言编号. The figures in the README come from
 * two public pieces of it (bench/README.md says how to get them):
 *   - 附件2.xlsx, the contest's sample of 495 rows, github.com/694035434/Natural-language-processing-and-text-mining
 *     at b55669f6add2117eac7c924bb6652e215c4516eb (no licence file);
 *   - 结果数据/分类结果.xlsx, 921 rows of the full set with their 一级标签 (its 模型结果 column is
 *     ignored), github.com/Syucryingstar/NLP_tipdm at 77222151f85f1293669c4a9c20cae02f5092ddab (no licence file).
 *
 * What it does, the project in a child process (`npm start`'s way: its own embedded database, the
 * demo county seeded, its background jobs on), the admin signed in:
 *  1. The dataset's classes become the catalogue: one category per 一级分类 (its name, no keywords),
 *     the demo's categories retired, through the categories API.
 *  2. A fixed seeded split: 20% of each class for test, the rest for training in a seeded order.
 *  3. Learning curve at 100, 1,000 and all training rows: up to THROUGH_IMPORT rows (default all)
 *     the rows are imported as past appeals through the import (POST /categories/imports as csv,
 *     preview, start; the server's own import job learns them) and every test text is asked of
 *     POST /categories/suggest (limit 3, residents' tokens); at every step the product's own
 *     ranking (rank() on a table of the same buckets writeCounts stores) runs in this process on
 *     the same rows, beside a plain multinomial naive Bayes on character bigrams (Laplace α = 1,
 *     no hashing, whitespace dropped): top-1 and top-3 accuracy. Learning 1,103 rows took about
 *     7 minutes with one upsert per category and bucket; in chunk documents (server/suggest/counts.ts,
 *     one `$inc` per chunk a batch touches) it takes well under one.
 *  4. At the admins' default direct-dispatch threshold (DIRECT_DISPATCH_DEFAULT_THRESHOLD), all
 *     training rows learned: the share of test texts whose top score reaches it (dispatched
 *     directly) and the precision among them.
 *  5. Suggestion latency: one request at a time (the test texts, sequential) p50/p99; and at 100
 *     connections (autocannon, a pool of resident tokens so the per-account limit is not what is
 *     measured) beside a bare Express 5 route that reads the JSON body and sends the same bytes.
 *  6. The import's speed: upload + preview and learning rows/s, beside the driver's insertMany of
 *     the same rows (500 a call) on the same database.
 *  7. The server's RSS at start and after learning (the table: 512 KB per category, whatever the
 *     number learned).
 *
 * `--memory N` instead (after step 1; a few minutes at 100,000): the server's memory with the counts
 * of 0, 10,000 and N learned appeals, which learning through the import would take most of an hour to reach.
 * N appeal-like texts (appealLike: the dataset's rows, then perturbed copies of them) are counted
 * by the learner's own writeCounts, its upserts applied in this process (countsLeft), and the
 * suggestcounts / suggestcategories documents inserted with insertMany as one learner run under the
 * learner's lease, committed and the suggest stamp bumped as the learner does. At each size: the
 * server process's RSS, V8 heap and array buffers (the table's Uint32Arrays) after a full GC before
 * and after its table loads (the first suggestion, timed), the suggestion's latency one request at
 * a time, and the number of count (chunk) documents. Not run in the default run (it takes minutes).
 *
 * With `--import-after K`, then K more appeal-like texts are imported through the API (csv upload,
 * start, the server's import job) onto that full model: the import's rows/s at N learned.
 *
 *   npx tsx bench/suggest.ts --data <file.xlsx|csv> [--data <file> ...] [--quick] [--through-import N] [--memory N [--import-after K]]
 *   (or SUGGEST_BENCH_DATA=<file>[:<file>...]; --quick: 2 s × 1 round at 100 connections)
 *
 * Roles of this file: no role = the bench; `--project` and `--bare <file>` = the two children.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import express from 'express';
import mongoose from 'mongoose';
import { serveApp, serveProject, startChild, START_TIMEOUT_MS, type Child } from './support/child';
import { ms, pct, prng } from './support/stats';
import type { AppContext } from '../server/context';
import { bumpStamp } from '../server/core/cache/stamps';
import { claimLearnerRun, LEARNER_ID, writeCounts, type TextChange } from '../server/suggest/learner';
import { SUGGEST_CACHE, suggestModels } from '../server/suggest/model';
import { priorsOf, rank } from '../server/suggest/service';
import { bucketCounts, HASH_BUCKETS } from '../server/suggest/text';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const argOf = (name: string) => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]] : []));
const DATA = [...argOf('--data'), ...(process.env.SUGGEST_BENCH_DATA ?? '').split(':').filter(Boolean)];
const SECONDS = QUICK ? 2 : 3;
const ROUNDS = QUICK ? 1 : 2;
const CONNECTIONS = 100;
const TOKENS = 300;
const CURVE = [100, 1000];
/** How far the curve goes through the import (`--through-import N`; all by default): past it, only rank() in process. */
const THROUGH_IMPORT = Number(argOf('--through-import')[0]) || Infinity;
/** `--memory N`: only the memory with 0, 10,000 and N learned appeals' counts (memoryRun). */
const MEMORY = Number(argOf('--memory')[0]) || 0;
/** `--memory N --import-after K`: then K more appeal-like rows imported through the API onto that full model (the import's speed at N learned). */
const IMPORT_AFTER = Number(argOf('--import-after')[0]) || 0;
const MAX_TEXT = 2000;
const SUGGEST = '/api/v1/categories/suggest';
const MB = 1024 * 1024;

const sec = (t0: number) => (performance.now() - t0) / 1000;
const pc = (x: number) => `${(100 * x).toFixed(1)}%`;

interface Row {
  id: string;
  title: string;
  body: string;
  label: string;
  date: string;
}
/** The text as the product learns it from an import row (title, newline, body) and as it is asked. */
const textOf = (r: Row) => `${r.title}\n${r.body}`;

// ---------------------------------------------------------------- data

async function readRows(file: string): Promise<Row[]> {
  const { rowsOf, cellText, dateOf } = await import('../server/suggest/import-parse');
  const buf = await fs.readFile(file);
  const format = /\.xlsx$/i.test(file) ? 'xlsx' : 'csv';
  let cols: { id: number; title: number; body: number; label: number; date: number } | null = null;
  const rows: Row[] = [];
  for await (const { cells } of rowsOf(buf, format)) {
    const texts = cells.map((c) => cellText(c));
    if (!cols) {
      const at = (re: RegExp) => texts.findIndex((t) => re.test(t));
      const c = { id: at(/编号/), title: at(/主题|标题/), body: at(/详情|内容/), label: at(/一级分类|一级标签/), date: at(/时间|日期/) };
      if (c.body >= 0 && c.label >= 0) cols = c;
      continue;
    }
    const label = texts[cols.label];
    const body = (texts[cols.body] ?? '').replace(/\s+/g, ' ').trim();
    if (!label || !body) continue;
    const title = cols.title >= 0 ? (texts[cols.title] ?? '').replace(/\s+/g, ' ').trim() : '';
    const d = cols.date >= 0 ? dateOf(cells[cols.date] ?? null) : null;
    const r: Row = { id: cols.id >= 0 ? texts[cols.id] : '', title, body, label, date: (d ?? new Date(Date.UTC(2019, 0, 1))).toISOString().slice(0, 10) };
    // The import refuses texts over 2000 characters: the bench cuts them, for both models alike.
    const room = MAX_TEXT - Array.from(r.title).length - 1;
    r.body = Array.from(r.body).slice(0, Math.max(1, room)).join('');
    rows.push(r);
  }
  if (!cols) throw new Error(`${file}: no header row with 留言详情 and 一级分类 (or 一级标签)`);
  return rows;
}

/** Seeded, stratified: 20% of each class for test; the training rows in a seeded order. */
function split(rows: Row[]): { train: Row[]; test: Row[] } {
  const rand = prng(18);
  const shuffle = <T>(xs: T[]) => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  };
  const byLabel = new Map<string, Row[]>();
  for (const r of rows) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const train: Row[] = [];
  const test: Row[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const rs = shuffle(byLabel.get(label)!);
    const k = Math.max(1, Math.round(rs.length * 0.2));
    test.push(...rs.slice(0, k));
    train.push(...rs.slice(k));
  }
  return { train: shuffle(train), test };
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csvOf = (rows: Row[]) => ['标题,内容,分类,日期', ...rows.map((r) => [r.title, r.body, r.label, r.date].map(csvField).join(','))].join('\r\n');

// ---------------------------------------------------------------- the baseline

/** Plain multinomial naive Bayes on character bigrams (whitespace dropped), Laplace α = 1. */
class BigramNB {
  private counts = new Map<string, Map<string, number>>();
  private totals = new Map<string, number>();
  private docs = new Map<string, number>();
  private vocab = new Set<string>();
  private n = 0;
  static grams(text: string): string[] {
    const cs = Array.from(text.replace(/\s+/g, ''));
    const out: string[] = [];
    for (let i = 0; i + 2 <= cs.length; i++) out.push(cs[i] + cs[i + 1]);
    return out;
  }
  learn(text: string, label: string) {
    const c = this.counts.get(label) ?? new Map<string, number>();
    this.counts.set(label, c);
    for (const g of BigramNB.grams(text)) {
      c.set(g, (c.get(g) ?? 0) + 1);
      this.vocab.add(g);
      this.totals.set(label, (this.totals.get(label) ?? 0) + 1);
    }
    this.docs.set(label, (this.docs.get(label) ?? 0) + 1);
    this.n++;
  }
  /** Labels by posterior, most likely first (bigrams never seen in training are left out, as a vectorizer does). */
  rank(text: string, labels: string[]): Array<{ label: string; score: number }> {
    const V = this.vocab.size;
    const grams = BigramNB.grams(text).filter((g) => this.vocab.has(g));
    const logits = labels.map((l) => {
      const c = this.counts.get(l);
      const denom = Math.log((this.totals.get(l) ?? 0) + V);
      let s = Math.log(((this.docs.get(l) ?? 0) + 1) / (this.n + labels.length));
      for (const g of grams) s += Math.log((c?.get(g) ?? 0) + 1) - denom;
      return s;
    });
    const max = Math.max(...logits);
    const w = logits.map((x) => Math.exp(x - max));
    const sum = w.reduce((a, b) => a + b, 0);
    return labels.map((label, i) => ({ label, score: w[i] / sum })).sort((a, b) => b.score - a.score);
  }
}

// ---------------------------------------------------------------- processes

/** The server process's resident set (ps), in bytes. */
const rssOf = (pid: number) => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;

async function call<T>(base: string, method: string, url: string, body?: unknown, token?: string, type = 'application/json'): Promise<T> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = type;
  const res = await fetch(base + url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A GET without fetch's 300 s headers timeout: while the import learns, the server may take that long to answer. */
function slowGet<T>(base: string, url: string, token: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(base + url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text) as T);
      });
    });
    req.on('error', reject);
  });
}

interface ImportView {
  id: string;
  state: string;
  version: number;
  rows: number;
  refused: number;
  total: number;
  done: number;
  names: Array<{ name: string; categoryId: string | null }>;
}

/** One import through the API: upload (preview), the mapping checked, start, the job polled until done. */
async function importRows(base: string, admin: string, rows: Row[], name: string, categoryIds: Map<string, string>): Promise<{ uploadS: number; learnS: number; slowestPollS: number }> {
  let t0 = performance.now();
  let imp = await call<ImportView>(base, 'POST', `/api/v1/categories/imports?name=${encodeURIComponent(name)}`, csvOf(rows), admin, 'text/csv; charset=utf-8');
  const uploadS = sec(t0);
  if (imp.refused) throw new Error(`${name}: ${imp.refused} rows refused`);
  const unmapped = imp.names.filter((n) => categoryIds.get(n.name) !== n.categoryId);
  if (unmapped.length) {
    imp = await call<ImportView>(base, 'PATCH', `/api/v1/categories/imports/${imp.id}`, { version: imp.version, mapping: Object.fromEntries(unmapped.map((n) => [n.name, categoryIds.get(n.name)!])) }, admin);
  }
  t0 = performance.now();
  imp = await call<ImportView>(base, 'POST', `/api/v1/categories/imports/${imp.id}/start`, { version: imp.version }, admin);
  let told = performance.now();
  let slowestPollS = 0;
  while (imp.state !== 'done') {
    if (sec(t0) > 1800) throw new Error(`${name}: not learned after 30 minutes (${imp.done}/${imp.total})`);
    if (performance.now() - told > 15_000) {
      process.stderr.write(`  … ${name}: ${imp.done} of ${imp.total} learned after ${sec(t0).toFixed(0)} s\n`);
      told = performance.now();
    }
    await new Promise((r) => setTimeout(r, 200));
    const tp = performance.now();
    imp = await slowGet<ImportView>(base, `/api/v1/categories/imports/${imp.id}`, admin);
    slowestPollS = Math.max(slowestPollS, sec(tp));
  }
  if (imp.done !== rows.length) throw new Error(`${name}: ${imp.done} of ${rows.length} rows learned`);
  return { uploadS, learnS: sec(t0), slowestPollS };
}

interface Scored {
  top3: string[];
  score: number;
}

function accuracy(test: Row[], answers: Scored[]): { top1: number; top3: number } {
  let top1 = 0;
  let top3 = 0;
  test.forEach((r, i) => {
    if (answers[i].top3[0] === r.label) top1++;
    if (answers[i].top3.includes(r.label)) top3++;
  });
  return { top1: top1 / test.length, top3: top3 / test.length };
}

/**
 * The product's ranking in this process: the table filled with each training text's buckets as
 * writeCounts stores them (text.ts bucketCounts), the catalogue's priors as the service builds
 * them (the dataset's classes by name, no keywords), and rank() itself.
 */
function inProcess(train: Row[], test: Row[], labels: string[]): Scored[] {
  const categories = labels.map((name, i) => ({ _id: `c${i}`, code: `bench-${i + 1}`, name, group: '泰迪杯留言', sort: i, active: true, keywords: [] }));
  const idOf = new Map(labels.map((l, i) => [l, `c${i}`]));
  const table = { categories: new Map<string, { docs: number; grams: number; counts: Uint32Array | null }>(), vocabulary: 0 };
  const used = new Uint8Array(HASH_BUCKETS);
  for (const r of train) {
    const id = idOf.get(r.label)!;
    let c = table.categories.get(id);
    if (!c) table.categories.set(id, (c = { docs: 0, grams: 0, counts: new Uint32Array(HASH_BUCKETS) }));
    c.docs++;
    for (const [b, k] of bucketCounts(textOf(r))) {
      c.counts![b] += k;
      c.grams += k;
      if (!used[b]) {
        used[b] = 1;
        table.vocabulary++;
      }
    }
  }
  const priors = priorsOf(categories as never);
  return test.map((r) => {
    const ranked = rank(table as never, priors, textOf(r), 3);
    return { top3: ranked.map((x) => x.name), score: ranked[0]?.score ?? 0 };
  });
}

// ---------------------------------------------------------------- memory at N learned (--memory N)

/**
 * N appeal-like texts with their classes, seeded: the dataset's rows as they are, then each row in
 * turn again, perturbed: one of its sentences (split after 。！？；) replaced by a sentence of another
 * row of the same class, and each character replaced with probability 1/20 by a character drawn
 * from the whole dataset (so by its frequency there). New texts of the dataset's lengths, characters
 * and classes, each bringing some 30 bigrams never seen in that class, as new appeals do.
 */
function* appealLike(rows: Row[], n: number): Generator<{ label: string; text: string }> {
  const rand = prng(100);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const sentencesOf = (t: string) => t.match(/[^。！？；]+[。！？；]*/g) ?? [t];
  const sentences = new Map<string, string[]>();
  for (const r of rows) sentences.set(r.label, [...(sentences.get(r.label) ?? []), ...sentencesOf(r.body)]);
  const characters = Array.from(rows.map((r) => textOf(r).replace(/\s+/g, '')).join(''));
  for (let k = 0; k < n; k++) {
    const r = rows[k % rows.length];
    if (k < rows.length) {
      yield { label: r.label, text: textOf(r) };
      continue;
    }
    const body = sentencesOf(r.body);
    body[Math.floor(rand() * body.length)] = pick(sentences.get(r.label)!);
    const cs = Array.from(`${r.title}\n${body.join('')}`);
    for (let i = 0; i < cs.length; i++) if (rand() < 1 / 20) cs[i] = pick(characters);
    yield { label: r.label, text: cs.join('').slice(0, MAX_TEXT) };
  }
}

type Upsert = { updateOne: { filter: { _id: unknown }; update: { $inc?: Record<string, number>; $set?: Record<string, unknown>; $setOnInsert?: Record<string, unknown> } } };

/**
 * What the learner's writeCounts (learner.ts) leaves in the database, without its upserts: it runs
 * on a connection that is never opened, whose suggestcounts and suggestcategories models take its
 * bulkWrites here and apply them as the database would to collections that hold nothing of these
 * categories ($setOnInsert on the first, $inc on a field or a dotted path `n.b<bucket>`, $set). The
 * documents are then inserted as they are.
 */
function countsLeft() {
  const conn = mongoose.createConnection();
  const { SuggestCount, SuggestCategory } = suggestModels(conn);
  const counts = new Map<string, Record<string, unknown>>();
  const categories = new Map<string, Record<string, unknown>>();
  const applying = (into: Map<string, Record<string, unknown>>) => async (ops: Upsert[]) => {
    for (const { updateOne: { filter, update } } of ops) {
      const key = String(filter._id);
      let doc = into.get(key);
      if (!doc) into.set(key, (doc = { _id: filter._id, ...update.$setOnInsert }));
      for (const [f, d] of Object.entries(update.$inc ?? {})) {
        const [outer, inner] = f.split('.');
        const at = inner === undefined ? doc : ((doc[outer] as Record<string, unknown> | undefined) ?? (doc[outer] = {})) as Record<string, unknown>;
        const name = inner ?? outer;
        at[name] = ((at[name] as number | undefined) ?? 0) + d;
      }
      Object.assign(doc, update.$set);
    }
  };
  Object.assign(SuggestCount, { bulkWrite: applying(counts) });
  Object.assign(SuggestCategory, { bulkWrite: applying(categories) });
  const ctx = { conn } as unknown as AppContext;
  return { counts, categories, learn: (changes: TextChange[], run: number) => writeCounts(ctx, changes, run), close: () => conn.close() };
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  arrayBuffers: number;
  maxRss: number;
}

/** In the project child: process.memoryUsage() after a full collection, on a loopback port of its own, so the bench reads the server's heap. */
async function memoryProbe(): Promise<string> {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const probe = http.createServer((_req, res) => {
    gc();
    const m = process.memoryUsage();
    const out: Memory = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers, maxRss: process.resourceUsage().maxRSS * 1024 };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(out));
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  probe.unref();
  return `http://127.0.0.1:${(probe.address() as import('node:net').AddressInfo).port}`;
}

/**
 * `--memory N`: the server's memory with the counts of 0, 10,000 and N learned appeals (appealLike
 * texts of the dataset's classes), written as one learner run each under the learner's lease, the
 * stamp bumped as the learner does; then the table loaded by asking, and latency alone at each size.
 */
async function memoryRun(o: { base: string; admin: string; conn: mongoose.Connection; probe: string; rows: Row[]; categoryIds: Map<string, string>; ask: (text: string) => Promise<{ ms: number }> }): Promise<void> {
  const sizes = [...new Set([0, 10_000, MEMORY].filter((n) => n <= MEMORY))].sort((a, b) => a - b);
  const { SuggestCount, SuggestCategory, SuggestState } = suggestModels(o.conn);
  const ctx = { conn: o.conn, now: () => new Date() } as unknown as AppContext;
  const owner = `bench-suggest-memory-${process.pid}`;
  const ids = [...o.categoryIds.values()].map((id) => new mongoose.Types.ObjectId(id));
  const memory = async () => (await (await fetch(o.probe)).json()) as Memory;
  const asked = o.rows.filter((_, i) => i % Math.max(1, Math.floor(o.rows.length / 200)) === 0).slice(0, 200).map(textOf);
  console.log(`\nmemory at 0 / ${sizes.slice(1).join(' / ')} learned appeals (${o.categoryIds.size} categories of the dataset's classes; bench/suggest.ts appealLike: the ${o.rows.length} rows, then each again with a sentence swapped for another of its class and 1 character in 20 redrawn from the data)`);
  console.log('  counts: the learner\'s writeCounts on the texts, its upserts applied in the bench and the documents inserted with insertMany (100 chunk documents a call) as one learner run, committed, the suggest stamp bumped');
  console.log(`  memory: the server process's process.memoryUsage() after a full GC, before the table loads and after; latency: ${asked.length} dataset texts asked one at a time`);
  // The server's learner learns the demo's appeals once, 5 s after start: measure after it.
  for (let t0 = performance.now(); !((await SuggestState.findById(LEARNER_ID).lean<{ committed: number }>())?.committed ?? 0) && sec(t0) < 60; ) await new Promise((r) => setTimeout(r, 500));
  const header = `${'learned'.padEnd(8)} ${'count docs (theirs / all)'.padStart(25)} ${'counts s'.padStart(9)} ${'write s'.padStart(8)} ${'table load s'.padStart(12)}   ${'RSS MB before → after'.padEnd(22)} ${'heap MB before → after'.padEnd(23)} ${'buffers MB before → after'.padEnd(26)} latency p50 / p99 ms`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const left = countsLeft();
  const texts = appealLike(o.rows, MEMORY + IMPORT_AFTER);
  let learned = 0;
  let written: string[] = [];
  const mb = (b: number) => (b / MB).toFixed(1);
  try {
    for (const size of sizes) {
      let countS = 0;
      let writeS = 0;
      if (size > learned) {
        let run: { seq: number } | null = null;
        for (let t0 = performance.now(); !(run = await claimLearnerRun(ctx, owner)); ) {
          if (sec(t0) > 120) throw new Error('the learner\'s lease was not free for 2 minutes');
          await new Promise((r) => setTimeout(r, 200));
        }
        const renew = () => SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: new Date(Date.now() + 2 * 60_000) } });
        let t0 = performance.now();
        while (learned < size) {
          const changes: TextChange[] = [];
          for (; learned < size && changes.length < 2000; learned++) {
            const { label, text } = texts.next().value as { label: string; text: string };
            changes.push({ categoryId: o.categoryIds.get(label)!, text, sign: 1 });
          }
          await left.learn(changes, run.seq);
        }
        countS = sec(t0);
        t0 = performance.now();
        try {
          // The documents of the previous size are replaced by this size's (the same ones, plus and counted on), deleted
          // by _id 5,000 at a time: the embedded database refuses a deleteMany of 340k matches (SQLite: too many SQL variables).
          for (let i = 0; i < written.length; i += 5000) await SuggestCount.collection.deleteMany({ _id: { $in: written.slice(i, i + 5000) as never[] } });
          await SuggestCategory.collection.deleteMany({ _id: { $in: ids } });
          const docs = [...left.counts.values()];
          written = docs.map((d) => d._id as string);
          let renewed = performance.now();
          for (let i = 0; i < docs.length; i += 100) {
            await SuggestCount.collection.insertMany(docs.slice(i, i + 100) as never[]);
            if (performance.now() - renewed > 30_000) {
              await renew();
              renewed = performance.now();
            }
          }
          await SuggestCategory.collection.insertMany([...left.categories.values()] as never[]);
          await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { committed: run.seq, leaseUntil: new Date() } });
        } catch (err) {
          await SuggestState.updateOne({ _id: LEARNER_ID, owner }, { $set: { leaseUntil: new Date() } }).catch(() => {});
          throw err;
        }
        await bumpStamp(o.conn, SUGGEST_CACHE);
        writeS = sec(t0);
      }
      const before = await memory();
      const load = await o.ask(asked[0]);
      for (const t of asked.slice(1, 3)) await o.ask(t);
      const alone: number[] = [];
      for (const t of asked) alone.push((await o.ask(t)).ms);
      const after = await memory();
      alone.sort((a, b) => a - b);
      const all = await SuggestCount.collection.countDocuments({});
      const cell = (a: number, b: number) => `${mb(a)} → ${mb(b)}`;
      console.log(
        `${String(size).padEnd(8)} ${`${left.counts.size} / ${all}`.padStart(25)} ${(size ? countS.toFixed(0) : '-').padStart(9)} ${(size ? writeS.toFixed(0) : '-').padStart(8)} ${(load.ms / 1000).toFixed(1).padStart(12)}   ${cell(before.rss, after.rss).padEnd(22)} ${cell(before.heapUsed, after.heapUsed).padEnd(23)} ${cell(before.arrayBuffers, after.arrayBuffers).padEnd(26)} ${ms(pct(alone, 50))} / ${ms(pct(alone, 99))}`,
      );
      if (size === sizes[sizes.length - 1]) {
        const tabled = await SuggestCategory.collection.countDocuments({});
        console.log(`  peak RSS of the server process over the run ${mb(after.maxRss)} MB; categories with counts in the table: ${tabled} (the dataset's ${o.categoryIds.size} and the demo's learned), × 512 KB = ${(tabled * 0.5).toFixed(1)} MB + 128 KB of bucket flags`);
      }
    }
    if (IMPORT_AFTER) {
      // The next appeal-like texts (after the N counted), imported as past appeals through the API and learned by the server's import job.
      const more: Row[] = [];
      for (let i = 0; i < IMPORT_AFTER; i++) {
        const { label, text } = texts.next().value as { label: string; text: string };
        more.push({ id: '', title: '', body: Array.from(text.replace(/\s+/g, ' ').trim()).slice(0, MAX_TEXT - 10).join(''), label, date: '2024-01-01' });
      }
      const timing = await importRows(o.base, o.admin, more, `after-${MEMORY}.csv`, o.categoryIds);
      console.log(`the import on the model of ${MEMORY} learned: ${IMPORT_AFTER} appeal-like rows, upload + preview ${timing.uploadS.toFixed(1)} s, learning ${timing.learnS.toFixed(0)} s (${(IMPORT_AFTER / timing.learnS).toFixed(1)} rows/s)`);
    }
  } finally {
    await left.close();
  }
}

async function bench(): Promise<void> {
  if (DATA.length === 0) {
    console.error('bench/suggest.ts needs the labelled messages: --data <file.xlsx|csv> (repeatable) or SUGGEST_BENCH_DATA; bench/README.md says where to get them');
    process.exit(2);
  }
  const { DIRECT_DISPATCH_DEFAULT_THRESHOLD: THRESHOLD } = await import('../server/suggest');
  const cpus = os.cpus();
  console.log(`Suggestion bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}${QUICK ? ', --quick' : ''}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const file of DATA) {
    const read = await readRows(file);
    let kept = 0;
    for (const r of read) {
      const key = r.id || textOf(r);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(r);
      kept++;
    }
    console.log(`data: ${path.basename(file)}: ${read.length} rows, ${kept} new`);
  }
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const { train, test } = split(rows);
  console.log(`${rows.length} labelled messages, ${labels.length} classes (${labels.map((l) => `${l} ${rows.filter((r) => r.label === l).length}`).join(', ')})`);
  console.log(`split (seed 18, 20% of each class): ${train.length} training, ${test.length} test`);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-suggest-'));
  const cap = setTimeout(() => {
    console.error('bench/suggest.ts: time cap reached, stopping');
    process.exit(1);
  }, START_TIMEOUT_MS + 60 * 60_000);
  cap.unref();
  const children: Child[] = [];
  let conn: mongoose.Connection | null = null;
  let failed = false;
  try {
    // Logins of 300 residents and their suggestions all come from 127.0.0.1: the per-address limits are raised; the per-account ones are the product's.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '10000', WRITE_RATE_LIMIT_ADDRESS_PER_MINUTE: '100000' };
    delete env.MONGODB_URI;
    let t0 = performance.now();
    const project = await startChild(__filename, ['--project'], env);
    children.push(project);
    const base = project.url;
    const [uri, pidText] = project.extra;
    const serverPid = Number(pidText);
    console.log(`project server + embedded database + seed ready in ${sec(t0).toFixed(1)} s; server RSS ${(rssOf(serverPid) / MB).toFixed(0)} MB`);
    const rssStart = rssOf(serverPid);

    const admin = (await call<{ accessToken: string }>(base, 'POST', '/api/v1/auth/password-login', { username: 'admin', password: 'xianrong123' })).accessToken;
    const tokens: string[] = [];
    for (let i = 0; i < (MEMORY ? 20 : TOKENS); i++) tokens.push((await call<{ accessToken: string }>(base, 'POST', '/api/v1/auth/dev-login', { openid: `bench-suggest-${i}` })).accessToken);
    let turn = 0;
    const nextToken = () => tokens[turn++ % tokens.length];

    // 1. The catalogue: the dataset's classes, the demo's categories retired.
    const before = await call<{ items: Array<{ id: string; active: boolean }> }>(base, 'GET', '/api/v1/categories?all=true', undefined, admin);
    for (const c of before.items.filter((c) => c.active)) await call(base, 'PATCH', `/api/v1/categories/${c.id}`, { active: false }, admin);
    const categoryIds = new Map<string, string>();
    for (const [i, name] of labels.entries()) {
      const c = await call<{ id: string }>(base, 'POST', '/api/v1/categories', { code: `bench-${i + 1}`, name, group: '泰迪杯留言', sort: i }, admin);
      categoryIds.set(name, c.id);
    }

    conn = await mongoose.createConnection(uri).asPromise();

    const ask = async (text: string) => {
      const t = performance.now();
      const r = await call<{ items: Array<{ name: string; score: number }> }>(base, 'POST', SUGGEST, { text, limit: 3 }, nextToken());
      return { answer: { top3: r.items.map((x) => x.name), score: r.items[0]?.score ?? 0 }, ms: performance.now() - t };
    };

    if (MEMORY) {
      await memoryRun({ base, admin, conn, probe: project.extra[2], rows, categoryIds, ask });
      return;
    }

    // 2-4. The learning curve: through the import as far as THROUGH_IMPORT, and at every step the
    // product's own ranking (rank(), the same grams and buckets) in this process on the same rows.
    const steps = [...CURVE.filter((n) => n < train.length), train.length];
    const viaImport = steps.filter((n) => n <= THROUGH_IMPORT);
    console.log(`\nlearning curve (top-1 / top-3 on the ${test.length} test texts): through the import and POST /categories/suggest${Number.isFinite(THROUGH_IMPORT) ? ` up to ${THROUGH_IMPORT} rows` : ''}; the product's rank() in this process on the same rows at every step; the baseline in this process`);
    const header = `${'training rows'.padEnd(14)} ${'via import'.padStart(16)} ${'rank() in process'.padStart(18)} ${'bigram NB'.padStart(16)}   import (upload / learning)`;
    console.log(header);
    console.log('-'.repeat(header.length + 6));
    let learned = 0;
    let product: Scored[] = [];
    let nb: Scored[] = [];
    let aloneMs: number[] = [];
    const importRates: string[] = [];
    const imported = { rows: 0, uploadS: 0, learnS: 0, slowestPollS: 0 };
    const pair = (a: { top1: number; top3: number }) => `${pc(a.top1)} / ${pc(a.top3)}`;
    for (const n of steps) {
      let apiCell = '-';
      if (viaImport.includes(n)) {
        const slice = train.slice(learned, n);
        const timing = await importRows(base, admin, slice, `curve-${n}.csv`, categoryIds);
        learned = n;
        importRates.push(`${slice.length} rows ${timing.uploadS.toFixed(1)} s / ${timing.learnS.toFixed(0)} s`);
        imported.rows += slice.length;
        imported.uploadS += timing.uploadS;
        imported.learnS += timing.learnS;
        imported.slowestPollS = Math.max(imported.slowestPollS, timing.slowestPollS);
        const answers: Scored[] = [];
        aloneMs = [];
        for (const r of test) {
          const { answer, ms: t } = await ask(textOf(r));
          answers.push(answer);
          aloneMs.push(t);
        }
        apiCell = pair(accuracy(test, answers));
      }
      product = inProcess(train.slice(0, n), test, labels);
      const model = new BigramNB();
      for (const r of train.slice(0, n)) model.learn(textOf(r), r.label);
      nb = test.map((r) => {
        const ranked = model.rank(textOf(r), labels);
        return { top3: ranked.slice(0, 3).map((x) => x.label), score: ranked[0].score };
      });
      console.log(`${String(n).padEnd(14)} ${apiCell.padStart(16)} ${pair(accuracy(test, product)).padStart(18)} ${pair(accuracy(test, nb)).padStart(16)}   ${viaImport.includes(n) ? importRates[importRates.length - 1] : ''}`);
    }
    const rssCurve = rssOf(serverPid);

    const atThreshold = (answers: Scored[]) => {
      const sure = test.map((r, i) => ({ ok: answers[i].top3[0] === r.label, score: answers[i].score })).filter((x) => x.score >= THRESHOLD);
      return { share: sure.length / test.length, precision: sure.length ? sure.filter((x) => x.ok).length / sure.length : NaN };
    };
    const pt = atThreshold(product);
    const bt = atThreshold(nb);
    console.log(`\nat the default direct-dispatch threshold ${THRESHOLD} (DIRECT_DISPATCH_DEFAULT_THRESHOLD), all ${train.length} training rows learned:`);
    console.log(`  Xianrong (rank()): ${pc(pt.share)} of test texts at or above it (dispatched directly), precision ${pc(pt.precision)}`);
    console.log(`  bigram NB:    ${pc(bt.share)} at or above it, precision ${pc(bt.precision)} (its posteriors, for reference)`);

    // 5. Latency.
    const sorted = [...aloneMs].sort((a, b) => a - b);
    console.log(`\nsuggestion latency, one request at a time (${sorted.length} test texts, sequential): p50 ${ms(pct(sorted, 50))} ms, p99 ${ms(pct(sorted, 99))} ms`);
    const sample = test.find((r) => Array.from(textOf(r)).length >= 150 && Array.from(textOf(r)).length <= 400) ?? test[0];
    const body = JSON.stringify({ text: textOf(sample), limit: 3 });
    const res = await fetch(base + SUGGEST, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${nextToken()}` }, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    const capturedFile = path.join(tmp, 'suggest-answer.json');
    await fs.writeFile(capturedFile, JSON.stringify({ contentType: res.headers.get('content-type'), body: bytes.toString('base64') }));
    const bare = await startChild(__filename, ['--bare', capturedFile], process.env);
    children.push(bare);
    const load = async (url: string, seconds: number) => {
      const r = await autocannon({
        url: url + SUGGEST,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body, setupRequest: (req: any) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${nextToken()}` } }) }],
      } as autocannon.Options);
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.errors + r.timeouts + r.non2xx };
    };
    await load(base, 2);
    await load(bare.url, 1);
    const runs = { project: [] as Awaited<ReturnType<typeof load>>[], bare: [] as Awaited<ReturnType<typeof load>>[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.project.push(await load(base, SECONDS));
      runs.bare.push(await load(bare.url, SECONDS));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const sum = (rs: typeof runs.project) => ({ rps: rs.reduce((a, r) => a + r.rps, 0) / rs.length, p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), bad: rs.reduce((a, r) => a + r.bad, 0) });
    const lp = sum(runs.project);
    const lb = sum(runs.bare);
    console.log(`at ${CONNECTIONS} connections (autocannon, ${SECONDS} s × ${ROUNDS} rounds after a warm-up, ${TOKENS} residents' tokens in turn, a ${Array.from(textOf(sample)).length}-character text, ${bytes.length}-byte answer):`);
    console.log(`  POST ${SUGGEST}   project ${lp.rps.toFixed(0)} req/s, p50/p99 ${lp.p50} / ${lp.p99} ms;   bare ${lb.rps.toFixed(0)} req/s, p50/p99 ${lb.p50} / ${lb.p99} ms;   ratio ${(lp.rps / lb.rps).toFixed(2)}`);
    if (lp.bad || lb.bad) {
      console.log(`  ! ${lp.bad} project, ${lb.bad} bare responses not 2xx or failed`);
      failed = true;
    }

    // 6. The import's speed (the curve's imports together), beside the driver.
    const scratch = conn.collection('benchimportrows');
    t0 = performance.now();
    const same = train.slice(0, imported.rows);
    for (let i = 0; i < same.length; i += 500) {
      await scratch.insertMany(same.slice(i, i + 500).map((r, k) => ({ _id: `bench|${i + k + 2}` as never, i: new mongoose.Types.ObjectId(), r: i + k + 2, k: 'ok', t: textOf(r), n: r.label, l: null })), { ordered: false });
    }
    const driverS = sec(t0);
    await scratch.drop();
    console.log(`\nthe import (the curve's ${importRates.length} csv files, ${imported.rows} rows, upload s / learning s: ${importRates.join('; ')}):`);
    console.log(`  upload + preview ${(imported.rows / imported.uploadS).toFixed(0)} rows/s; learning (start to done, the server's import job) ${(imported.rows / imported.learnS).toFixed(1)} rows/s`);
    console.log(`  beside the driver's insertMany of the same rows (500 a call, what the preview stores): ${(imported.rows / driverS).toFixed(0)} rows/s`);
    console.log(`  slowest answer to GET /categories/imports/:id while learning: ${imported.slowestPollS.toFixed(1)} s`);

    // 7. Memory: the table is a Uint32Array of HASH_BUCKETS per category that learned anything, whatever the number learned.
    await ask(textOf(test[0]));
    const rssEnd = rssOf(serverPid);
    console.log(`\nserver RSS: at start ${(rssStart / MB).toFixed(0)} MB; after the curve (${learned} learned) ${(rssCurve / MB).toFixed(0)} MB; at the end ${(rssEnd / MB).toFixed(0)} MB`);
    console.log(`  (the table: ${categoryIds.size} categories × 512 KB = ${(categoryIds.size * 0.5).toFixed(1)} MB, the same at 100k learned; 100k were not reached through the import here, see bench/README.md)`);
  } finally {
    await conn?.close();
    for (const c of children.reverse()) await c.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
  if (failed) process.exitCode = 1;
}

/** Child 2: a bare Express 5 app that reads the JSON body and sends the bytes the project sent. */
async function serveBare(file: string): Promise<void> {
  const captured = JSON.parse(await fs.readFile(file, 'utf8')) as { contentType: string; body: string };
  const bytes = Buffer.from(captured.body, 'base64');
  const app = express();
  app.post(SUGGEST, express.json({ limit: '64kb' }), (_req, res) => void res.status(200).set('Content-Type', captured.contentType).send(bytes));
  await serveApp(app);
}

const role = args[0];
const main =
  role === '--project'
    ? Promise.all([import('../server/db/embedded'), memoryProbe()]).then(([{ withDbName }, probe]) => serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong'), String(process.pid), probe]))
    : role === '--bare'
      ? serveBare(args[1])
      : bench();
main.then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

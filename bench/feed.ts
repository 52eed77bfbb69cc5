/**
 * The readers' feed under load beside a bare Express 5 route that sends the same bytes.
 *
 * The project runs in a child process as `npm start` runs it (its own embedded database in a temp
 * folder, the demo county seeded); this process adds ~200 published articles through its own
 * connection, stored as a publish stores them (feedKey, search terms, region scope), some pinned,
 * some for one community. The bare app is bench/api.ts's `--bare` child answering each URL with the
 * exact status, content-type and bytes the project returned; support/beside-bare.ts drives both with
 * autocannon (100 connections) in turns after a warm-up: the first page of `GET /api/v1/news/feed`,
 * and a community's first page of one column.
 *
 *   npx tsx bench/feed.ts [seconds] [rounds] [articles]   (default 10 s (2..30), 1 round (1..5), 200 articles (20..2000))
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { serveProject, startChild, START_TIMEOUT_MS, type Child } from './support/child';
import { capture, measureBesideBare, CONNECTIONS, WARMUP_SECONDS } from './support/beside-bare';

const SECONDS = Math.min(Math.max(Number(process.argv[2]) || 10, 2), 30);
const ROUNDS = Math.min(Math.max(Number(process.argv[3]) || 1, 1), 5);
const ARTICLES = Math.min(Math.max(Number(process.argv[4]) || 200, 20), 2000);
const TOPICS = ['道路改造', '农技培训', '冬季供暖', '医保缴费', '文化广场', '防汛演练', '就业招聘', '垃圾分类', '义诊活动', '茶叶丰收'];

type Models = ReturnType<typeof import('../server/models').createModels>;

/** ARTICLES published articles, one minute apart up to now: every 25th pinned, every 5th for one community. */
async function articles(models: Models, community: { _id: Types.ObjectId; path: string; name: string }) {
  const { feedKeyOf } = await import('../server/news/feed-key');
  const { documentTerms, htmlText } = await import('../server/news/search-terms');
  // The demo seed writes the columns; a seed without them gets one.
  if (!(await models.Column.exists({}))) await models.Column.create({ code: 'local', name: '本地新闻', reviewLevels: 2 });
  const columns = await models.Column.find({}).lean();
  const now = Date.now();
  return Array.from({ length: ARTICLES }, (_, i) => {
    const column = columns[i % columns.length];
    const topic = TOPICS[i % TOPICS.length];
    const _id = new Types.ObjectId();
    const publishedAt = new Date(now - (ARTICLES - i) * 60_000);
    const pinned = i % 25 === 0;
    const title = `${topic}：第${i + 1}期工作进展通报`;
    const bodyHtml = `<p>${topic}相关工作稳步推进，本期通报第${i + 1}项进展。</p><p>${'群众反映的问题已逐项落实，'.repeat(8)}</p>`;
    const summary = Array.from(htmlText(bodyHtml)).slice(0, 60).join('');
    const scoped = i % 5 === 0;
    return {
      _id, columnId: column._id, columnCode: column.code, columnName: column.name, title, summary, bodyHtml,
      source: '县融媒体中心', author: '记者', regionIds: scoped ? [community._id] : [], regionPaths: scoped ? [community.path] : [], regionNames: scoped ? [community.name] : [],
      state: 'published', reviewLevels: column.reviewLevels, publishedAt, pinned, emergency: column.emergency,
      feedKey: feedKeyOf({ _id, publishedAt, pinned, emergency: column.emergency }), searchTerms: documentTerms(title, summary, htmlText(bodyHtml)),
      createdById: new Types.ObjectId(), createdByName: '编辑', idempotencyKey: `bench-${String(_id)}`, history: [{ at: publishedAt, action: 'publish', level: null, byId: null, byName: '编辑', note: null }],
    };
  });
}

async function bench(): Promise<void> {
  const cpus = os.cpus();
  console.log(`Feed bench: ${os.type()} ${os.arch()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}`);
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the figures; compare rows of one run)`);
  console.log(`autocannon, ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} round(s), after a ${WARMUP_SECONDS} s warm-up; project and bare route in turns`);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-bench-feed-'));
  const children: Child[] = [];
  let conn: mongoose.Connection | null = null;
  const cap = setTimeout(() => {
    console.error('bench/feed.ts: time cap reached, stopping');
    process.exit(1);
  }, START_TIMEOUT_MS + 2 * (ROUNDS * (2 * SECONDS + 2) + WARMUP_SECONDS + 3) * 1000 + 120_000);
  cap.unref();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    delete env.MONGODB_URI;
    let t0 = performance.now();
    const project = await startChild(__filename, ['--project'], env);
    children.push(project);
    console.log(`project server + embedded database + seed ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${project.url})`);

    const { createModels } = await import('../server/models');
    conn = await mongoose.createConnection(project.extra[0]).asPromise();
    const models = createModels(conn);
    const community = (await models.Region.findOne({ code: 'DX-01-02' }).lean())!;
    t0 = performance.now();
    await models.Article.insertMany(await articles(models, community));
    const published = await models.Article.countDocuments({ state: 'published' });
    console.log(`${ARTICLES} articles published in ${((performance.now() - t0) / 1000).toFixed(1)} s (${published} published in all)`);

    const routes = [
      await capture(project.url, 'GET /api/v1/news/feed (first page)', '/api/v1/news/feed'),
      await capture(project.url, 'GET …/feed?column=local&regionId= (community)', `/api/v1/news/feed?column=local&regionId=${community._id}`),
    ];
    const file = path.join(tmp, 'bare-routes.json');
    await fs.writeFile(file, JSON.stringify(routes));
    const bare = await startChild(path.join(__dirname, 'api.ts'), ['--bare', file], process.env);
    children.push(bare);

    const failed = !(await measureBesideBare(routes, project.url, bare.url, { seconds: SECONDS, rounds: ROUNDS, nameWidth: 48 }));
    console.log(`\nratio = project req/s / bare req/s (aim: at least 0.5, project p99 under 50 ms). req/s: mean of the rounds; p50/p99: median.`);
    console.log('The feed is served from the read cache (one stamp read per request burst, ETag); the bare app sends the same bytes from memory.');
    if (failed) {
      console.error('\nsome responses failed or were not 2xx: the figures above are not meaningful');
      process.exitCode = 1;
    }
  } finally {
    await conn?.close();
    for (const c of children.reverse()) await c.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main = role === '--project' ? import('../server/db/embedded').then(({ withDbName }) => serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong')])) : bench();
main.then(
  () => role && process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

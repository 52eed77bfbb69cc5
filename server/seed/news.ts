/**
 * The demo county's news section: columns, articles (published with their review history, one in
 * review, a draft, one scheduled for tomorrow), their counters and comments, notices with their
 * deliveries to the bound group chats, and the services directory (server/seed/seed.ts writes them
 * all or nothing). The articles, comments and notices are played through their features in one
 * sandbox on the seed's clock (playNews): the editor drafts and reviewers approve the articles,
 * residents comment and report (the sensitive-word hold, three reports hide), the editor writes and
 * publishes the notices, whose fan-out enqueues a delivery per bound group chat in scope, and the
 * bot takes each delivery from the outbox and reports it sent. What they produced is the section's
 * writes; the rest (columns, services, missing reviewers) is written as data, with ids made from
 * the seed's moment.
 *
 * The deliveries are written already `sent` and the notices fanned out: the delivery view has
 * content, and the bot does not post old notices into the demo groups at every fresh start.
 *
 * Covers are small gradient JPEGs, stored as photos through the photo service when the caller
 * gives the data folder (files on disk, idempotent by content); without one, articles have none.
 */
import sharp from 'sharp';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { Models } from '../models';
import { hashPassword } from '../users';
import { regionLookup, type RegionDoc } from '../regions';
import { photoService } from '../photos';
import { noticeService } from '../notices';
import { outbox } from '../outbox';
import { demoCounty } from '../../common/demo-county';
import { seedId } from './ids';
import { inSandbox, type Sandbox } from './sandbox';
import { contextOf } from './context';
import { recordsFor } from './records';
import { ArticleMoveBodies, articleService, articleWorkflow, commentService, CreateArticleBody, type ArticleDoc, type CommentService } from '../news';
import { identityKey, userService, type UserDoc } from '../users';
import { demoArticles, demoColumns, demoComments, demoNewsReviewers, demoNotices, demoServices, type DemoArticle, type DemoColumn } from './news-data';

export type NewsSeedModel = 'User' | 'Identity' | 'Column' | 'Article' | 'ArticleStats' | 'Comment' | 'Notice' | 'ServiceEntry' | 'Outbox';
export interface NewsSeedWrite {
  model: NewsSeedModel;
  doc: { _id: Types.ObjectId } & Record<string, unknown>;
}

const HOUR = 3600_000;


/** Paragraphs to the body's HTML: `## x` is the <h3>, `**x**` bold. */
export function articleHtml(paragraphs: string[]): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return paragraphs
    .map((p) => (p.startsWith('## ') ? `<h3>${escape(p.slice(3))}</h3>` : `<p>${escape(p).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')}</p>`))
    .join('');
}

const COVER = { width: 640, height: 360 };
const covers = new Map<string, Promise<Buffer>>();

/** A column's cover: a diagonal gradient between its two colours, with light stripes (the same bytes every time). */
export function coverJpeg(column: DemoColumn): Promise<Buffer> {
  let jpeg = covers.get(column.code);
  if (!jpeg) {
    const { width, height } = COVER;
    const [from, to] = column.colours;
    const raw = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const t = (x / width + y / height) / 2;
        const stripe = (x + y) % 80 < 6 ? 0.12 : 0;
        for (let c = 0; c < 3; c++) raw[(y * width + x) * 3 + c] = Math.round(from[c] + (to[c] - from[c]) * t + (255 - from[c]) * stripe);
      }
    }
    jpeg = sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
    covers.set(column.code, jpeg);
  }
  return jpeg;
}

export interface NewsSeedOptions {
  /** The server's data folder: covers are stored as photos there. */
  dataDir?: string;
}

export async function buildDemoNews(models: Models, now: Date, opts: NewsSeedOptions = {}): Promise<{ writes: NewsSeedWrite[]; count: number }> {
  const writes: NewsSeedWrite[] = [];
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
  const need = <T>(v: T | null | undefined, what: string): T => {
    if (v == null) throw new Error(`demo news: ${what} is missing (earlier sections first)`);
    return v;
  };
  const users = userService(contextOf(models));
  const userBy = (username: string) => users.byUsername(username);

  // Staff: the editor, and a reviewer per level. A demo database made before the second and third
  // reviewers existed gets them here (the people section writes them into a new one).
  const editor = need(await userBy('editor'), 'the demo editor');
  const reviewers: UserDoc[] = [];
  for (const [i, username] of demoNewsReviewers.entries()) {
    const existing = await userBy(username);
    if (existing) {
      reviewers.push(existing);
      continue;
    }
    const p = need(demoCounty.people.find((x) => x.username === username), `demo person ${username}`);
    const _id = seedId(at(24 * 30), 'a8', i);
    const doc = { _id, name: p.name, username, passwordHash: await hashPassword(demoCounty.password), phone: p.phone ?? null, roles: p.roles, regionIds: [], departmentId: null, homeRegionId: null, wechatContactId: null };
    writes.push({ model: 'User', doc });
    writes.push({ model: 'Identity', doc: { _id: seedId(at(24 * 30), 'a8', 16 + i), key: identityKey.username(username), userId: _id } });
    reviewers.push(doc as unknown as UserDoc);
  }

  const regions = new Map((await regionLookup(contextOf(models)).all(['county', 'township', 'community'])).map((r) => [r.code, r]));
  // The residents who comment or report.
  const residents = new Map<number, UserDoc>();
  for (const n of new Set(demoComments.flatMap((c) => [c.resident, ...(c.reportedBy ?? [])]))) {
    residents.set(n, need(await users.byIdentity(identityKey.wechat(`demo-resident-${String(n).padStart(2, '0')}`)), `demo resident ${n}`));
  }

  // Columns.
  const columns = new Map<string, { _id: Types.ObjectId; column: DemoColumn; cover: string | null }>();
  const photos = opts.dataDir ? photoService({ ...contextOf(models), config: { dataDir: opts.dataDir } } as unknown as AppContext) : null;
  for (const [sort, c] of demoColumns.entries()) {
    const _id = seedId(at(24 * 30), 'a1', sort);
    const cover = photos ? (await photos.store(await coverJpeg(c), String(editor._id))).id : null;
    columns.set(c.code, { _id, column: c, cover });
    writes.push({ model: 'Column', doc: { _id, code: c.code, name: c.name, reviewLevels: c.reviewLevels, emergency: c.emergency, sort: (sort + 1) * 10, active: true } });
  }

  // Articles, comments and notices, played through their features (views and likes are the demo's numbers).
  const played = await playNews(models, now, {
    editor,
    reviewers,
    residents,
    columns,
    regions,
    add: [
      { model: 'Column', docs: writes.filter((w) => w.model === 'Column').map((w) => w.doc) },
      { model: 'User', docs: writes.filter((w) => w.model === 'User').map((w) => w.doc) },
    ],
    dataDir: opts.dataDir,
  });
  for (const [serial, doc] of played.articles.entries()) {
    const a = demoArticles[serial];
    writes.push({ model: 'Article', doc: doc as unknown as NewsSeedWrite['doc'] });
    if (doc.state !== 'published') continue;
    // The workflow counts every published article; the comments counted the visible ones.
    const stats = need(played.stats.find((s) => String(s._id) === String(doc._id)), `the counters of ${doc.title}`);
    writes.push({ model: 'ArticleStats', doc: { ...stats, views: a.views ?? 0, likes: a.likes ?? 0 } });
  }
  for (const doc of played.comments) writes.push({ model: 'Comment', doc });
  for (const doc of played.notices) writes.push({ model: 'Notice', doc });
  for (const doc of played.deliveries) writes.push({ model: 'Outbox', doc });

  // The services directory.
  for (const [sort, s] of demoServices.entries()) {
    writes.push({ model: 'ServiceEntry', doc: { _id: seedId(at(24 * 30), 'a6', sort), ...s, note: s.note ?? '', sort: (sort + 1) * 10, active: true } });
  }
  return { writes, count: demoArticles.length };
}


/** A record as the sandbox holds it, written into the demo database as it is. */
type Played = NewsSeedWrite['doc'];

interface PlayedNews {
  /** In the order of `demoArticles`. */
  articles: ArticleDoc[];
  /** The counters of the published articles (their comments counted by the comment service). */
  stats: Played[];
  /** Comments, notices and their deliveries, in the order they were made. */
  comments: Played[];
  notices: Played[];
  deliveries: Played[];
}

/** The outbox owner the demo's deliveries were sent by (the bot's claims name one like it). */
const SEED_SENDER = 'seed';
/** The bot's pace in a group chat burst: one delivery every 20 s. */
const SEND_EVERY = 20_000;

/**
 * The demo's news as the features make them, played in one sandbox on the seed's clock, in time
 * order (steps at one moment in the order planned):
 * - articles (articles.ts, workflow.ts): the editor writes each as a draft and submits it half an
 *   hour later, a reviewer per level approves it half an hour apart (the last approval publishes it
 *   at the moment the story says, or schedules it for tomorrow when it was submitted with a time),
 *   the editor pins the pinned one a few minutes later; the one in review waits at level 1; the
 *   draft is edited once;
 * - comments (comments.ts): each resident writes theirs at the story's moment (a listed word holds
 *   it); the reporters report it within the next hour, the third report hiding it;
 * - notices (notices/service.ts): the editor writes each half an hour before it is published, and
 *   publishes it at the story's moment, which enqueues a delivery per bound group chat in scope; the
 *   bot then claims them from the outbox one at a time, 20 s apart, and reports each sent.
 */
async function playNews(
  models: Models,
  now: Date,
  p: {
    editor: UserDoc;
    reviewers: UserDoc[];
    /** The demo residents who comment or report, by number. */
    residents: Map<number, UserDoc>;
    columns: Map<string, { _id: Types.ObjectId; column: DemoColumn; cover: string | null }>;
    regions: Map<string, RegionDoc>;
    add: { model: 'Column' | 'User'; docs: NewsSeedWrite['doc'][] }[];
    dataDir?: string;
  },
): Promise<PlayedNews> {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
  const plan = demoArticles.map((a, serial) => {
    const { column, cover, _id: columnId } = p.columns.get(a.column)!;
    const touched = at(a.ago);
    const state = a.state ?? 'published';
    const levels = state === 'published' || state === 'scheduled' ? column.reviewLevels : 0;
    const created = new Date(touched.getTime() - (state === 'draft' ? 2 : (Math.max(levels, 1) + 1) * 0.5) * HOUR);
    const body = CreateArticleBody.parse({
      columnId: String(columnId),
      title: a.title,
      summary: a.summary,
      bodyHtml: articleHtml(a.body),
      coverPhotoId: a.noCover ? null : cover,
      source: a.source,
      author: a.author,
      regionIds: a.region ? [String(p.regions.get(a.region)!._id)] : [],
      idempotencyKey: `seed-article-${String(serial).padStart(4, '0')}`,
    });
    return { a, serial, state, levels, touched, created, body, id: seedId(touched, 'a2', serial) };
  });
  const start = new Date(Math.min(...plan.map((x) => x.created.getTime())));
  return inSandbox(models, { copy: ['Region', 'User', 'Photo', 'Room'], add: p.add, start, dataDir: p.dataDir }, async (box) => {
    const articles = articleService(box.ctx);
    const workflow = articleWorkflow(box.ctx);
    const comments = commentService(box.ctx);
    const notices = noticeService(box.ctx);
    const bot = outbox(box.ctx);
    const users = userService(box.ctx);
    const as = (u: UserDoc) => users.toAuthUser(u);
    const resident = (n: number) => as(p.residents.get(n)!);
    const editor = await as(p.editor);
    const reviewers = await Promise.all(p.reviewers.map(as));
    const stamps = clockStamps(box);
    const steps: Step[] = [];

    const half = (x: { touched: Date }, n: number) => new Date(x.touched.getTime() - n * 0.5 * HOUR);
    for (const x of plan) {
      const id = String(x.id);
      steps.push({ at: x.created, run: () => articles.create(editor, x.body, { id: x.id }) });
      if (x.state === 'draft') {
        steps.push({ at: x.touched, run: () => articles.update(editor, id, { summary: x.a.summary }, 0) });
        continue;
      }
      const publishAt = x.state === 'scheduled' ? new Date(now.getTime() + 24 * HOUR).toISOString() : null;
      steps.push({ at: half(x, Math.max(x.levels, 1)), run: () => workflow.submit(editor, id, ArticleMoveBodies.submit.parse({ publishAt })) });
      for (let level = 1; level <= x.levels; level++) steps.push({ at: half(x, x.levels - level), run: () => workflow.approve(reviewers[level - 1], id, ArticleMoveBodies.approve.parse({})) });
      if (x.a.pinned) steps.push({ at: new Date(x.touched.getTime() + 0.1 * HOUR), run: () => workflow.pin(editor, id, ArticleMoveBodies.pin.parse({ pinned: true })) });
    }

    const commentIds: string[] = [];
    for (const [serial, c] of demoComments.entries()) {
      const written = at(c.ago);
      const body: Parameters<CommentService['create']>[1] = { articleId: String(plan[c.article].id), text: c.text, idempotencyKey: `seed-comment-${serial}` };
      steps.push({
        at: written,
        run: async () => {
          const { comment } = await comments.create(await resident(c.resident), body);
          commentIds[serial] = String(comment._id);
          stamps.created(comment._id);
        },
      });
      const reporters = c.reportedBy ?? [];
      for (const [i, n] of reporters.entries()) {
        // The demo's reporters all gave the first of the mini-program's reasons but the last one.
        const reason = i === reporters.length - 1 ? '虚假信息' : '垃圾广告';
        steps.push({
          at: new Date(written.getTime() + ((i + 1) * HOUR) / reporters.length),
          run: async () => {
            await comments.report(await resident(n), commentIds[serial], reason);
            stamps.written(commentIds[serial]);
          },
        });
      }
    }

    const noticeIds: string[] = [];
    for (const [serial, n] of demoNotices.entries()) {
      const published = at(n.ago);
      const body: Parameters<ReturnType<typeof noticeService>['create']>[1] = {
        title: n.title,
        body: n.body,
        level: n.level,
        regionIds: n.region ? [String(p.regions.get(n.region)!._id)] : [],
        idempotencyKey: `seed-notice-${serial}`,
      };
      steps.push({
        at: new Date(published.getTime() - HOUR / 2),
        run: async () => {
          const { notice } = await notices.create(editor, body);
          noticeIds[serial] = notice.id;
          stamps.created(notice.id);
        },
      });
      steps.push({
        at: published,
        run: async () => {
          const notice = await notices.publish(editor, noticeIds[serial]);
          stamps.written(notice.id);
          for (let i = 1; i <= notice.deliveries.pending; i++) steps.push({ at: new Date(published.getTime() + i * SEND_EVERY), run: sendOne });
        },
      });
    }
    /** The bot takes the first delivery in the outbox's order and reports it sent. */
    async function sendOne() {
      const [item] = await bot.claim({ channel: 'bot_room', owner: SEED_SENDER, limit: 1, leaseMs: SEND_EVERY });
      if (!item) throw new Error('demo notices: a delivery the publish enqueued is missing from the outbox');
      await bot.complete(item.id, SEED_SENDER, { ok: true });
      stamps.written(item.id);
    }

    await runSteps(box, now, steps);

    const docs = await Promise.all(plan.map((x) => articles.load(String(x.id))));
    for (const [i, d] of docs.entries()) if (d.state !== plan[i].state) throw new Error(`demo article ${d.title} ends ${d.state}, its story says ${plan[i].state}`);
    const read = async (kind: 'ArticleStats' | 'Comment' | 'Notice' | 'Outbox') =>
      ((await recordsFor(box.ctx, kind).all()) as Played[]).sort((x, y) => String(x._id).localeCompare(String(y._id)));
    const played = { articles: docs, stats: await read('ArticleStats'), comments: (await read('Comment')).map(stamps.apply), notices: (await read('Notice')).map(stamps.apply), deliveries: (await read('Outbox')).map(stamps.apply) };

    for (const [serial, c] of demoComments.entries()) {
      const doc = played.comments.find((d) => String(d._id) === commentIds[serial])!;
      const story = c.held ? 'held' : (c.reportedBy?.length ?? 0) >= 3 ? 'hidden' : 'visible';
      if (doc.state !== story) throw new Error(`demo comment ${c.text} ends ${String(doc.state)}, its story says ${story}`);
      if (String(doc.matchedWords) !== String(c.held ?? [])) throw new Error(`demo comment ${c.text} is held for ${String(doc.matchedWords)}, its story says ${String(c.held ?? [])}`);
    }
    for (const n of played.notices) if (n.state !== 'published' || !n.fanOutDone) throw new Error(`demo notice ${String(n.title)} ends ${String(n.state)}, not published and fanned out`);
    const refs = new Set(noticeIds.map((id) => `notice:${id}`));
    for (const d of played.deliveries) if (d.state !== 'sent' || !refs.has(String(d.ref))) throw new Error(`demo outbox: ${String(d.dedupeKey)} is ${String(d.state)}; only the notices' deliveries, all sent, belong in the demo`);
    return played;
  });
}

interface Step {
  at: Date;
  run: () => Promise<unknown>;
}

/**
 * Runs the steps in time order, in the order given at one moment, each on the clock of its moment;
 * a step may add later ones. Every step is before `now`.
 */
async function runSteps(box: Sandbox, now: Date, steps: Step[]): Promise<void> {
  while (steps.length > 0) {
    let next = 0;
    for (let i = 1; i < steps.length; i++) if (steps[i].at.getTime() < steps[next].at.getTime()) next = i;
    const [step] = steps.splice(next, 1);
    if (step.at.getTime() >= now.getTime()) throw new Error(`demo news: a step at ${step.at.toISOString()} would be in the future`);
    box.setClock(step.at);
    await step.run();
  }
}

/**
 * When the played comments, notices and deliveries were created and last written, on the seed's
 * clock. The services read the time from ctx.now(), but mongoose stamps createdAt and updatedAt
 * from the process clock: `apply` gives a record the stamps a request at those moments would have
 * left (a delivery keeps the createdAt the outbox gave it at enqueue, on the seed's clock).
 */
function clockStamps(box: Sandbox) {
  const stamps = new Map<string, { createdAt?: Date; updatedAt: Date }>();
  return {
    created(id: unknown) {
      stamps.set(String(id), { createdAt: box.clock(), updatedAt: box.clock() });
    },
    written(id: unknown) {
      stamps.set(String(id), { ...stamps.get(String(id)), updatedAt: box.clock() });
    },
    apply(doc: Played): Played {
      const s = stamps.get(String(doc._id));
      if (!s) throw new Error(`demo news: ${String(doc._id)} was written by no step of the story`);
      return { ...doc, ...s };
    },
  };
}

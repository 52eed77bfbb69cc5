/**
 * The demo county's news section: columns, articles (published with their review history, one in
 * review, a draft, one scheduled for tomorrow), their counters and comments, notices with their
 * deliveries to the bound group chats, and the services directory, with ids made from the seed's
 * moment, so the same moment gives the same documents (server/seed/seed.ts writes them all or
 * nothing). The articles are played through the news feature (drafted, submitted, approved level
 * by level, published or scheduled, pinned) in a sandbox on the seed's clock (playArticles); the
 * rest is written as data.
 *
 * Notice deliveries are written as outbox records already `sent`, and the notices as fanned out:
 * the delivery view has content, and the bot does not post old notices into the demo groups at
 * every fresh start.
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
import { boundRooms, type RoomDoc } from '../bindings';
import { photoService } from '../photos';
import { PRIORITY } from '../outbox';
import { NOTICE_LEVEL_LABELS } from '../../common/news-labels';
import { demoCounty } from '../../common/demo-county';
import { seedId } from './ids';
import { inSandbox } from './sandbox';
import { contextOf } from './context';
import { ArticleMoveBodies, articleService, articleWorkflow, CreateArticleBody, documentTerms, noticeListKeyOf, type ArticleDoc } from '../news';
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
  const county = need([...regions.values()].find((r) => r.level === 'county'), 'the county');
  const scope = (code: string | undefined) => {
    if (!code) return { regionIds: [], regionPaths: [], regionNames: [] };
    const r = need(regions.get(code), `region ${code}`);
    return { regionIds: [r._id], regionPaths: [r.path], regionNames: [r.name] };
  };
  const residents = new Map<number, UserDoc>();
  const resident = async (n: number) => {
    let u = residents.get(n);
    if (!u) {
      u = need(await users.byIdentity(identityKey.wechat(`demo-resident-${String(n).padStart(2, '0')}`)), `demo resident ${n}`);
      residents.set(n, u);
    }
    return u;
  };

  // Columns.
  const columns = new Map<string, { _id: Types.ObjectId; column: DemoColumn; cover: string | null }>();
  const photos = opts.dataDir ? photoService({ ...contextOf(models), config: { dataDir: opts.dataDir } } as unknown as AppContext) : null;
  for (const [sort, c] of demoColumns.entries()) {
    const _id = seedId(at(24 * 30), 'a1', sort);
    const cover = photos ? (await photos.store(await coverJpeg(c), String(editor._id))).id : null;
    columns.set(c.code, { _id, column: c, cover });
    writes.push({ model: 'Column', doc: { _id, code: c.code, name: c.name, reviewLevels: c.reviewLevels, emergency: c.emergency, sort: (sort + 1) * 10, active: true } });
  }

  // Articles, played through the news feature (their counters and comments are the demo's numbers).
  const played = await playArticles(models, now, {
    editor,
    reviewers,
    columns,
    regions,
    add: [
      { model: 'Column', docs: writes.filter((w) => w.model === 'Column').map((w) => w.doc) },
      { model: 'User', docs: writes.filter((w) => w.model === 'User').map((w) => w.doc) },
    ],
    dataDir: opts.dataDir,
  });

  const articleIds: Types.ObjectId[] = [];
  for (const [serial, doc] of played.entries()) {
    const a = demoArticles[serial];
    articleIds.push(doc._id);
    writes.push({ model: 'Article', doc: doc as unknown as NewsSeedWrite['doc'] });
    if (doc.state === 'published') {
      const visible = demoComments.filter((c) => c.article === serial && !c.held && !c.reportedBy).length;
      writes.push({ model: 'ArticleStats', doc: { _id: doc._id, views: a.views ?? 0, likes: a.likes ?? 0, comments: visible } });
    }
  }

  for (const [serial, c] of demoComments.entries()) {
    const article = demoArticles[c.article];
    const author = await resident(c.resident);
    const createdAt = at(c.ago);
    const reporters = await Promise.all((c.reportedBy ?? []).map(resident));
    writes.push({
      model: 'Comment',
      doc: {
        _id: seedId(createdAt, 'a4', serial),
        articleId: articleIds[c.article],
        articleTitle: article.title,
        authorId: author._id,
        authorName: author.name,
        text: c.text,
        state: c.held ? 'held' : reporters.length >= 3 ? 'hidden' : 'visible',
        heldFor: c.held ? 'sensitive' : reporters.length >= 3 ? 'reports' : null,
        matchedWords: c.held ?? [],
        reporterIds: reporters.map((r) => r._id),
        reports: reporters.length,
        // The demo's reporters all gave the first of the mini-program's reasons but one.
        reportReasons: reporters.map((_, i) => (i === reporters.length - 1 ? '虚假信息' : '垃圾广告')),
        idempotencyKey: `seed-comment-${serial}`,
        decidedById: null,
        decidedAt: null,
        decisionNote: null,
        createdAt,
        updatedAt: reporters.length ? new Date(createdAt.getTime() + HOUR) : createdAt,
      },
    });
  }

  // Notices, and their deliveries to the bound group chats in scope, already sent.
  const rooms = await boundRooms(contextOf(models)).all();
  for (const [serial, n] of demoNotices.entries()) {
    const publishedAt = at(n.ago);
    const _id = seedId(publishedAt, 'a5', serial);
    // County-wide as the notices service stores it: no ids or paths, the county's name.
    const where = n.region ? scope(n.region) : { ...scope(undefined), regionNames: [county.name] };
    writes.push({
      model: 'Notice',
      doc: {
        _id,
        title: n.title,
        body: n.body,
        level: n.level,
        ...where,
        state: 'published',
        pinned: n.level === 'emergency',
        listKey: noticeListKeyOf({ _id, publishedAt, level: n.level }),
        searchTerms: documentTerms(n.title, n.body),
        createdById: editor._id,
        createdByName: editor.name,
        idempotencyKey: `seed-notice-${String(_id)}`,
        publishedById: editor._id,
        publishedByName: editor.name,
        publishedAt,
        withdrawnAt: null,
        withdrawReason: null,
        fanOutDone: true,
        createdAt: new Date(publishedAt.getTime() - HOUR / 2),
        updatedAt: publishedAt,
      },
    });
    const inScope = rooms.filter((r) => where.regionPaths.length === 0 || where.regionPaths.some((p) => r.regionPath.startsWith(p)));
    for (const [i, room] of inScope.entries()) {
      const sentAt = new Date(publishedAt.getTime() + (i + 1) * 20_000);
      writes.push({
        model: 'Outbox',
        doc: {
          _id: seedId(publishedAt, 'a7', serial * 256 + i),
          dedupeKey: `notice:${_id}:${room.roomId}`,
          ref: `notice:${_id}`,
          channel: 'bot_room',
          recipient: room.roomId,
          payload: { text: `【${NOTICE_LEVEL_LABELS[n.level]}】${n.title}\n${n.body}`, mentionContactIds: [] },
          priority: n.level === 'emergency' ? PRIORITY.emergency : n.level === 'important' ? PRIORITY.important : PRIORITY.default,
          state: 'sent',
          attempts: 1,
          nextAttemptAt: publishedAt,
          leaseOwner: 'seed',
          leaseUntil: null,
          lastError: null,
          sentAt,
          sentNote: null,
          createdAt: publishedAt,
          updatedAt: sentAt,
        },
      });
    }
  }

  // The services directory.
  for (const [sort, s] of demoServices.entries()) {
    writes.push({ model: 'ServiceEntry', doc: { _id: seedId(at(24 * 30), 'a6', sort), ...s, note: s.note ?? '', sort: (sort + 1) * 10, active: true } });
  }
  return { writes, count: demoArticles.length };
}

/**
 * The demo articles as the news feature makes them (articles.ts, workflow.ts), played in a sandbox
 * on the seed's clock: the editor writes each as a draft and submits it half an hour later, a
 * reviewer per level approves it half an hour apart (the last approval publishes it at the moment
 * the story says, or schedules it for tomorrow when it was submitted with a time), the editor pins
 * the pinned one a few minutes later; the one in review waits at level 1; the draft is edited once.
 * Returned in the order of `demoArticles`.
 */
async function playArticles(
  models: Models,
  now: Date,
  p: {
    editor: UserDoc;
    reviewers: UserDoc[];
    columns: Map<string, { _id: Types.ObjectId; column: DemoColumn; cover: string | null }>;
    regions: Map<string, RegionDoc>;
    add: { model: 'Column' | 'User'; docs: Record<string, unknown>[] }[];
    dataDir?: string;
  },
): Promise<ArticleDoc[]> {
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
  return inSandbox(models, { copy: ['Region', 'User', 'Photo'], add: p.add, start: new Date(Math.min(...plan.map((x) => x.created.getTime()))), dataDir: p.dataDir }, async (box) => {
    const articles = articleService(box.ctx);
    const workflow = articleWorkflow(box.ctx);
    const users = userService(box.ctx);
    const editor = await users.toAuthUser(p.editor);
    const reviewers = await Promise.all(p.reviewers.map((r) => users.toAuthUser(r)));
    const steps: { at: Date; run: () => Promise<unknown> }[] = [];
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
    steps.sort((x, y) => x.at.getTime() - y.at.getTime());
    for (const step of steps) {
      if (step.at.getTime() >= now.getTime()) throw new Error(`demo news: a step at ${step.at.toISOString()} would be in the future`);
      box.setClock(step.at);
      await step.run();
    }
    const docs = await Promise.all(plan.map((x) => articles.load(String(x.id))));
    for (const [i, d] of docs.entries()) if (d.state !== plan[i].state) throw new Error(`demo article ${d.title} ends ${d.state}, its story says ${plan[i].state}`);
    return docs;
  });
}

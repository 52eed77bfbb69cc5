/**
 * The demo county's news section: columns, articles (published with their review history, one in
 * review, a draft, one scheduled for tomorrow), their counters and comments, notices with their
 * deliveries to the bound group chats, and the services directory. Built in memory with ids made
 * from the seed's moment, so the same moment gives the same documents (server/seed/seed.ts writes
 * them all or nothing).
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
import { hashPassword } from '../auth/passwords';
import { identityKey, type UserDoc } from '../users/model';
import type { RegionDoc } from '../regions/model';
import type { RoomDoc } from '../bindings/model';
import { photoService } from '../photos/service';
import { PRIORITY } from '../outbox/schemas';
import type { ArticleEventDoc } from '../news/model';
import { NOTICE_LEVEL_LABELS } from '../../common/news-labels';
import { documentTerms, htmlText } from '../news/search-terms';
import { feedKeyOf, noticeListKeyOf } from '../news/feed-key';
import { demoCounty } from '../../common/demo-county';
import { demoArticles, demoColumns, demoComments, demoNewsReviewers, demoNotices, demoServices, type DemoArticle, type DemoColumn } from './news-data';

export type NewsSeedModel = 'User' | 'Identity' | 'Column' | 'Article' | 'ArticleStats' | 'Comment' | 'Notice' | 'ServiceEntry' | 'Outbox';
export interface NewsSeedWrite {
  model: NewsSeedModel;
  doc: { _id: Types.ObjectId } & Record<string, unknown>;
}

const HOUR = 3600_000;

/** `<seconds of at><5eed><tag><serial>`: the appeals section's scheme (tags 00, e0), with tags of its own. */
const seedId = (at: Date, tag: string, serial: number) =>
  new Types.ObjectId(Types.ObjectId.createFromTime(Math.floor(at.getTime() / 1000)).toHexString().slice(0, 8) + '5eed' + tag + serial.toString(16).padStart(10, '0'));

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
  const userBy = async (username: string) => {
    const identity = await models.Identity.findOne({ key: identityKey.username(username) }).lean<{ userId: Types.ObjectId }>();
    return identity ? models.User.findById(identity.userId).lean<UserDoc>() : null;
  };

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

  const regions = new Map((await models.Region.find({ level: { $in: ['county', 'township', 'community'] } }).lean<RegionDoc[]>()).map((r) => [r.code, r]));
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
      const identity = need(await models.Identity.findOne({ key: identityKey.wechat(`demo-resident-${String(n).padStart(2, '0')}`) }).lean<{ userId: Types.ObjectId }>(), `demo resident ${n}`);
      u = need(await models.User.findById(identity.userId).lean<UserDoc>(), `demo resident ${n}`);
      residents.set(n, u);
    }
    return u;
  };

  // Columns.
  const columns = new Map<string, { _id: Types.ObjectId; column: DemoColumn; cover: string | null }>();
  const photos = opts.dataDir ? photoService({ models, config: { dataDir: opts.dataDir } } as unknown as AppContext) : null;
  for (const [sort, c] of demoColumns.entries()) {
    const _id = seedId(at(24 * 30), 'a1', sort);
    const cover = photos ? (await photos.store(await coverJpeg(c), String(editor._id))).id : null;
    columns.set(c.code, { _id, column: c, cover });
    writes.push({ model: 'Column', doc: { _id, code: c.code, name: c.name, reviewLevels: c.reviewLevels, emergency: c.emergency, sort: (sort + 1) * 10, active: true } });
  }

  // Articles, their counters and comments.
  const articleIds: Types.ObjectId[] = [];
  for (const [serial, a] of demoArticles.entries()) {
    const { column, cover } = need(columns.get(a.column), `column ${a.column}`);
    const touched = at(a.ago);
    const _id = seedId(touched, 'a2', serial);
    articleIds.push(_id);
    const bodyHtml = articleHtml(a.body);
    const { history, approvedByIds, state, reviewLevel, publishAt, publishedAt } = articleStory(a, column, touched, now, { editor, reviewers, serial });
    const pinned = Boolean(a.pinned);
    writes.push({
      model: 'Article',
      doc: {
        _id,
        columnId: columns.get(a.column)!._id,
        columnCode: column.code,
        columnName: column.name,
        title: a.title,
        summary: a.summary,
        bodyHtml,
        coverPhotoId: a.noCover ? null : cover,
        source: a.source,
        author: a.author,
        ...scope(a.region),
        state,
        reviewLevels: column.reviewLevels,
        reviewLevel,
        approvedByIds,
        rejectReason: null,
        publishAt,
        publishedAt,
        withdrawnAt: null,
        pinned,
        emergency: column.emergency,
        feedKey: publishedAt ? feedKeyOf({ _id, publishedAt, pinned, emergency: column.emergency }) : null,
        searchTerms: documentTerms(a.title, a.summary, htmlText(bodyHtml)),
        createdById: editor._id,
        createdByName: editor.name,
        idempotencyKey: `seed-article-${String(_id)}`,
        history,
        createdAt: history[0].at,
        updatedAt: history.at(-1)!.at,
      },
    });
    if (state === 'published') {
      const visible = demoComments.filter((c) => c.article === serial && !c.held && !c.reportedBy).length;
      writes.push({ model: 'ArticleStats', doc: { _id, views: a.views ?? 0, likes: a.likes ?? 0, comments: visible } });
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
  const rooms = await models.Room.find().lean<RoomDoc[]>();
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
 * An article's history as the moves would have written it: created and submitted by the editor,
 * approved one level per reviewer, then published (or scheduled); a review stops at level 1, a
 * draft after its creation.
 */
function articleStory(
  a: DemoArticle,
  column: DemoColumn,
  touched: Date,
  now: Date,
  p: { editor: UserDoc; reviewers: UserDoc[]; serial: number },
) {
  const history: ArticleEventDoc[] = [];
  const event = (offsetHours: number, action: string, by: UserDoc, level: number | null = null, note: string | null = null) =>
    history.push({ _id: seedId(touched, 'a3', p.serial * 16 + history.length), at: new Date(touched.getTime() + offsetHours * HOUR), action, level, byId: by._id, byName: by.name, note });
  const state = a.state ?? 'published';
  const approvedByIds: Types.ObjectId[] = [];
  if (state === 'draft') {
    event(-2, 'create', p.editor);
    event(0, 'edit', p.editor);
    return { history, approvedByIds, state, reviewLevel: null, publishAt: null, publishedAt: null };
  }
  // Steps of half an hour before the moment the article was touched: create, submit, each level.
  const levels = state === 'review' ? 0 : column.reviewLevels;
  let h = -(levels + 2) * 0.5;
  event(h, 'create', p.editor);
  event((h += 0.5), 'submit', p.editor);
  for (let level = 1; level <= levels; level++) {
    const reviewer = p.reviewers[level - 1];
    approvedByIds.push(reviewer._id);
    event((h += 0.5), 'approve', reviewer, level);
  }
  if (state === 'review') return { history, approvedByIds, state, reviewLevel: 1, publishAt: null, publishedAt: null };
  if (state === 'scheduled') {
    const publishAt = new Date(now.getTime() + 24 * HOUR);
    event(h + 0.01, 'schedule', p.reviewers[levels - 1], null, `定时发布：${publishAt.toISOString()}`);
    return { history, approvedByIds, state, reviewLevel: null, publishAt, publishedAt: null };
  }
  event(0, 'publish', p.reviewers[levels - 1]);
  if (a.pinned) event(0.1, 'pin', p.editor);
  return { history, approvedByIds, state, reviewLevel: null, publishAt: null, publishedAt: touched };
}

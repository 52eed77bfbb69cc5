/**
 * Shared pieces of the news suites (workflow, feed, comments): the demo columns, and an article
 * created and published the way the newsroom does it.
 *
 * FIRST VERSION: writes through the models (the workflow routes are being built), setting
 * feedKey and searchTerms exactly as the real publish does. The signature stays when it moves to
 * the API.
 */
import { Types } from 'mongoose';
import type { ColumnDoc } from '../../server/news/model';
import { feedKeyOf } from '../../server/news/feed-key';
import { documentTerms, htmlText } from '../../server/news/search-terms';
import type { TestServer } from './server';

/** The demo county's columns (code → name, review levels, emergency), as the seed writes them. */
export const DEMO_COLUMNS: Record<string, { name: string; reviewLevels: number; emergency: boolean; sort: number }> = {
  local: { name: '本地新闻', reviewLevels: 2, emergency: false, sort: 10 },
  livelihood: { name: '民生', reviewLevels: 1, emergency: false, sort: 20 },
  government: { name: '政务', reviewLevels: 3, emergency: false, sort: 30 },
  rural: { name: '乡村振兴', reviewLevels: 1, emergency: false, sort: 40 },
  culture: { name: '文旅', reviewLevels: 1, emergency: false, sort: 50 },
  emergency: { name: '应急', reviewLevels: 1, emergency: true, sort: 60 },
};

/** The column of this code: the seeded one, or (for a demo code the seed has not written) created now. */
export async function ensureColumn(server: TestServer, code: string): Promise<ColumnDoc> {
  const { Column } = server.ctx.models;
  const found = await Column.findOne({ code }).lean<ColumnDoc>();
  if (found) return found;
  const demo = DEMO_COLUMNS[code];
  if (!demo) throw new Error(`no column ${code} and no demo definition for it`);
  await Column.updateOne({ code }, { $setOnInsert: { code, ...demo, active: true } }, { upsert: true });
  return (await Column.findOne({ code }).lean<ColumnDoc>())!;
}

export interface PublishOptions {
  columnCode: string;
  title: string;
  /** HTML body; default: a paragraph naming the title. */
  body?: string;
  regionIds?: string[];
  pinned?: boolean;
  summary?: string;
}

/** Creates and publishes an article; returns its id. */
export async function publishArticle(server: TestServer, opts: PublishOptions): Promise<string> {
  const { Article, ArticleStats, Region } = server.ctx.models;
  const column = await ensureColumn(server, opts.columnCode);
  const bodyHtml = opts.body ?? `<p>${opts.title}：这是一篇测试文章的正文内容。</p>`;
  const text = htmlText(bodyHtml);
  const summary = opts.summary ?? Array.from(text).slice(0, 60).join('');
  const regions = opts.regionIds?.length ? await Region.find({ _id: { $in: opts.regionIds } }).lean<{ _id: Types.ObjectId; path: string; name: string }[]>() : [];
  const now = server.ctx.now();
  const _id = new Types.ObjectId();
  const pinned = !!opts.pinned;
  await Article.create({
    _id,
    columnId: column._id,
    columnCode: column.code,
    columnName: column.name,
    title: opts.title,
    summary,
    bodyHtml,
    source: '县融媒体中心',
    author: '测试记者',
    regionIds: regions.map((r) => r._id),
    regionPaths: regions.map((r) => r.path),
    regionNames: regions.map((r) => r.name),
    state: 'published',
    reviewLevels: column.reviewLevels,
    reviewLevel: null,
    publishedAt: now,
    pinned,
    emergency: column.emergency,
    feedKey: feedKeyOf({ _id, publishedAt: now, pinned, emergency: column.emergency }),
    searchTerms: documentTerms(opts.title, summary, text),
    createdById: new Types.ObjectId(),
    createdByName: '测试编辑',
    history: [{ at: now, action: 'publish', level: null, byId: null, byName: '测试编辑', note: null }],
  });
  await ArticleStats.updateOne({ _id }, { $setOnInsert: { views: 0, likes: 0, comments: 0 } }, { upsert: true });
  return String(_id);
}

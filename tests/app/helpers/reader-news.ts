// Fixtures of the readers' news tests (home, article, notices): columns, articles, notices and
// comments shaped as server/news/schemas.ts and server/notices/schemas.ts give them.
import type { ArticleDetail, ArticleSummary, Column, Comment, NoticeDetail, NoticeSummary } from '../../../src/api/types';
import type { FakeResponse } from './fake-api';

export function column(code: string, name: string, overrides: Partial<Column> = {}): Column {
  return { id: `col-${code}`, code, name, reviewLevels: 1, emergency: false, sort: 100, active: true, ...overrides };
}

export function article(n: number, overrides: Partial<ArticleSummary> = {}): ArticleSummary {
  return {
    id: `art${n}`,
    columnId: 'col-local',
    columnCode: 'local',
    columnName: '本地新闻',
    title: `第${n}篇：县城新修的步行街开街`,
    summary: '步行街今天开街',
    cover: null,
    source: '县融媒体中心',
    author: '李记者',
    regionNames: [],
    pinned: false,
    emergency: false,
    publishedAt: '2026-11-26T02:00:00.000Z',
    ...overrides,
  };
}

export function articleDetail(overrides: Partial<ArticleDetail> = {}): ArticleDetail {
  return {
    ...article(1),
    bodyHtml: '<p>步行街今天正式开街，欢迎市民前来。</p><img src="https://example.org/a.jpg">',
    views: 120,
    likes: 5,
    comments: 2,
    liked: false,
    ...overrides,
  };
}

export function notice(n: number, overrides: Partial<NoticeSummary> = {}): NoticeSummary {
  return {
    id: `n${n}`,
    title: `第${n}条通知：明天上午停水`,
    level: 'normal',
    levelLabel: '通知',
    regionNames: ['城关镇'],
    pinned: false,
    publishedAt: '2026-11-26T01:00:00.000Z',
    excerpt: '因管网维修，明天上午8点到12点停水。',
    ...overrides,
  };
}

export function noticeDetail(overrides: Partial<NoticeDetail> = {}): NoticeDetail {
  return { ...notice(1), body: '因管网维修，明天上午8点到12点停水。\n请提前储水。', publisherName: '城关镇人民政府', link: null, ...overrides };
}

export function comment(n: number, overrides: Partial<Comment> = {}): Comment {
  return {
    id: `c${n}`,
    articleId: 'art1',
    consultationId: null,
    authorName: '王*',
    text: `第${n}条评论：好事`,
    state: 'visible',
    stateLabel: '已显示',
    mine: false,
    createdAt: '2026-11-26T03:00:00.000Z',
    ...overrides,
  };
}

/** `{ items, nextCursor }` as every list endpoint answers. */
export function pageOf<T>(items: T[], nextCursor: string | null = null): FakeResponse {
  return { status: 200, body: { items, nextCursor } };
}

// Formatting and addresses for the readers' news and notices pages. Times and photo addresses are
// the appeals' (China time; photos as paths on the API origin).
import { formatTime, photoSrc } from './appeal';

export { formatTime, photoSrc };

export const ARTICLE_PAGE = '/pages/article/index';
export const NOTICE_PAGE = '/pages/notice/index';
export const NOTICES_PAGE = '/pages/notices/index';
export const NEWS_SEARCH_PAGE = '/pages/news-search/index';

export function articleUrl(id: string): string {
  return `${ARTICLE_PAGE}?id=${encodeURIComponent(id)}`;
}

export function noticeUrl(id: string): string {
  return `${NOTICE_PAGE}?id=${encodeURIComponent(id)}`;
}

/** '县融媒体中心 · 今天 09:30' (the source alone for an article without a publishing time). */
export function sourceAndTime(source: string, publishedAt: string | null, now: Date = new Date()): string {
  const time = formatTime(publishedAt, now);
  return time ? `${source} · ${time}` : source;
}

/**
 * The article body for RichText. WeChat's rich-text does not apply the page's stylesheet to the
 * nodes' own tags, so pictures get their width limit inline (H5 also has it from the page's scss);
 * the attribute put first wins over one the body already has.
 */
const BODY_STYLES: [RegExp, string][] = [
  [/<img\b(?![^>]*\bstyle=)/gi, '<img style="max-width:100%;height:auto;display:block;margin:8px 0"'],
  // A paragraph gap and heading margins: RichText in WeChat does not take the page's stylesheet.
  [/<p\b(?![^>]*\bstyle=)/gi, '<p style="margin:0 0 0.8em"'],
  [/<(h[2-4])\b(?![^>]*\bstyle=)/gi, '<$1 style="margin:1em 0 0.5em;font-size:1.1em"'],
];

/** The sanitised body with the inline styles RichText needs (the server strips styles on save). */
export function richTextBody(html: string): string {
  return BODY_STYLES.reduce((out, [re, tag]) => out.replace(re, tag), html);
}

/** '城关镇、东关社区' */
export function scopeNames(names: string[]): string {
  return names.join('、');
}

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
 * nodes' own tags, so pictures get their width limit and paragraphs and headings their spacing
 * inline (merged into the alignment style the server may have kept), and our own photos' paths
 * become addresses on the API origin (a relative src does not load in WeChat).
 */
const INLINE_STYLES: Record<string, string> = {
  img: 'max-width:100%;height:auto;display:block;margin:8px 0;',
  p: 'margin:0 0 0.8em;',
  h2: 'margin:1em 0 0.5em;font-size:1.1em;',
  h3: 'margin:1em 0 0.5em;font-size:1.1em;',
  h4: 'margin:1em 0 0.5em;font-size:1.1em;',
};

export function richTextBody(html: string): string {
  return html
    .replace(/<(img|p|h[2-4])\b([^>]*)>/gi, (_tag, name: string, attrs: string) => {
      const style = INLINE_STYLES[name.toLowerCase()];
      const merged = /\bstyle="/i.test(attrs) ? attrs.replace(/\bstyle="/i, `style="${style}`) : ` style="${style}"${attrs}`;
      return `<${name}${merged}>`;
    })
    .replace(/(<img\b[^>]*\bsrc=")(\/api\/v1\/photos\/[^"]+)"/gi, (_m, head: string, src: string) => `${head}${photoSrc(src)}"`);
}

/** '城关镇、东关社区' */
export function scopeNames(names: string[]): string {
  return names.join('、');
}

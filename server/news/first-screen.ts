import { createHash } from 'node:crypto';
import type { AppContext } from '../context';
import { chinaShortTime } from '../../common/china-time';
import { newsFeed } from './feed';
import { FEED_CACHE } from './model';
import type { ArticleSummary } from './schemas';

/** How many stories the first screen shows: what fits a phone's screen and a few more. */
export const FIRST_SCREEN_STORIES = 6;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function storyHtml(a: ArticleSummary): string {
  const tags = [a.emergency ? '<span class="xr-tag xr-urgent">紧急</span>' : '', a.pinned ? '<span class="xr-tag">置顶</span>' : ''].join('');
  const when = a.publishedAt ? chinaShortTime(new Date(a.publishedAt)) : '';
  const meta = [a.columnName, a.regionNames.join('、'), when].filter(Boolean).map(escapeHtml).join(' · ');
  return (
    `<a class="xr-card xr-story" href="#/pages/article/index?id=${encodeURIComponent(a.id)}">` +
    `<p class="xr-title">${tags}${escapeHtml(a.title)}</p>` +
    (a.summary ? `<p class="xr-muted">${escapeHtml(a.summary)}</p>` : '') +
    `<p class="xr-meta">${meta}</p></a>`
  );
}

/**
 * The county feed's first stories as HTML, for the H5 page itself (core/h5-static.ts puts it into
 * index.html's loading screen): on a weak line a reader reads the news while the app's scripts are
 * still arriving, instead of after them and a feed request. Cached with the feed (invalidated by
 * any article write, like `GET /news/feed`); the tag changes with the stories, so the HTML's ETag
 * does too.
 */
export function firstScreen(ctx: AppContext) {
  const news = newsFeed(ctx);
  return async (within?: object): Promise<{ html: string; tag: string }> => {
    const entry = await ctx.cache.entry(
      { namespace: FEED_CACHE, key: 'first-screen-html' },
      async () => {
        const page = await news.feed({ limit: FIRST_SCREEN_STORIES });
        return page.items.length ? `<div class="xr-stories" aria-label="最新新闻">${page.items.map(storyHtml).join('')}</div>` : '';
      },
      within,
      (value) => {
        const html = value as string;
        return { value: html, body: Buffer.from(html), etag: createHash('sha256').update(html).digest('base64url').slice(0, 16) };
      },
    );
    return { html: entry.value as string, tag: entry.etag };
  };
}

/**
 * Article bodies are rich text that editors paste from anywhere (Word, WeChat articles, web
 * pages). On save the server keeps only what Taro's RichText shows and nothing that runs: a
 * whitelist applied by `sanitize-html` (a maintained parser-based sanitiser), not hand-written
 * regexes. Scripts, styles, event handlers, iframes of any origin, forms and objects are dropped;
 * links keep http(s) targets only; images keep https sources or our own photo URLs.
 */
import sanitizeHtml from 'sanitize-html';
import { badRequest } from '../core/errors';
import { PHOTOS_PATH } from '../photos';
import { htmlText } from './search-terms';

const HTTP_URL = /^https?:\/\//i;
/** Our own uploads (`/api/v1/photos/<sha256>` and its thumb), or any https image. */
const OWN_PHOTO = new RegExp(`^${PHOTOS_PATH.replace(/\//g, '\\/')}\\/[a-f0-9]{64}(\\/thumb)?$`);
const IMG_SRC_OK = (src: string) => /^https:\/\//i.test(src) || OWN_PHOTO.test(src);
const DIMENSION = /^\d{1,4}$/;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'h2', 'h3', 'h4', 'strong', 'b', 'em', 'i', 'u', 's', 'blockquote', 'ul', 'ol', 'li',
    'a', 'img', 'span', 'section', 'figure', 'figcaption',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: {
    a: ['href', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
    p: ['style'],
    h2: ['style'],
    h3: ['style'],
    h4: ['style'],
    section: ['style'],
    figure: ['style'],
  },
  // The one style kept: alignment (centred captions and titles are common in county news).
  allowedStyles: { '*': { 'text-align': [/^(left|right|center|justify)$/] } },
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  // Their content is code or chrome, not article text: dropped together with the tag.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'object', 'embed', 'template', 'svg', 'math', 'select', 'head'],
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const href = (attribs.href ?? '').trim();
      const out: Record<string, string> = HTTP_URL.test(href) ? { href, rel: 'noopener' } : {};
      return { tagName, attribs: out };
    },
    img: (tagName, attribs) => {
      const src = (attribs.src ?? '').trim();
      const out: Record<string, string> = {};
      if (IMG_SRC_OK(src)) out.src = src;
      if (attribs.alt) out.alt = attribs.alt;
      if (attribs.width && DIMENSION.test(attribs.width)) out.width = attribs.width;
      if (attribs.height && DIMENSION.test(attribs.height)) out.height = attribs.height;
      return { tagName, attribs: out };
    },
  },
  // An image without an acceptable source is dropped whole, not kept as an empty <img>.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** The safe subset of `html` that Taro's RichText shows. */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** Sanitises a body for saving; refuses one left without text and without an image (400 on `body.bodyHtml`). */
export function cleanArticleBody(html: string): { bodyHtml: string; text: string } {
  const bodyHtml = sanitizeArticleHtml(html);
  const text = htmlText(bodyHtml);
  if (!text && !/<img\s/i.test(bodyHtml)) throw badRequest('正文不能为空', [{ path: 'body.bodyHtml', message: '正文不能为空（过滤不安全的内容后没有文字或图片）' }]);
  return { bodyHtml, text };
}

// The article body as an editor types it on a phone: plain text where a blank line starts a new
// paragraph and a line starting with `## ` is a heading. Converted to the HTML the server keeps
// (<p>, <h3>; a single line break inside a paragraph is <br/>), escaping everything typed, and an
// existing body converted back to that text for editing (a simple reverse: other formatting and
// pictures are not kept).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function unescapeHtml(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

export const HEADING_PREFIX = '## ';

/** Typed text → HTML: paragraphs split by blank lines, `## ` lines as headings, everything escaped. */
export function bodyTextToHtml(text: string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${paragraph.map(escapeHtml).join('<br/>')}</p>`);
    paragraph = [];
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      flush();
    } else if (line.startsWith('##')) {
      flush();
      const heading = line.replace(/^#+\s*/, '');
      if (heading) out.push(`<h3>${escapeHtml(heading)}</h3>`);
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return out.join('');
}

/** Whether the HTML holds something the text form cannot keep (pictures, tables, lists...). */
export function bodyLosesFormatting(html: string): boolean {
  return /<(img|video|table|ul|ol|a)\b/i.test(html);
}

const stripTags = (html: string) => html.replace(/<[^>]*>/g, '');

/** HTML → the typed form: headings as `## ` lines, paragraphs split by blank lines, tags dropped. */
export function bodyHtmlToText(html: string): string {
  let s = html.replace(/\r\n?/g, '\n').replace(/\n/g, ' ');
  s = s.replace(/<h[1-6]\b[^>]*>([\s\S]*?)<\/h[1-6]>/gi, (_, inner: string) => `\n\n${HEADING_PREFIX}${stripTags(inner).replace(/<br\s*\/?>/gi, ' ').trim()}\n\n`);
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<\/(p|div|li|blockquote|section|article|tr)>/gi, '\n\n');
  s = unescapeHtml(stripTags(s));
  return s
    .split(/\n[ \t]*\n/)
    .map((block) =>
      block
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}

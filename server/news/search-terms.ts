/**
 * Search without `$text` (the embedded database has none) and without spaces between Chinese
 * words: a document stores its terms in an indexed array field, and a search asks for all of the
 * query's terms with `$all`, which MongoDB and FerretDB both answer.
 *
 * Terms are the characters and the character bigrams of every run of Chinese (or other
 * non-Latin) letters, and the lower-cased Latin words and numbers. Bigrams rather than a word
 * segmenter: `Intl.Segmenter('zh')` cuts 城关镇 into 县城|关|镇 after 县, so a query for 城关镇 would
 * miss the text that contains it; bigrams find any substring of two or more characters, and the
 * single characters find a one-character query.
 */
const LATIN = /^[\p{Script=Latin}\p{N}]+$/u;
const WORD = /[\p{L}\p{N}]+/gu;

/** At most this many terms per document: a long body's rarest bigrams add little and cost index space. */
export const MAX_TERMS = 5000;

function runTerms(run: string, forQuery: boolean, out: Set<string>): void {
  if (LATIN.test(run)) {
    out.add(run.toLowerCase());
    return;
  }
  // A mixed run such as 12月 or WiFi覆盖 splits into its Latin/number parts and its other letters.
  const parts = run.match(/[\p{Script=Latin}\p{N}]+|[^\p{Script=Latin}\p{N}]+/gu) ?? [];
  if (parts.length > 1) {
    for (const p of parts) runTerms(p, forQuery, out);
    return;
  }
  const chars = Array.from(run);
  if (!forQuery || chars.length === 1) for (const c of chars) out.add(c);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
}

/** The terms a document is indexed under. */
export function documentTerms(...texts: string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) for (const run of text.normalize('NFKC').match(WORD) ?? []) runTerms(run, false, out);
  return [...out].slice(0, MAX_TERMS);
}

/** The terms a query must all match: bigrams for runs of two or more characters, so 城关镇 asks for 城关 and 关镇. */
export function queryTerms(q: string): string[] {
  const out = new Set<string>();
  for (const run of q.normalize('NFKC').match(WORD) ?? []) runTerms(run, true, out);
  return [...out];
}

/** The text of sanitised HTML, for indexing and for a summary taken from the body. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

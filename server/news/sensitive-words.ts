/**
 * The sensitive-word list that holds a reader's comment for an editor (评论敏感词). A match does not
 * refuse the comment: it waits as `held` until an editor approves or removes it, so a false positive
 * costs a delay, not a lost comment. Words are therefore specific phrases, not single characters.
 *
 * Matching is on a normalised form of both the text and the words: full-width letters, digits and
 * punctuation folded to half-width (NFKC), lower case, and whitespace, zero-width characters and the
 * filler symbols people put between characters to dodge a filter (赌 博, 赌*博, ＷＸ) removed.
 */

/** The default list: abuse, fraud and advertising, gambling, drugs and pornography, and mild placeholders for political agitation. */
export const DEFAULT_SENSITIVE_WORDS: readonly string[] = [
  // Abuse
  '傻逼', '傻B', '煞笔', '脑残', '王八蛋', '狗东西', '贱人', '去死吧', '滚犊子', '死全家',
  // Fraud and advertising
  '代开发票', '办假证', '刷单返利', '兼职日结', '日赚千元', '稳赚不赔', '高额回报', '无抵押贷款', '贷款秒批',
  '网贷口子', '信用卡套现', '加微信领红包', '中奖请联系', '内部渠道',
  // Gambling
  '赌博', '网赌', '博彩', '六合彩', '时时彩', '百家乐', '赌场', '老虎机', '下注返水',
  // Drugs and pornography
  '冰毒', '海洛因', '摇头丸', '约炮', '裸聊', '色情网站',
  // Political agitation (placeholders, kept mild)
  '煽动闹事', '聚众闹事', '非法集会', '颠覆政权', '反动言论',
];

/** Removed before matching: whitespace, zero-width characters and the symbols used to split a word. */
const FILLERS = /[\s\u200b-\u200d\u2060\ufeff*·•.\-_~|/\\]+/g;

/** The form both sides are compared in. */
export function normaliseForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(FILLERS, '');
}

/** Words as given (comma-separated, full-width commas too), trimmed, empties dropped. */
export function parseWordList(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(/[,，、]/)
    .map((w) => w.trim())
    .filter((w) => normaliseForMatch(w).length > 0);
}

/** A matcher over a list: the listed words (as listed, each once, in list order) found in a text. */
export function sensitiveWordMatcher(words: readonly string[]): (text: string) => string[] {
  const seen = new Set<string>();
  const entries: { word: string; form: string }[] = [];
  for (const word of words) {
    const form = normaliseForMatch(word);
    if (!form || seen.has(form)) continue;
    seen.add(form);
    entries.push({ word, form });
  }
  return (text: string) => {
    const t = normaliseForMatch(text);
    return entries.filter((e) => t.includes(e.form)).map((e) => e.word);
  };
}

const defaultMatcher = sensitiveWordMatcher(DEFAULT_SENSITIVE_WORDS);

/** The words of the default list found in a text; empty when none. */
export function matchSensitiveWords(text: string): string[] {
  return defaultMatcher(text);
}

/** The matcher the comments use: the default list and the deployment's own words (SENSITIVE_WORDS_EXTRA). */
export function commentWordMatcher(extra: readonly string[] = []): (text: string) => string[] {
  return extra.length ? sensitiveWordMatcher([...DEFAULT_SENSITIVE_WORDS, ...extra]) : defaultMatcher;
}

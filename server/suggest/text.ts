/**
 * From free text to the features the suggestion model counts: the normalized text's character
 * unigrams and bigrams, each hashed into a fixed space of HASH_BUCKETS buckets.
 *
 * Normalization: NFKC (full-width letters and digits to half-width), lowercase, every digit masked
 * as `0` (a house number or a date says nothing about the category), and everything that is not a
 * letter or a digit dropped (spaces, punctuation, emoji), so 「路灯 不亮！」 and 「路灯不亮」 are
 * one text. Chinese has no spaces between words: characters and character pairs need no word list.
 *
 * Hashing: FNV-1a of the gram, modulo HASH_BUCKETS. The database and every process's memory then
 * hold counts per (category, bucket), never the residents' words, and the memory is bounded by
 * the number of buckets, not by how many appeals were learned (model.ts states the bound).
 */

/** 2^17 buckets: few collisions among the unigrams and bigrams of a county's appeals, 512 KB per category in memory. */
export const HASH_BUCKETS = 1 << 17;
/** The n-gram orders counted: unigrams and bigrams. */
export const ORDERS = [1, 2] as const;
/** Bumped when normalization, orders or hashing change: what was learned with another version is not unlearned by text. */
export const FEATURES_VERSION = 1;

/** The text as the model reads it. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Nd}/gu, '0')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** FNV-1a, 32 bits, over UTF-16 code units: the same in every process and every release. */
export function bucketOf(gram: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < gram.length; i++) {
    h ^= gram.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % HASH_BUCKETS;
}

/** The grams of the normalized text, in order, with repeats (code points, so a rare character outside the BMP is one character). */
export function gramsOf(text: string): string[] {
  const chars = Array.from(normalize(text));
  const out: string[] = [];
  for (const n of ORDERS) {
    for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  }
  return out;
}

/** How often each bucket occurs in the text: what learning adds to a category. */
export function bucketCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const g of gramsOf(text)) {
    const b = bucketOf(g);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return counts;
}

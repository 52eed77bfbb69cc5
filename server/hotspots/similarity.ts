/**
 * Near-identical texts (高频诉求): the Jaccard similarity of the two texts' character bigrams,
 * after the normalization the category suggestion reads with (server/suggest: NFKC, lowercase,
 * digits masked, punctuation and spaces dropped), so 「3号楼路灯不亮！」 and 「5号楼 路灯不亮」 are one
 * text. A text of one character is its own gram.
 */
import { normalizeText } from '../suggest';

export function bigrams(text: string): Set<string> {
  const chars = Array.from(normalizeText(text));
  if (chars.length < 2) return new Set(chars);
  const out = new Set<string>();
  for (let i = 0; i + 2 <= chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** |A ∩ B| / |A ∪ B|, 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const g of small) if (large.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface Groupable {
  categoryId: string | null;
  grams: ReadonlySet<string>;
}

/**
 * The groups of items linked by a shared category or texts at least `similarity` alike, as
 * connected components (union-find), each as indexes in the order given.
 */
export function similarGroups(items: readonly Groupable[], similarity: number): number[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (find(i) === find(j)) continue;
      const a = items[i];
      const b = items[j];
      if ((a.categoryId && a.categoryId === b.categoryId) || jaccard(a.grams, b.grams) >= similarity) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  return [...groups.values()];
}

/** Figures every bench script prints, computed and formatted one way. */

/** The p-th percentile (nearest rank) of already sorted samples. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Milliseconds as a table cell: two decimals below 100, whole above; `-` without samples. */
export function ms(v: number): string {
  if (Number.isNaN(v)) return '-';
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}

/** A small seeded PRNG (mulberry32): generated documents and queries are the same in every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile of samples in any order. */
export const percentile = (samples: number[], p: number): number => pct([...samples].sort((a, b) => a - b), p);

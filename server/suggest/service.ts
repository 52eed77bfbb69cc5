/**
 * The category suggestion: the active categories ranked for a free text, each with a posterior.
 *
 * Model: multinomial naive Bayes over the hashed character unigrams and bigrams (text.ts).
 * For category c with learned counts n(c,b) over G(c) grams in D(c) texts, and the pseudo-counts
 * of its name and keywords p(c,b) (each a pseudo-document of weight PSEUDO_WEIGHT, so a county
 * with no history starts from the catalogue admins edit, and editing a keyword changes the next
 * suggestion without relearning):
 *
 *   log P(c | text) ∝ log((D(c) + 1) / (ΣD + K)) + W · t · Σ_b count(b) · log((n(c,b) + p(c,b) + α) / (G(c) + P(c) + α·V))
 *
 * with Laplace smoothing α, V the buckets seen (learned or pseudo), W = 1 / (number of orders):
 * a character's unigram and the bigrams around it say much the same thing, and counting each as
 * independent evidence makes naive Bayes overconfident; and t = min(1, EVIDENCE_GRAMS / the
 * text's grams): a long text's grams are no more independent than a short one's, so past
 * EVIDENCE_GRAMS (about 50 characters) its evidence counts as that many grams' worth. Scores are
 * the softmax over the active categories: they sum to 1.
 *
 * The constants as measured on the data bench/suggest.ts reads (1,377 real messages of a city's
 * message board in 7 classes, the 2020 TipDM Cup's), with this ranking replayed in memory on its
 * split: 5-fold cross-validation on the 1,103 training rows to choose, then the 274 test rows:
 * - t (EVIDENCE_GRAMS 100), kept: the scores stop overstating. At the default direct-dispatch
 *   threshold 0.85, without t 96.4% of texts reached it and 81.2% of those were right (CV; test
 *   97.8%, 85.1%); with t 86.9% reach it, 83.6% right (test 93.1%, 87.8%). Top-1 moves by less
 *   than the noise (79.8% → 79.2% CV, 84.3% → 83.6% test). A smaller W for every text did the same
 *   for long texts but made short ones (the forms' 30-character descriptions) timid; 150 grams
 *   tempered too little (91.4%, 83.0% right).
 * - α 0.2 instead of 0.5, not kept: top-1 +1.5 points (CV) on these long messages, but a short text
 *   sharing three words with 30 imported ones then lost to a catalogue category
 *   (tests/server/direct-dispatch.test.ts, the import's done-when).
 * - Measured and not kept: trigrams (top-1 80.3% CV), bigrams alone (lower at every size), no
 *   hashing (the same: 2^17 buckets collide little), log or binary term counts (−4 to −6 points),
 *   leaving unseen grams out (−1), heavier or no name pseudo-documents (no change on this data),
 *   complement naive Bayes (81.4% CV, but then every score holds the other categories' counts).
 * Beside a plain character-bigram naive Bayes (α 1, no hashing) on the same split: 71.2% (CV),
 * 77.4% (test).
 *
 * Cost: a few thousand grams at most (2000 characters) times the active categories, in memory:
 * the table (table.ts) and the catalogue come from the read cache, refreshed only when the
 * learner or an admin changed them.
 */
import type { AppContext } from '../context';
import { CATEGORIES_CACHE, categoryService, type CategoryDoc } from '../categories';
import { SUGGEST_CACHE } from './model';
import { suggestTable, type SuggestTable } from './table';
import { bucketCounts, ORDERS } from './text';

const ALPHA = 0.5;
const PSEUDO_WEIGHT = 2;
const W = 1 / ORDERS.length;
/** A text's evidence counts as at most this many grams' worth (about 50 characters' unigrams and bigrams). */
const EVIDENCE_GRAMS = 100;

export interface Suggestion {
  id: string;
  code: string;
  name: string;
  group: string;
  score: number;
}

interface Prior {
  category: CategoryDoc;
  id: string;
  pseudo: Map<number, number>;
  pseudoTotal: number;
}

export interface Priors {
  list: Prior[];
  /** Buckets the names and keywords use (part of the smoothing's vocabulary). */
  vocabulary: number;
}

/** The active categories with the pseudo-counts of their names and keywords. */
export function priorsOf(categories: CategoryDoc[]): Priors {
  const list = categories
    .filter((c) => c.active)
    .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code))
    .map((category) => {
      const pseudo = new Map<number, number>();
      let pseudoTotal = 0;
      for (const phrase of [category.name, ...(category.keywords ?? [])]) {
        for (const [b, n] of bucketCounts(phrase)) {
          pseudo.set(b, (pseudo.get(b) ?? 0) + PSEUDO_WEIGHT * n);
          pseudoTotal += PSEUDO_WEIGHT * n;
        }
      }
      return { category, id: String(category._id), pseudo, pseudoTotal };
    });
  return { list, vocabulary: new Set(list.flatMap((p) => [...p.pseudo.keys()])).size };
}

/**
 * The ranking, from the table and the priors: pure, so it is the same in every process holding the same counts.
 * `learnedFor`: the category this very text is counted for in the table (a confirmed appeal being
 * scored to measure precision, direct-dispatch-measure.ts): it is scored leaving itself out, its own
 * counts taken from that category (one text fewer, its grams fewer; the counts are sums, so this is
 * exactly the table without it, but for the smoothing's vocabulary).
 */
export function rank(table: SuggestTable, { list: priors, vocabulary }: Priors, text: string, limit: number, learnedFor?: string): Suggestion[] {
  if (priors.length === 0) return [];
  const grams = bucketCounts(text);
  const V = Math.max(1, table.vocabulary + vocabulary);
  const own = (id: string) => (id === learnedFor ? 1 : 0);
  const textGrams = [...grams.values()].reduce((s, k) => s + k, 0);
  const ownGrams = learnedFor ? textGrams : 0;
  const weight = W * Math.min(1, EVIDENCE_GRAMS / Math.max(1, textGrams));
  const totalDocs = priors.reduce((s, p) => s + Math.max(0, (table.categories.get(p.id)?.docs ?? 0) - own(p.id)), 0);
  const logits = priors.map((p) => {
    const learned = table.categories.get(p.id);
    const o = own(p.id);
    const docs = Math.max(0, (learned?.docs ?? 0) - o);
    const counts = learned?.counts ?? null;
    const logDenominator = Math.log(Math.max(0, (learned?.grams ?? 0) - o * ownGrams) + p.pseudoTotal + ALPHA * V);
    let evidence = 0;
    for (const [b, k] of grams) evidence += k * (Math.log((counts ? Math.max(0, counts[b] - o * k) : 0) + (p.pseudo.get(b) ?? 0) + ALPHA) - logDenominator);
    return Math.log((docs + 1) / (totalDocs + priors.length)) + weight * evidence;
  });
  const max = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - max));
  const sum = weights.reduce((s, w) => s + w, 0);
  return priors
    .map((p, i) => ({ id: p.id, code: p.category.code, name: p.category.name, group: p.category.group, score: Math.round((weights[i] / sum) * 10000) / 10000 }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

export function suggestService(ctx: AppContext) {
  const categories = categoryService(ctx);
  const load = () =>
    Promise.all([
      ctx.cache.value({ namespace: CATEGORIES_CACHE, key: 'suggest-priors' }, async () => priorsOf(await categories.all())),
      ctx.cache.value({ namespace: SUGGEST_CACHE, key: 'table' }, () => suggestTable(ctx.conn).refresh()),
    ]);
  return {
    /** The `limit` most likely active categories for `text`, most likely first. */
    async suggest(text: string, limit: number): Promise<Suggestion[]> {
      const [priors, table] = await load();
      return rank(table, priors, text, limit);
    },
    /** The ranking as of now, for scoring many texts in one synchronous pass (the precision measure): `rank` with `learnedFor`. */
    async ranker(): Promise<(text: string, limit: number, learnedFor?: string) => Suggestion[]> {
      const [priors, table] = await load();
      return (text, limit, learnedFor) => rank(table, priors, text, limit, learnedFor);
    },
  };
}

/**
 * The monthly rankings of townships, communities and departments: one published score from the
 * four rates of the month (RANKING_TEXT), the rank it gives, and the change from the month before.
 * Computed from the same cells as the figures (cells.ts), so a closed month's ranking is final.
 */
import type { AppContext } from '../context';
import { emptyTally, ratesOf, type RateName, type Tally } from './formulas';
import { periodCells } from './cells';
import { unitOf, unitsOf, type GroupDimension } from './groups';
import { dayIndexOf, dayIndexOfIso } from './days';
import { chinaIsoDate } from '../../common/china-time';

export const RANKED_DIMENSIONS = ['township', 'community', 'department'] as const satisfies readonly GroupDimension[];
export type RankedDimension = (typeof RANKED_DIMENSIONS)[number];

/** Each rate's weight in the score; they sum to 1. 解决率 and 满意率 weigh most: they are what residents feel. */
export const RANKING_WEIGHTS: Record<RateName, number> = { response: 0.2, resolution: 0.3, satisfaction: 0.3, onTime: 0.2 };

export const RANKING_TEXT =
  '综合得分 = 100 × (0.2 × 响应率 + 0.3 × 解决率 + 0.3 × 满意率 + 0.2 × 按期办结率), each rate of the month as the measures define it. ' +
  'A rate with nothing due in the month (denominator 0) is left out and the weights of the others are scaled to sum to 1; a unit with no rate due is not ranked. ' +
  'Scores are rounded to one decimal; equal scores share a rank (1, 1, 3), listed by name. ' +
  'The change is this month\'s score minus last month\'s, and last month\'s rank minus this month\'s (positive: moved up).';

/** The score of a unit's rates, or null when none of them had anything due. */
export function scoreOf(rates: Record<RateName, { value: number | null }>): number | null {
  let weight = 0;
  let sum = 0;
  for (const [name, w] of Object.entries(RANKING_WEIGHTS) as [RateName, number][]) {
    const v = rates[name].value;
    if (v === null) continue;
    weight += w;
    sum += w * v;
  }
  return weight === 0 ? null : Math.round((sum / weight) * 1000) / 10;
}

/** Competition ranks (1, 1, 3) by score, highest first; units without a score get none. */
export function ranksOf(scores: ReadonlyMap<string, number | null>): Map<string, number> {
  const sorted = [...scores].filter((e): e is [string, number] => e[1] !== null).sort((a, b) => b[1] - a[1]);
  const out = new Map<string, number>();
  sorted.forEach(([id, score], i) => out.set(id, i > 0 && sorted[i - 1][1] === score ? out.get(sorted[i - 1][0])! : i + 1));
  return out;
}

/** `2026-11` → its first and last China day numbers. */
export function monthSpan(month: string): { first: number; last: number } {
  const [y, m] = month.split('-').map(Number);
  const first = dayIndexOfIso(`${month}-01`);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { first, last: dayIndexOfIso(next) - 1 };
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The month a day is in, `2026-11`. */
export const monthOf = (at: Date) => chinaIsoDate(at).slice(0, 7);

export interface RankedUnit {
  id: string;
  name: string;
  rank: number | null;
  score: number | null;
  rates: ReturnType<typeof ratesOf>;
  received: number;
  previous: { rank: number | null; score: number | null };
  change: { score: number | null; rank: number | null };
}

export function measureRankings(ctx: AppContext, cells = periodCells(ctx)) {

  /** Every unit's tally of the month, county-wide. */
  async function tallies(month: string, by: RankedDimension): Promise<Map<string, Tally>> {
    const { tallies } = await cells.tally(monthSpan(month), { scope: null, wanted: () => true, keyOf: (_day, c) => unitOf(by, c), key: `unit:${by}` });
    return tallies;
  }

  return {
    /**
     * The month's ranking of every township, community or department, county-wide: rankings are
     * published (the public board shows them), so every member of staff sees the same table.
     */
    async rank(month: string, by: RankedDimension): Promise<{ final: boolean; items: RankedUnit[] }> {
      const [units, now, before] = await Promise.all([unitsOf(ctx, by), tallies(month, by), tallies(previousMonth(month), by)]);
      const rates = (m: Map<string, Tally>, id: string) => {
        const t = m.get(id);
        return t ? ratesOf(t) : null;
      };
      const scores = new Map<string, number | null>();
      const previousScores = new Map<string, number | null>();
      for (const u of units) {
        const r = rates(now, u.id);
        const p = rates(before, u.id);
        scores.set(u.id, r ? scoreOf(r) : null);
        previousScores.set(u.id, p ? scoreOf(p) : null);
      }
      const ranks = ranksOf(scores);
      const previousRanks = ranksOf(previousScores);
      const empty = ratesOf(emptyTally());
      const items = units
        // Retired units stay in the table only for a month they worked in.
        .filter((u) => u.active || now.has(u.id))
        .map((u): RankedUnit => {
          const score = scores.get(u.id) ?? null;
          const rank = ranks.get(u.id) ?? null;
          const prevScore = previousScores.get(u.id) ?? null;
          const prevRank = previousRanks.get(u.id) ?? null;
          return {
            id: u.id,
            name: u.name,
            rank,
            score,
            rates: rates(now, u.id) ?? empty,
            received: now.get(u.id)?.received ?? 0,
            previous: { rank: prevRank, score: prevScore },
            change: {
              score: score !== null && prevScore !== null ? Math.round((score - prevScore) * 10) / 10 : null,
              rank: rank !== null && prevRank !== null ? prevRank - rank : null,
            },
          };
        })
        .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.name.localeCompare(b.name, 'zh-CN'));
      return { final: monthSpan(month).last < dayIndexOf(ctx.now()), items };
    },
  };
}

/**
 * The measures feature's face: the figures of the appeals (三率, 按期办结率 and the counts behind
 * them), per unit and per step, the monthly rankings, and the daily rollup job that keeps ended
 * days ready (rollup.ts). It reads appeals only through the appeals face (`appealTimelines`);
 * appeals know nothing of it.
 */
export { measureRoutes } from './routes';
export { measureRollup, startMeasureRollup } from './rollup';
export { measureService } from './service';
export { measureRankings, monthSpan, previousMonth, RANKING_TEXT, type RankedUnit } from './rankings';
export { Measures, MeasuresQuery, Rankings, RankedUnit as RankedUnitShape } from './schemas';
export { RATE_TEXT, RATES } from './formulas';

/**
 * The measures feature's face: the figures of the appeals (三率, 按期办结率 and the counts behind
 * them) and the daily rollup job that keeps ended days ready (rollup.ts). It reads appeals only
 * through the appeals face (`appealTimelines`); appeals know nothing of it.
 */
export { measureRoutes } from './routes';
export { measureRollup, startMeasureRollup } from './rollup';
export { Measures, MeasuresQuery } from './schemas';
export { RATE_TEXT } from './formulas';

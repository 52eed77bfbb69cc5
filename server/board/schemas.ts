/**
 * The board's own shapes beside the appeals' (appeals/board-schemas.ts): the month's rates of each
 * township and each unit, as the measures rank them (the same `Rankings` shape the workbench reads).
 */
import { z } from 'zod';
import { Rankings } from '../measures';
import { isoMonth } from '../core/validate';

/** The month, YYYY-MM (China time): this month (when left out) or one of the twelve closed months before it. */
export const BoardRatesQuery = z.strictObject({
  month: isoMonth
    .optional()
    .describe('The month, YYYY-MM (China time): this month (when left out) or one of the twelve closed months before it; a later or earlier one is a 400'),
});
export type BoardRatesQuery = z.infer<typeof BoardRatesQuery>;

export const BoardRates = z
  .object({ townships: Rankings, departments: Rankings })
  .describe('The month\'s rates (响应率, 解决率, 满意率, 按期办结率) and ranking of every township and every handling unit, county-wide.');
export type BoardRates = z.infer<typeof BoardRates>;

/**
 * The board's own shapes beside the appeals' (appeals/board-schemas.ts): the month's rates of each
 * township and each unit, as the measures rank them (the same `Rankings` shape the workbench reads).
 */
import { z } from 'zod';
import { Rankings } from '../measures';

/**
 * The month, YYYY-MM (China time), of the last twelve; this month when left out. (The measures'
 * RankingsQuery is not on their face; its month is written the same way.)
 */
export const BoardRatesQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式为 YYYY-MM')
    .optional()
    .describe('The month, YYYY-MM (China time), of the last twelve; this month when left out'),
});
export type BoardRatesQuery = z.infer<typeof BoardRatesQuery>;

export const BoardRates = z
  .object({ townships: Rankings, departments: Rankings })
  .describe('The month\'s rates (响应率, 解决率, 满意率, 按期办结率) and ranking of every township and every handling unit, county-wide.');
export type BoardRates = z.infer<typeof BoardRates>;

/**
 * The measures API's shapes. The descriptions carry each rate's formula (formulas.ts RATE_TEXT),
 * so the OpenAPI document states what the figures mean.
 */
import { z } from 'zod';
import { objectId } from '../core/validate';
import { APPEAL_CHANNELS } from '../../common/appeal-labels';
import { RATE_TEXT } from './formulas';

/** The longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

// A calendar day that exists (2026-02-30 matches the pattern but would roll over to March).
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, '没有这一天，请检查日期');

export const MeasuresQuery = z
  .strictObject({
    /** First day of the period, China time. */
    from: isoDay.describe('First day of the period (China time), YYYY-MM-DD'),
    /** Last day of the period, included. */
    to: isoDay.describe('Last day of the period (China time, included), YYYY-MM-DD; at most 366 days after from'),
    regionId: objectId.optional().describe('Only this region and the regions under it'),
    departmentId: objectId.optional(),
    categoryId: objectId.optional(),
    channel: z.enum(APPEAL_CHANNELS).optional(),
  })
  .refine((q) => q.to >= q.from, { message: '结束日期不能早于开始日期', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_PERIOD_DAYS, { message: `统计周期最长${MAX_PERIOD_DAYS}天`, path: ['to'] });
export type MeasuresQuery = z.infer<typeof MeasuresQuery>;

const count = z.number().int();
const Rate = (name: keyof typeof RATE_TEXT) =>
  z
    .object({ value: z.number().nullable().describe('numerator / denominator, 0 to 1, four decimals; null when the denominator is 0'), numerator: count, denominator: count })
    .describe(RATE_TEXT[name]);

export const Measures = z
  .object({
    from: z.string(),
    to: z.string(),
    counts: z.object({
      received: count.describe('appeals filed in the period'),
      accepted: count.describe('受理 moves (direct dispatch included)'),
      rejected: count.describe('不予受理 moves'),
      merged: count.describe('合并 moves'),
      overdue: z
        .object({ accept: count, firstContact: count, resolve: count })
        .describe('督办 flags raised in the period, by the step that was late: accept (waiting for a dispatcher), first contact (assigned, not started), resolve'),
      replied: count.describe('答复 moves'),
      closed: count.describe('moves into 已办结: ratings and automatic closes'),
      rated: z
        .object({ total: count, satisfied: count, basic: count, unsatisfied: count, resolved: count })
        .describe('ratings given in the period, by 满意 / 基本满意 / 不满意, and how many said resolved'),
      reopened: count.describe('重新办理 moves'),
    }),
    medians: z.object({
      firstContactHours: z.number().nullable().describe('median hours from filing to the unit\'s first contact (start or answer), over first contacts in the period'),
      replyHours: z.number().nullable().describe('median hours from the start of a handling (filing, or a reopen) to its answer, over answers in the period'),
      assignmentSeconds: z.number().nullable().describe('median seconds from filing to the first assignment, over assignments in the period'),
    }),
    rates: z.object({ response: Rate('response'), resolution: Rate('resolution'), satisfaction: Rate('satisfaction'), onTime: Rate('onTime') }),
    days: z.object({ rolledUp: count.describe('days read from the daily rollup'), live: count.describe('days computed from the timelines now (today, and days not rolled up yet)') }),
  })
  .describe(
    'Figures of the appeals in the caller\'s scope (dispatchers: their township or county; community staff and grid workers: their communities; department staff: their department; admins: all) and the filters. Every figure is counted on the China day of its own event, so a past period never changes. ' +
      Object.values(RATE_TEXT).join(' '),
  );
export type Measures = z.infer<typeof Measures>;

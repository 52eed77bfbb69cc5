/**
 * The measures API's shapes. The descriptions carry each rate's formula (formulas.ts RATE_TEXT),
 * so the OpenAPI document states what the figures mean.
 */
import { z } from 'zod';
import { isoMonth, objectId } from '../core/validate';
import { APPEAL_CHANNELS } from '../../common/appeal-labels';
import { RATE_TEXT } from './formulas';
import { GROUP_DIMENSIONS } from './groups';
import { RANKED_DIMENSIONS, RANKING_TEXT } from './rankings';

/** The longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

// A calendar day that exists (2026-02-30 matches the pattern but would roll over to March).
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, '没有这一天，请检查日期');

/** A period and the filters: one definition for the figures, the groupings and the series. */
const periodFields = {
  /** First day of the period, China time. */
  from: isoDay.describe('First day of the period (China time), YYYY-MM-DD'),
  /** Last day of the period, included. */
  to: isoDay.describe('Last day of the period (China time, included), YYYY-MM-DD; at most 366 days after from'),
  regionId: objectId.optional().describe('Only this region and the regions under it'),
  departmentId: objectId.optional(),
  categoryId: objectId.optional(),
  channel: z.enum(APPEAL_CHANNELS).optional(),
};
const aPeriod = <T extends z.ZodType<{ from: string; to: string }>>(schema: T) =>
  schema
    .refine((q) => q.to >= q.from, { message: '结束日期不能早于开始日期', path: ['to'] })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_PERIOD_DAYS, { message: `统计周期最长${MAX_PERIOD_DAYS}天`, path: ['to'] });

export const MeasuresQuery = aPeriod(z.strictObject(periodFields));
export type MeasuresQuery = z.infer<typeof MeasuresQuery>;

const count = z.number().int();
const Rate = (name: keyof typeof RATE_TEXT) =>
  z
    .object({ value: z.number().nullable().describe('numerator / denominator, 0 to 1, four decimals; null when the denominator is 0'), numerator: count, denominator: count })
    .describe(RATE_TEXT[name]);

const rates = () => z.object({ response: Rate('response'), resolution: Rate('resolution'), satisfaction: Rate('satisfaction'), onTime: Rate('onTime') });

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
    rates: rates(),
    days: z.object({ rolledUp: count.describe('days read from the daily rollup'), live: count.describe('days computed from the timelines now (today, and days not rolled up yet)') }),
  })
  .describe(
    'Figures of the appeals in the caller\'s scope (dispatchers: their township or county; community staff and grid workers: their communities; department staff: their department; admins: all) and the filters. Every figure is counted on the China day of its own event, so a past period never changes. ' +
      Object.values(RATE_TEXT).join(' '),
  );
export type Measures = z.infer<typeof Measures>;

/** The counts a table or a chart shows beside the rates. */
const HeadCounts = z.object({
  received: count,
  accepted: count,
  replied: count,
  closed: count,
  rated: count,
  overdue: count.describe('督办 flags raised, every step'),
  reopened: count,
});

export const GroupsQuery = aPeriod(z.strictObject({ ...periodFields, by: z.enum(GROUP_DIMENSIONS).describe('township, community, department, category or channel') }));
export type GroupsQuery = z.infer<typeof GroupsQuery>;
export const Groups = z
  .object({
    from: z.string(),
    to: z.string(),
    by: z.enum(GROUP_DIMENSIONS),
    items: z.array(z.object({ id: z.string(), name: z.string(), counts: HeadCounts, rates: rates() })).describe('units with anything in the period, most received first'),
  })
  .describe('The period\'s figures per unit, in the caller\'s scope and the filters (as GET /measures).');
export type Groups = z.infer<typeof Groups>;

export const SERIES_STEPS = ['day', 'week', 'month'] as const;
export const SeriesQuery = aPeriod(z.strictObject({ ...periodFields, step: z.enum(SERIES_STEPS).describe('day; week (Monday to Sunday); month') }));
export type SeriesQuery = z.infer<typeof SeriesQuery>;
export const Series = z
  .object({
    from: z.string(),
    to: z.string(),
    step: z.enum(SERIES_STEPS),
    items: z.array(z.object({ from: z.string(), to: z.string(), counts: HeadCounts, rates: rates() })).describe('one per step, in order; the first and last may be partial weeks or months'),
  })
  .describe('The figures per day, week or month of the period, in the caller\'s scope and the filters: the trend lines.');
export type Series = z.infer<typeof Series>;

export const RankingsQuery = z.strictObject({ month: isoMonth.describe('The month, YYYY-MM (China time)'), by: z.enum(RANKED_DIMENSIONS).describe('township, community or department') });
export type RankingsQuery = z.infer<typeof RankingsQuery>;
const nullableCount = z.number().int().nullable();
export const RankedUnit = z.object({
  id: z.string(),
  name: z.string(),
  rank: nullableCount.describe('null: nothing was due this month'),
  score: z.number().nullable(),
  rates: rates(),
  received: count,
  previous: z.object({ rank: nullableCount, score: z.number().nullable() }),
  change: z.object({ score: z.number().nullable(), rank: z.number().int().nullable().describe('positive: moved up') }),
});
export const Rankings = z
  .object({
    month: z.string(),
    previousMonth: z.string(),
    by: z.enum(RANKED_DIMENSIONS),
    final: z.boolean().describe('the month has ended: its ranking will not change'),
    formula: z.string(),
    items: z.array(RankedUnit),
  })
  .describe(`The month's ranking, county-wide for every member of staff (the public board publishes it). ${RANKING_TEXT}`);
export type Rankings = z.infer<typeof Rankings>;

export const Dashboard = z
  .object({
    at: z.string().describe('when these figures were read; the dashboard refreshes them every minute'),
    today: HeadCounts,
    month: z.object({ month: z.string(), counts: HeadCounts, rates: rates() }),
    previousMonth: z.object({ month: z.string(), rates: rates() }),
    ranking: z.array(RankedUnit).describe('this month\'s townships'),
    byCategory: Groups.shape.items,
    byTownship: Groups.shape.items,
  })
  .describe('The county dashboard: today, this month beside the last, the townships\' ranking, and this month per category and township, in the caller\'s scope.');
export type Dashboard = z.infer<typeof Dashboard>;

/** A big screen's key as admins see it (never the key itself, after it was issued). */
export const ScreenKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdByName: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedByName: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ScreenKey = z.infer<typeof ScreenKey>;
export const ScreenKeyList = z.object({ items: z.array(ScreenKey) });
export type ScreenKeyList = z.infer<typeof ScreenKeyList>;
export const IssueScreenKeyBody = z.strictObject({ name: z.string().trim().min(1).max(40) });
export type IssueScreenKeyBody = z.infer<typeof IssueScreenKeyBody>;
/** The answer to an issue: the key in clear, this once, to put in the screen's address (…/dashboard/index?key=…). */
export const IssuedScreenKey = z.object({ screen: ScreenKey, key: z.string() });
export type IssuedScreenKey = z.infer<typeof IssuedScreenKey>;

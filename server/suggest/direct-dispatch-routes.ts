/**
 * The setting of direct dispatch by suggestion, mounted under /categories:
 *   GET   /categories/suggest/direct-dispatch  the setting, and the precision measured at its threshold and at each of a set
 *   PATCH /categories/suggest/direct-dispatch  { version, enabled?, threshold? } (or If-Match): admins only
 * Dispatchers may read it: they see why an appeal reached a unit without them.
 */
import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { route } from '../core/route';
import { requiredVersion, sendVersion } from '../core/versions';
import {
  DIRECT_DISPATCH_DEFAULT_THRESHOLD,
  directDispatchSettings,
  MEASURE_SAMPLE,
  MEASURE_WINDOW_DAYS,
  MEASURED_THRESHOLDS,
  precisionAt,
  precisionMeasure,
  THRESHOLD_MAX,
  THRESHOLD_MIN,
  type DirectDispatchSetting,
} from './direct-dispatch';

const PrecisionRow = z.object({
  threshold: z.number(),
  /** Share right among those at or above the threshold; null when none is. */
  precision: z.number().nullable(),
  /** Share of the sample at or above the threshold (would be dispatched directly). */
  coverage: z.number(),
  count: z.number().int(),
});

export const DirectDispatchView = z.object({
  enabled: z.boolean(),
  threshold: z.number(),
  /** The setting's version: an edit names it (409 when stale). 0 until an admin saves it. */
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  defaultThreshold: z.number(),
  min: z.number(),
  max: z.number(),
  measured: z.object({
    /** Appeals scored: the most recent confirmed ones, `maxSample` at most, from the last `windowDays`. */
    sample: z.number().int(),
    maxSample: z.number().int(),
    windowDays: z.number().int(),
    /** Top suggestion right, over the whole sample (no threshold). */
    accuracy: z.number().nullable(),
    measuredAt: z.string(),
    /** At the threshold set now (enabled or not). */
    atThreshold: PrecisionRow,
    table: z.array(PrecisionRow),
  }),
});
export type DirectDispatchView = z.infer<typeof DirectDispatchView>;

/** Two decimals: 0.855 is not a setting anyone can read back. */
const Threshold = z.number().min(THRESHOLD_MIN).max(THRESHOLD_MAX).transform((t) => Math.round(t * 100) / 100);

export const DirectDispatchBody = z
  .strictObject({ version: z.number().int().min(0).optional(), enabled: z.boolean().optional(), threshold: Threshold.optional() })
  .refine((b) => b.enabled !== undefined || b.threshold !== undefined, { message: '请修改开关或阈值' });

export function directDispatchRoutes(ctx: AppContext) {
  const settings = directDispatchSettings(ctx);
  const measure = precisionMeasure(ctx);

  async function view(res: Response, s: DirectDispatchSetting): Promise<DirectDispatchView> {
    const m = await measure.get();
    sendVersion(res, s.version);
    return {
      enabled: s.enabled,
      threshold: s.threshold,
      version: s.version,
      updatedAt: s.updatedAt?.toISOString() ?? null,
      defaultThreshold: DIRECT_DISPATCH_DEFAULT_THRESHOLD,
      min: THRESHOLD_MIN,
      max: THRESHOLD_MAX,
      measured: {
        sample: m.sample,
        maxSample: MEASURE_SAMPLE,
        windowDays: MEASURE_WINDOW_DAYS,
        accuracy: m.accuracy,
        measuredAt: m.measuredAt.toISOString(),
        atThreshold: precisionAt(m, s.threshold),
        table: MEASURED_THRESHOLDS.map((t) => precisionAt(m, t)),
      },
    };
  }

  return [
    route({ method: 'get', path: '/suggest/direct-dispatch', summary: '智能直派设置：阈值及其在本县近期已确认诉求上的准确率', access: ['admin', 'dispatcher'], query: z.strictObject({}), response: DirectDispatchView, handler: async ({ res }) => view(res, await settings.read()) }),
    route({
      method: 'patch', path: '/suggest/direct-dispatch', summary: '修改智能直派的开关与置信度阈值（带版本）', access: ['admin'], body: DirectDispatchBody, response: DirectDispatchView,
      handler: async ({ req, res, body: { version, ...patch } }) => view(res, await settings.update(requiredVersion(req, version), patch)),
    }),
  ];
}

import { z } from 'zod';
import { objectId, trimmed } from '../core/validate';
import { AppealSummary } from '../appeals';
import { HOTSPOT_STATES } from './model';

/** The hot spots' shapes (高频诉求), defined once: the routes validate with them and the mini-program imports their types. */
export const HOTSPOT_STATE_LABELS: Record<(typeof HOTSPOT_STATES)[number], string> = { open: '待处理', merged: '已合并', dismissed: '已忽略' };

const Version = z.number().int().min(0).max(999_999_999);

/** The admins' thresholds: the window in hours, the size that makes a hot spot, the text similarity (0..1). */
export const HotspotThresholds = z.strictObject({
  windowHours: z.number().int().min(1).max(72),
  minCount: z.number().int().min(2).max(100),
  similarity: z.number().min(0.3).max(1),
});
export const HotspotSettings = HotspotThresholds.extend({ version: z.number().int() });
export type HotspotSettings = z.infer<typeof HotspotSettings>;
/** An edit names the version it was made on (or `If-Match: "v<version>"`): stale 409, none 428. */
export const EditHotspotSettingsBody = HotspotThresholds.extend({ version: Version.optional() });
export type EditHotspotSettingsBody = z.infer<typeof EditHotspotSettingsBody>;

export const ListHotspotsQuery = z.strictObject({
  state: z.enum(HOTSPOT_STATES).default('open'),
  cursor: objectId.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type ListHotspotsQuery = z.infer<typeof ListHotspotsQuery>;

export const HotspotSummary = z.object({
  id: z.string(),
  regionId: z.string(),
  regionName: z.string(),
  label: z.string(),
  categoryId: z.string().nullable(),
  size: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  windowHours: z.number().int(),
  state: z.enum(HOTSPOT_STATES),
  stateLabel: z.string(),
  version: z.number().int(),
});
export type HotspotSummary = z.infer<typeof HotspotSummary>;

export const HotspotPage = z.object({ items: z.array(HotspotSummary), nextCursor: z.string().nullable() });
export type HotspotPage = z.infer<typeof HotspotPage>;

export const HotspotCount = z.object({ open: z.number().int() });
export type HotspotCount = z.infer<typeof HotspotCount>;

export const MergeOutcome = z.object({ appealId: z.string(), number: z.string(), result: z.enum(['merged', 'already', 'failed']), message: z.string().nullable() });
export type MergeOutcome = z.infer<typeof MergeOutcome>;

export const HotspotDetail = HotspotSummary.extend({
  /** The group's appeals the caller may read, oldest first, each with its version. */
  appeals: z.array(z.object({ appeal: AppealSummary, version: z.number().int() })),
  /** Whether the caller may merge or dismiss it now (a dispatcher of its region, an admin; open only). */
  canDecide: z.boolean(),
  merge: z.object({ targetId: z.string(), targetNumber: z.string(), outcomes: z.array(MergeOutcome), at: z.string(), byName: z.string() }).nullable(),
  dismissal: z.object({ reason: z.string(), at: z.string(), byName: z.string() }).nullable(),
});
export type HotspotDetail = z.infer<typeof HotspotDetail>;

/**
 * 合并为一件: every other open appeal of the group into the target (default the earliest). The
 * group's version, and optionally each appeal's version as the caller saw it (an appeal that moved
 * since is reported, not merged).
 */
export const MergeHotspotBody = z.strictObject({
  version: Version.optional(),
  targetId: objectId.optional(),
  appealVersions: z.record(objectId, Version).optional(),
});
export type MergeHotspotBody = z.infer<typeof MergeHotspotBody>;

export const MergeHotspotResult = z.object({ hotspot: HotspotDetail, outcomes: z.array(MergeOutcome) });
export type MergeHotspotResult = z.infer<typeof MergeHotspotResult>;

/** 忽略: not a real cluster, with a reason. */
export const DismissHotspotBody = z.strictObject({ version: Version.optional(), reason: trimmed(2, 200) });
export type DismissHotspotBody = z.infer<typeof DismissHotspotBody>;

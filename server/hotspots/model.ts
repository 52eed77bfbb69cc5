import { Schema, ownModel, baseOptions, type Types } from '../db/schema-helpers';
import type { Connection } from 'mongoose';
import { cacheStampPlugin } from '../core/cache/stamps';

/** open: flagged and waiting; merged: a dispatcher merged the group into one appeal; dismissed: not a real cluster (忽略). */
export const HOTSPOT_STATES = ['open', 'merged', 'dismissed'] as const;
export type HotspotState = (typeof HOTSPOT_STATES)[number];

/** The outcome of one appeal in a group merge. */
export interface MergeOutcome {
  appealId: string;
  number: string;
  /** merged now; already merged into the target (a retry); failed (its state, a refusal). */
  result: 'merged' | 'already' | 'failed';
  message: string | null;
}

/**
 * A hot spot (高频诉求): similar open appeals of one community within hours, grouped by the
 * detector (detect.ts). Its members are HotspotMember records (one per appeal, keyed by the
 * appeal, so an appeal belongs to one hot spot at most). `version` bumps with every write (growth,
 * merge, dismiss): a merge or dismiss names the version it was decided on.
 */
export interface HotspotDoc {
  _id: Types.ObjectId;
  /** `<community id>:<earliest appeal id>`: two detectors racing create one hot spot. */
  key: string;
  communityId: Types.ObjectId;
  /** The community's path (`/county/township/community/`): the scope queries' prefix. */
  regionPath: string;
  regionName: string;
  /** What the group is about: the shared category, else an excerpt of the earliest text. */
  label: string;
  categoryId: Types.ObjectId | null;
  size: number;
  firstAt: Date;
  lastAt: Date;
  /** The window (hours) in force when it was detected, for the flag's text. */
  windowHours: number;
  state: HotspotState;
  /** The largest step (a size) staff were told of; the outbox's dedupe keys make each step one message. */
  flaggedStep: number;
  version: number;
  /** The last group merge: on which version, into which appeal, each appeal's outcome (a retry answers it again). */
  merge: { onVersion: number; targetId: Types.ObjectId; targetNumber: string; outcomes: MergeOutcome[]; at: Date; byId: Types.ObjectId; byName: string; byRole: string } | null;
  dismissal: { reason: string; at: Date; byId: Types.ObjectId; byName: string; byRole: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An appeal's place in a hot spot: `_id` is the appeal's id. */
export interface HotspotMemberDoc {
  _id: Types.ObjectId;
  hotspotId: Types.ObjectId;
  submittedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The admins' thresholds, one document (`_id: 'settings'`), versioned like every edit. */
export interface HotspotSettingsDoc {
  _id: string;
  windowHours: number;
  minCount: number;
  similarity: number;
  version: number;
  updatedById: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export const HOTSPOT_SETTINGS_CACHE = 'hotspot-settings';

const actorSchema = { at: Date, byId: Schema.Types.ObjectId, byName: String, byRole: String };

export const hotspotSchema = new Schema<HotspotDoc>(
  {
    key: { type: String, required: true, unique: true },
    communityId: { type: Schema.Types.ObjectId, required: true },
    regionPath: { type: String, required: true },
    regionName: { type: String, required: true },
    label: { type: String, required: true },
    categoryId: { type: Schema.Types.ObjectId, default: null },
    size: { type: Number, default: 0 },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
    windowHours: { type: Number, required: true },
    state: { type: String, enum: HOTSPOT_STATES, default: 'open' },
    flaggedStep: { type: Number, default: 0 },
    version: { type: Number, default: 0 },
    merge: {
      type: new Schema(
        {
          onVersion: Number,
          targetId: Schema.Types.ObjectId,
          targetNumber: String,
          outcomes: [new Schema({ appealId: String, number: String, result: String, message: { type: String, default: null } }, { _id: false })],
          ...actorSchema,
        },
        { _id: false },
      ),
      default: null,
    },
    dismissal: { type: new Schema({ reason: String, ...actorSchema }, { _id: false }), default: null },
  },
  baseOptions,
);
// The lists: a scope's prefix (a community, a dispatcher's township) with the state, newest first;
// the county-wide list (admins) by state.
hotspotSchema.index({ regionPath: 1, state: 1, _id: -1 });
hotspotSchema.index({ state: 1, _id: -1 });

export const hotspotMemberSchema = new Schema<HotspotMemberDoc>(
  {
    hotspotId: { type: Schema.Types.ObjectId, required: true },
    submittedAt: { type: Date, required: true },
  },
  baseOptions,
);
// A group's appeals, oldest first.
hotspotMemberSchema.index({ hotspotId: 1, submittedAt: 1 });

export const hotspotSettingsSchema = new Schema<HotspotSettingsDoc>(
  {
    _id: { type: String, required: true },
    windowHours: { type: Number, required: true },
    minCount: { type: Number, required: true },
    similarity: { type: Number, required: true },
    version: { type: Number, default: 0 },
    updatedById: { type: Schema.Types.ObjectId, default: null },
  },
  baseOptions,
);
hotspotSettingsSchema.plugin(cacheStampPlugin(HOTSPOT_SETTINGS_CACHE));

/** This feature's collections on a connection. Only code in this folder uses them; others call the feature's face (index.ts). */
export function hotspotModels(conn: Connection) {
  return {
    Hotspot: ownModel(conn, 'Hotspot', hotspotSchema),
    HotspotMember: ownModel(conn, 'HotspotMember', hotspotMemberSchema),
    HotspotSettings: ownModel(conn, 'HotspotSettings', hotspotSettingsSchema),
  };
}

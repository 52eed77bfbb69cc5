/**
 * What the hot spots (server/hotspots, 高频诉求) read of the appeals: the open appeals filed since
 * a time (where and what, to group them), the rows of a group as a viewer may see them (the lists'
 * own rows, so names go through the one appearance rule), and the facts a group merge checks. The
 * merge itself is the appeals' own move (`appealService(ctx).moves.merge`).
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { appealModels, type AppealDoc } from './model';
import type { AppealSummary } from './schemas';
import { canRead, pathDepth, standingOf } from './scope';
import { OPEN_STATES, type AppealState } from './state-machine';
import { toSummary } from './views';

/** An open appeal as grouping reads it: place, category, text and time; never who filed it. */
export interface ClusterAppeal {
  id: string;
  number: string;
  /** The community it lies in (the path filing stored), or null for one placed above any community (an Open311 filing at the county). */
  communityPath: string | null;
  categoryId: string | null;
  categoryName: string | null;
  description: string;
  submittedAt: Date;
}

/** An appeal's state as a group merge needs it, with its version (the timeline's length). */
export interface ClusterFacts {
  id: string;
  number: string;
  state: AppealState;
  duplicateOfId: string | null;
  submittedAt: Date;
  version: number;
}

/** A bound on one read: far more than a county files within a window of hours. */
const MAX_WINDOW_APPEALS = 5_000;
const CLUSTER_FIELDS = { number: 1, state: 1, communityPath: 1, categoryId: 1, categoryName: 1, description: 1, submittedAt: 1 } as const;
const FACT_FIELDS = { number: 1, state: 1, duplicateOfId: 1, submittedAt: 1, eventCount: 1 } as const;
const toIds = (ids: readonly string[]) => ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));

export function clusterReads(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  return {
    /** The appeals filed at or after `since` that are still open, oldest first (index {submittedAt}); past the bound, the newest. */
    async openFiledSince(since: Date): Promise<ClusterAppeal[]> {
      const docs = await Appeal.find({ submittedAt: { $gte: since } }, CLUSTER_FIELDS).sort({ submittedAt: -1 }).limit(MAX_WINDOW_APPEALS).lean<AppealDoc[]>();
      return docs
        .reverse()
        .filter((a) => OPEN_STATES.includes(a.state))
        .map((a) => ({ id: String(a._id), number: a.number, communityPath: pathDepth(a.communityPath) === 3 ? a.communityPath : null, categoryId: a.categoryId ? String(a.categoryId) : null, categoryName: a.categoryName, description: a.description, submittedAt: a.submittedAt }));
    },
    /** The list rows of these appeals the viewer may read, each with its version, in the order asked. */
    async rows(user: AuthUser, ids: readonly string[]): Promise<{ summary: AppealSummary; version: number; duplicateOfId: string | null }[]> {
      const docs = await Appeal.find({ _id: { $in: toIds(ids) } }, { timeline: 0 }).lean<AppealDoc[]>();
      const byId = new Map(docs.map((a) => [String(a._id), a]));
      return ids
        .map((id) => byId.get(id))
        .filter((a): a is AppealDoc => !!a && canRead(standingOf(user, a), a.isPublic))
        .map((a) => ({ summary: toSummary(a, user), version: a.eventCount, duplicateOfId: a.duplicateOfId ? String(a.duplicateOfId) : null }));
    },
    /** State, version and merge target of these appeals (a merge of a group checks them first). */
    async facts(ids: readonly string[]): Promise<Map<string, ClusterFacts>> {
      const docs = await Appeal.find({ _id: { $in: toIds(ids) } }, FACT_FIELDS).lean<AppealDoc[]>();
      return new Map(
        docs.map((a) => [String(a._id), { id: String(a._id), number: a.number, state: a.state, duplicateOfId: a.duplicateOfId ? String(a.duplicateOfId) : null, submittedAt: a.submittedAt, version: a.eventCount }]),
      );
    },
  };
}
export type ClusterReads = ReturnType<typeof clusterReads>;

/**
 * The appeals' timelines as the measures read them (server/measures): for every appeal that may
 * have an event in a span of time, only what the figures need (where it is, whose it is, its
 * deadlines, its events, its rating), never its text or who reported it.
 */
import type { AppContext } from '../context';
import { appealModels, type AppealDoc } from './model';
import { FINAL_STATES, OPEN_STATES, type AppealChannel, type AppealState, type EventAction } from './state-machine';
import type { Satisfaction } from '../../common/appeal-labels';

export interface TimelineEventFacts {
  at: Date;
  action: EventAction;
  from: AppealState | null;
  to: AppealState | null;
  /** A `rate` event's rating as given, if recorded (model.ts TimelineEvent `rating`). */
  rating?: { resolved: boolean; satisfaction: Satisfaction };
  /** The department and category before this move changed either, if recorded (model.ts TimelineEvent `before`). */
  before?: { departmentId: string | null; categoryId: string | null };
}

export interface AppealTimeline {
  id: string;
  regionPath: string;
  departmentId: string | null;
  categoryId: string | null;
  channel: AppealChannel;
  submittedAt: Date;
  acceptBy: Date;
  firstContactBy: Date;
  resolveBy: Date;
  /** The rating in force (a reopen withdraws it; the next rate sets a new one; each `rate` event keeps its own). */
  rating: { resolved: boolean; satisfaction: Satisfaction; at: Date } | null;
  events: TimelineEventFacts[];
}

const FIELDS = { regionPath: 1, departmentId: 1, categoryId: 1, channel: 1, submittedAt: 1, acceptBy: 1, firstContactBy: 1, resolveBy: 1, rating: 1, timeline: 1 } as const;

export function appealTimelines(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  return {
    /**
     * Every appeal that may have an event in [from, to): filed before `to` and not finished before
     * `from` (still open or answered, or closed, rejected or merged at or after `from`: after its
     * `closedAt` an appeal's only move is a reopen, which clears it). Read as a stream.
     */
    async *between(from: Date, to: Date): AsyncGenerator<AppealTimeline> {
      const filter = {
        submittedAt: { $lt: to },
        $or: [{ state: { $in: [...OPEN_STATES, 'replied' as const] } }, { state: { $in: [...FINAL_STATES] }, closedAt: { $gte: from } }],
      };
      for await (const a of Appeal.find(filter, FIELDS).lean<AppealDoc>().cursor()) {
        const doc = a as unknown as AppealDoc;
        yield {
          id: String(doc._id),
          regionPath: doc.regionPath,
          departmentId: doc.departmentId ? String(doc.departmentId) : null,
          categoryId: doc.categoryId ? String(doc.categoryId) : null,
          channel: doc.channel,
          submittedAt: doc.submittedAt,
          acceptBy: doc.acceptBy,
          firstContactBy: doc.firstContactBy,
          resolveBy: doc.resolveBy,
          rating: doc.rating ? { resolved: doc.rating.resolved, satisfaction: doc.rating.satisfaction, at: doc.rating.at } : null,
          events: doc.timeline.map((e) => ({
            at: e.at,
            action: e.action,
            from: e.from,
            to: e.to,
            ...(e.rating ? { rating: { resolved: e.rating.resolved, satisfaction: e.rating.satisfaction } } : {}),
            ...(e.before ? { before: { departmentId: e.before.departmentId ? String(e.before.departmentId) : null, categoryId: e.before.categoryId ? String(e.before.categoryId) : null } } : {}),
          })),
        };
      }
    },
  };
}

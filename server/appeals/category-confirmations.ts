/**
 * The categories staff have confirmed, as the category suggestion learns them (server/suggest):
 * the appeals changed since a time, each with its text and the category staff stand behind now,
 * never who reported it.
 *
 * Confirmed: the appeal has a category and either staff filed it with that category on their own
 * channel (代报 by a grid worker, 热线代录 by a dispatcher), or a person acting as staff (not the
 * server's direct dispatch, not a resident) accepted, assigned, transferred or reviewed it: every
 * such move leaves the category in force (accept and assign may change it). A resident's own
 * choice therefore counts once staff have accepted it, and a direct dispatch once a dispatcher has
 * reviewed it (直派复核). A category the server took from a sure suggestion at filing (智能直派,
 * `suggestion.chosen`) is the server's, not the filer's, even on a grid worker's forward: it counts
 * only once a person accepts, assigns, transfers or reviews it, or the suggestions would feed themselves.
 */
import type { AppContext } from '../context';
import { appealModels, type AppealDoc } from './model';
import type { AppealChannel, EventAction } from './state-machine';

export interface CategoryConfirmation {
  id: string;
  /** The appeal's text as filed (descriptions are not edited after filing). */
  text: string;
  /** The category staff confirmed, or null when none is confirmed (yet). */
  categoryId: string | null;
  updatedAt: Date;
}

const STAFF_CHANNELS: readonly AppealChannel[] = ['grid_worker', 'hotline'];
const CONFIRMING: readonly EventAction[] = ['accept', 'assign', 'transfer', 'review'];

/** The category staff stand behind, or null. */
export function confirmedCategory(a: Pick<AppealDoc, 'categoryId' | 'channel' | 'submittedById' | 'timeline' | 'suggestion'>): string | null {
  if (!a.categoryId) return null;
  const filedByStaff = !a.suggestion?.chosen && STAFF_CHANNELS.includes(a.channel) && a.timeline.some((e) => e.action === 'submit' && !!e.byId && e.byRole !== 'resident' && e.byRole !== 'bot');
  const confirmed = a.timeline.some((e) => CONFIRMING.includes(e.action) && !!e.byId && e.byRole !== 'resident');
  return filedByStaff || confirmed ? String(a.categoryId) : null;
}

const FIELDS = { description: 1, categoryId: 1, channel: 1, submittedById: 1, timeline: 1, suggestion: 1, updatedAt: 1 } as const;

export function categoryConfirmations(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  return {
    /** Every appeal written at or after `since`, oldest write first, as a stream (index {updatedAt}). */
    async *changedSince(since: Date): AsyncGenerator<CategoryConfirmation> {
      for await (const a of Appeal.find({ updatedAt: { $gte: since } }, FIELDS).sort({ updatedAt: 1 }).lean<AppealDoc>().cursor()) {
        const doc = a as unknown as AppealDoc;
        yield { id: String(doc._id), text: doc.description, categoryId: confirmedCategory(doc), updatedAt: doc.updatedAt };
      }
    },
    /** The texts of these appeals by id (the suggestion's precision measure scores them again); missing ones are left out. */
    async textsOf(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const docs = await Appeal.find({ _id: { $in: ids } }, { description: 1 }).lean<Pick<AppealDoc, '_id' | 'description'>[]>();
      return new Map(docs.map((d) => [String(d._id), d.description]));
    },
  };
}

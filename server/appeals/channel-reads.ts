/**
 * The appeals filed through one channel, as an outside API reads them (server/open311): the
 * public sight only. What leaves here never names the reporter (no name, phone, e-mail or contact):
 * the text is masked as the public board masks it (board-view.ts publicText: the names on the
 * record, e-mail addresses, phone, ID and house numbers) and the point is rounded
 * (people/privacy.ts), the same as anyone who reads an appeal only because it is public. An appeal
 * its reporter did not make public (or a dispatcher took off the board) shows its state, unit and
 * dates only: none of its text, place, point, answer or reason.
 */
import type { Types } from 'mongoose';
import type { AppContext } from '../context';
import { pointFor } from '../people';
import { publicText } from './board-view';
import { appealModels, type AppealDoc } from './model';
import type { AppealChannel, AppealState } from './state-machine';

export interface PublicAppeal {
  id: string;
  number: string;
  state: AppealState;
  categoryId: string | null;
  categoryName: string | null;
  regionName: string;
  departmentName: string | null;
  /** Masked (names on the record, e-mail, phone, ID and house numbers); a placeholder when not public. */
  description: string;
  place: string | null;
  /** Rounded to about 1 km. */
  location: { lat: number; lng: number } | null;
  submittedAt: Date;
  /** The last event's time. */
  updatedAt: Date;
  resolveBy: Date;
  /** The answer, a rejection's reason or the appeal it was merged into, masked; the answer and reason null when not public. */
  answer: string | null;
  rejectReason: string | null;
  duplicateOfNumber: string | null;
}

export interface ChannelListFilter {
  channel: AppealChannel;
  categoryId?: Types.ObjectId;
  states?: readonly AppealState[];
  from?: Date;
  to?: Date;
  limit: number;
}

// Everything a public answer reads: never reporterPhone, reporterEmail, reporterId, roomId or contacts;
// reporterName (and the timeline's actors) only to mask them in the text.
const FIELDS = {
  reporterName: 1, number: 1, state: 1, categoryId: 1, categoryName: 1, regionName: 1, departmentName: 1, description: 1, place: 1, location: 1,
  submittedAt: 1, resolveBy: 1, answer: 1, duplicateOfNumber: 1, timeline: 1, isPublic: 1,
} as const;

const NOT_PUBLIC = '（内容未公开）';

function toPublic(a: AppealDoc): PublicAppeal {
  const last = a.timeline[a.timeline.length - 1];
  const rejected = a.state === 'rejected' ? [...a.timeline].reverse().find((e) => e.action === 'reject') : undefined;
  const text = publicText(a);
  return {
    id: String(a._id),
    number: a.number,
    state: a.state,
    categoryId: a.categoryId ? String(a.categoryId) : null,
    categoryName: a.categoryName,
    regionName: a.regionName,
    departmentName: a.departmentName,
    // Not made public by its reporter, or taken off the public board by a dispatcher: no text, no place.
    description: a.isPublic ? text(a.description) : NOT_PUBLIC,
    place: a.isPublic && a.place !== null ? text(a.place) : null,
    location: a.isPublic && a.location ? (({ lat, lng }) => ({ lat, lng }))(pointFor(a.location, false)) : null,
    submittedAt: a.submittedAt,
    updatedAt: last?.at ?? a.submittedAt,
    resolveBy: a.resolveBy,
    answer: a.isPublic && a.answer ? text(a.answer.text) : null,
    rejectReason: a.isPublic && rejected?.note ? text(rejected.note) : null,
    duplicateOfNumber: a.duplicateOfNumber,
  };
}

export function channelReads(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  return {
    /** The channel's appeals with these ticket numbers (unique index on number). */
    async byNumbers(channel: AppealChannel, numbers: readonly string[]): Promise<PublicAppeal[]> {
      const docs = await Appeal.find({ number: { $in: numbers } }, { ...FIELDS, channel: 1 }).lean<AppealDoc[]>();
      return docs.filter((d) => d.channel === channel).map(toPublic);
    },
    /** One of the channel's appeals by its id; null when there is none (or it came another way). */
    async byId(channel: AppealChannel, id: Types.ObjectId): Promise<PublicAppeal | null> {
      const doc = await Appeal.findById(id, { ...FIELDS, channel: 1 }).lean<AppealDoc>();
      return doc && doc.channel === channel ? toPublic(doc) : null;
    },
    /** The channel's appeals, newest filed first (indexes: channel with categoryId and submittedAt). */
    async list(f: ChannelListFilter): Promise<PublicAppeal[]> {
      const filter: Record<string, unknown> = { channel: f.channel };
      if (f.categoryId) filter.categoryId = f.categoryId;
      if (f.from || f.to) filter.submittedAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) };
      if (f.states) filter.state = { $in: f.states };
      const docs = await Appeal.find(filter, FIELDS).sort({ submittedAt: -1 }).limit(f.limit).lean<AppealDoc[]>();
      return docs.map(toPublic);
    },
  };
}
export type ChannelReads = ReturnType<typeof channelReads>;

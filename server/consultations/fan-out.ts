/**
 * An opened consultation is posted in every bound group chat in its scope through the outbox (the
 * bot's pace; bindings' postToBoundRooms: running it again, the sweep after a crash, adds only what
 * is missing).
 */
import type { AppContext } from '../context';
import { postToBoundRooms } from '../bindings';
import { PRIORITY } from '../outbox';
import { chinaLongTime } from '../../common/china-time';
import { consultationModels, type ConsultationDoc } from './model';

export const consultationRef = (id: unknown) => `consultation:${String(id)}`;

/** What the group reads: the question, the options numbered, how to vote, the closing time. */
export function consultationText(c: Pick<ConsultationDoc, 'number' | 'title' | 'description' | 'options' | 'maxChoices' | 'closesAt' | 'regionName'>): string {
  const how = c.maxChoices === 1 ? `回复「投票 序号」投票，例如：投票 1` : `可选${c.maxChoices}项，回复「投票 序号 序号」，例如：投票 1 2`;
  const lines = [`【议事第${c.number}号】${c.title}`, c.description, ...c.options.map((o) => `${o.no}. ${o.text}`), `${how}（多项议事同时进行时写上编号：投票 #${c.number} 1）。每人一票，截止前可改，投票内容保密。`, `截止：${chinaLongTime(c.closesAt)}  ——${c.regionName}`];
  return lines.filter(Boolean).join('\n');
}

export function consultationFanOut(ctx: AppContext) {
  const { Consultation } = consultationModels(ctx.conn);

  return {
    /** Enqueues the missing posts of an open consultation, then marks its fan-out done. Returns how many were new. */
    async run(c: ConsultationDoc): Promise<number> {
      if (c.state !== 'open') return 0;
      const inserted = await postToBoundRooms(ctx, { ref: consultationRef(c._id), regionPaths: c.regionLevel === 'county' ? [] : [c.regionPath], text: consultationText(c), priority: PRIORITY.default });
      await Consultation.updateOne({ _id: c._id }, { $set: { fanOutDone: true } });
      return inserted;
    },
  };
}

/**
 * A published notice reaches every bound group chat in its scope through the outbox: one bot_room
 * record per room, `dedupeKey notice:<id>:<roomId>`, so running the fan-out again (a retried
 * publish, the sweep after a crash) adds only what is missing. Emergencies get the front of the
 * queue (priority 0), which the outbox's claim order honours.
 */
import type { AppContext } from '../context';
import { postToBoundRooms } from '../bindings';
import { outbox, PRIORITY } from '../outbox';
import { appearance } from '../people';
import { noticeModels, type NoticeDoc } from './model';

export const WITHDRAWN_ERROR = '通知已撤回';

export const noticeRef = (id: unknown) => `notice:${String(id)}`;

const PRIORITY_OF: Record<NoticeDoc['level'], number> = { emergency: PRIORITY.emergency, important: PRIORITY.important, normal: PRIORITY.default };
const HEADING_OF: Record<NoticeDoc['level'], string> = { emergency: '【紧急通知】', important: '【重要通知】', normal: '【通知】' };

type Publisher = Pick<NoticeDoc, 'publishedByName' | 'publishedByRole' | 'createdByName'>;

/**
 * The publisher as everyone reads a published notice (the page is the same for all, and a group
 * chat is public): through the one appearance rule, staff by the role they acted in, never by name.
 */
export const publicPublisher = (n: Publisher) =>
  appearance({ name: n.publishedByName ?? n.createdByName, kind: 'staff', role: n.publishedByRole ?? null, self: false }, { staff: false, personal: false, anonymous: false });

/** What the group reads: `【紧急通知】标题`, the body, then `——<regions> <publisher's role>`. */
export function noticeText(n: Pick<NoticeDoc, 'level' | 'title' | 'body' | 'regionNames'> & Publisher): string {
  const signature = [n.regionNames.join('、'), publicPublisher(n)].filter(Boolean).join(' ');
  return `${HEADING_OF[n.level]}${n.title}\n${n.body}\n——${signature}`;
}

export function noticeFanOut(ctx: AppContext) {
  const { Notice } = noticeModels(ctx.conn);
  const box = outbox(ctx);

  /** Marks the notice's deliveries that no bot has taken yet as failed; those being sent finish. */
  function cancelPending(noticeId: unknown): Promise<number> {
    return box.cancelPending(noticeRef(noticeId), WITHDRAWN_ERROR);
  }

  return {
    cancelPending,

    /** Enqueues the missing deliveries of a published notice, then marks its fan-out done. Returns how many were new. */
    async run(notice: NoticeDoc): Promise<number> {
      if (notice.state !== 'published') return 0;
      const inserted = await postToBoundRooms(ctx, { ref: noticeRef(notice._id), regionPaths: notice.regionPaths, text: noticeText(notice), priority: PRIORITY_OF[notice.level] });
      // (No projection: the embedded database's findAndModify has none.) Withdrawn while we were enqueueing: what we just added must not go out either.
      const now = await Notice.findOneAndUpdate({ _id: notice._id }, { $set: { fanOutDone: true }, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<NoticeDoc>();
      if (now && now.state !== 'published') await cancelPending(notice._id);
      return inserted;
    },
  };
}

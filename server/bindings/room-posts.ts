import type { AppContext } from '../context';
import { outbox, type OutboxItemInput } from '../outbox';
import { boundRooms } from './rooms';

/** Records enqueued per insert: a county has hundreds of rooms, not millions. */
const BATCH = 200;

/**
 * Posts one text to every bound group chat in scope (empty paths: the whole county) through the
 * outbox, one `bot_room` record per room with `dedupeKey <ref>:<roomId>`, so running it again (a
 * retried publish, a sweep after a crash) adds only what is missing. Returns how many were new.
 * Notices and consultations go out this way.
 */
export async function postToBoundRooms(ctx: AppContext, post: { ref: string; regionPaths: readonly string[]; text: string; priority: number }): Promise<number> {
  const reached = await boundRooms(ctx).inScope(post.regionPaths);
  const box = outbox(ctx);
  let inserted = 0;
  for (let i = 0; i < reached.length; i += BATCH) {
    const items: OutboxItemInput[] = reached.slice(i, i + BATCH).map((r) => ({
      channel: 'bot_room',
      recipient: r.roomId,
      dedupeKey: `${post.ref}:${r.roomId}`,
      ref: post.ref,
      priority: post.priority,
      payload: { text: post.text, mentionContactIds: [] },
    }));
    inserted += (await box.enqueue(items)).inserted;
  }
  return inserted;
}

import type { Models } from '../models';
import { isDuplicateKeyError } from '../core/errors';
import { chinaDay } from '../../common/china-time';

/**
 * Ticket numbers readable aloud over the phone: county prefix, China-time date, a sequence that
 * restarts each day (DX-20261126-0042). The sequence is one `$inc` on a per-day counter, so two
 * processes never hand out the same number; four digits until the 10 000th appeal of a day.
 */
export async function nextTicketNumber(models: Models, prefix: string, at: Date): Promise<string> {
  const day = chinaDay(at);
  const seq = await bump(models, `appeal:${day}`);
  return `${prefix}-${day}-${String(seq).padStart(4, '0')}`;
}

async function bump(models: Models, key: string): Promise<number> {
  // Two first-of-the-day upserts can race to insert the counter; the loser's insert hits the
  // unique _id and a second try finds the document and increments it.
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await models.Counter.findOneAndUpdate({ _id: key }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
      return doc!.seq;
    } catch (err) {
      if (!isDuplicateKeyError(err) || attempt >= 3) throw err;
    }
  }
}

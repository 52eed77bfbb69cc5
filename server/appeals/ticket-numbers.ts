import type { Connection } from 'mongoose';
import { appealModels } from './model';
import { isDuplicateKeyError } from '../core/errors';
import { chinaDay } from '../../common/china-time';

/**
 * Ticket numbers readable aloud over the phone: county prefix, China-time date, a sequence that
 * restarts each day (DX-20261126-0042). The sequence is one `$inc` on a per-day counter, so two
 * processes never hand out the same number; four digits until the 10 000th appeal of a day.
 */
export async function nextTicketNumber(conn: Connection, prefix: string, at: Date): Promise<string> {
  const day = chinaDay(at);
  const seq = await bump(conn, counterKey(day), 1);
  return `${prefix}-${day}-${String(seq).padStart(4, '0')}`;
}

const counterKey = (day: string) => `appeal:${day}`;

/**
 * Reserves `n` numbers of a China-time day (YYYYMMDD) at once, as filing takes them (the demo seed
 * numbers its appeals so); returns the first reserved sequence number.
 */
export async function reserveTicketNumbers(conn: Connection, day: string, n: number): Promise<number> {
  return (await bump(conn, counterKey(day), n)) - n + 1;
}

/** Starts a day's counter at `seq` (a fresh database, e.g. the seed's sandbox): the next number is seq + 1. */
export async function startTicketCounter(conn: Connection, day: string, seq: number): Promise<void> {
  await appealModels(conn).Counter.create({ _id: counterKey(day), seq });
}

async function bump(conn: Connection, key: string, n: number): Promise<number> {
  // Two first-of-the-day upserts can race to insert the counter; the loser's insert hits the
  // unique _id and a second try finds the document and increments it.
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await appealModels(conn).Counter.findOneAndUpdate({ _id: key }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean();
      return doc!.seq;
    } catch (err) {
      if (!isDuplicateKeyError(err) || attempt >= 3) throw err;
    }
  }
}

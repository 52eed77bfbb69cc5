import type { Connection } from 'mongoose';
import { appealModels } from './model';
import { isDuplicateKeyError } from '../core/errors';
import { chinaDay } from '../../common/china-time';
import { batchedWrites } from '../core/batched-writes';

/**
 * Ticket numbers readable aloud over the phone: county prefix, China-time date, a sequence that
 * restarts each day (DX-20261126-0042). The sequence is one `$inc` on a per-day counter, so two
 * processes never hand out the same number; four digits until the 10 000th appeal of a day.
 *
 * Filings of one process that ask for a day's number while that day's `$inc` is on its way wait
 * for the next one, which reserves as many numbers as they are and hands them out in the order
 * they asked: under load one write numbers several appeals, and a filing alone is not delayed.
 * Only filings already waiting are counted in, so a process holds no numbers in reserve: a number
 * goes unused only when its filing fails after taking it, as with one `$inc` per filing, or when
 * its process ends holding one given back (giveBackTicketNumber).
 */
export async function nextTicketNumber(conn: Connection, prefix: string, at: Date): Promise<string> {
  const day = chinaDay(at);
  const seq = spareOf(conn, counterKey(day)) ?? (await take(conn, counterKey(day)));
  return `${prefix}-${day}-${String(seq).padStart(4, '0')}`;
}

/**
 * Numbers taken by filings that turned out to be retries (their insert met the first appeal's
 * key), per connection and day counter, smallest first: the next filing of that day in this
 * process gets one before a new `$inc`, so a retry leaves no gap in the day's numbers. Only the
 * latest day's are kept.
 */
const spares = new WeakMap<Connection, { key: string; seqs: number[] }>();

function spareOf(conn: Connection, key: string): number | undefined {
  const s = spares.get(conn);
  return s?.key === key ? s.seqs.shift() : undefined;
}

/** Hands back a number no appeal was stored with (`nextTicketNumber`'s form), for the next filing of its day. */
export function giveBackTicketNumber(conn: Connection, number: string): void {
  const m = /-(\d{8})-(\d+)$/.exec(number);
  if (!m) return;
  const key = counterKey(m[1]);
  const s = spares.get(conn);
  if (!s || s.key < key) spares.set(conn, { key, seqs: [Number(m[2])] });
  else if (s.key === key) s.seqs = [...s.seqs, Number(m[2])].sort((a, b) => a - b);
}

/**
 * Per connection (a process may hold several, tests do): the current day's counter and its
 * batched `$inc` (core/batched-writes.ts: one for all filings waiting while one is on its way).
 * A new day replaces it: nothing kept for yesterday.
 */
const counters = new WeakMap<Connection, { key: string; take: (items: readonly null[]) => Promise<{ result: { last: number; n: number }; at: number }> }>();

async function take(conn: Connection, key: string): Promise<number> {
  let c = counters.get(conn);
  if (c?.key !== key) {
    c = { key, take: batchedWrites(async (waiting: null[]) => ({ last: await bump(conn, key, waiting.length), n: waiting.length })) };
    counters.set(conn, c);
  }
  // The batch's numbers are last - n + 1 … last, handed out in the order the filings asked.
  const { result, at } = await c.take([null]);
  return result.last - result.n + 1 + at;
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

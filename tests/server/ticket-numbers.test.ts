/**
 * Ticket numbers under load (server/appeals/ticket-numbers.ts): filings of one process that wait
 * for a day's number together take them from one `$inc`, and two processes never hand out the same
 * number nor skip one.
 */
import mongoose, { type Connection } from 'mongoose';
import { withDbName } from '../../server/db/embedded';
import { createModels, syncIndexes } from '../../server/models';
import { appealModels } from '../../server/appeals/model';
import { nextTicketNumber } from '../../server/appeals/ticket-numbers';
import { startTestDb, type TestDb } from '../helpers/db';

let db: TestDb;
let conns: Connection[] = [];

beforeAll(async () => {
  db = await startTestDb();
  // Two connections stand for two server processes sharing one database.
  conns = await Promise.all([0, 1].map(() => mongoose.createConnection(withDbName(db.uri, 'tickets'), { autoIndex: false }).asPromise()));
  await syncIndexes(createModels(conns[0]));
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await db?.stop();
});

const at = new Date('2026-11-26T02:00:00.000Z'); // 10:00 on 26 November in China
const seqOf = (n: string) => Number(n.split('-')[2]);

it('numbers 60 concurrent filings of two processes 1 to 60, each once, in fewer writes than filings', async () => {
  // Catches a batch handing out a range that is not the one its $inc reserved (an off-by-one
  // repeats or skips numbers across batches and processes), and a queue that never batches.
  const writes = conns.map((c) => jest.spyOn(appealModels(c).Counter, 'findOneAndUpdate'));
  const numbers = await Promise.all(Array.from({ length: 60 }, (_, i) => nextTicketNumber(conns[i % 2], 'DX', at)));
  expect(numbers.every((n) => /^DX-20261126-\d{4}$/.test(n))).toBe(true);
  expect(numbers.map(seqOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  const total = writes.reduce((sum, w) => sum + w.mock.calls.length, 0);
  expect(total).toBeLessThan(60);
  writes.forEach((w) => w.mockRestore());
});

it('a filing alone takes the next number at once, and the next day starts at 0001', async () => {
  // Catches a queue left behind by a finished batch (a later filing would wait for nothing) and
  // numbers carried over from another day's counter.
  expect(await nextTicketNumber(conns[0], 'DX', at)).toBe('DX-20261126-0061');
  expect(await nextTicketNumber(conns[1], 'DX', at)).toBe('DX-20261126-0062');
  expect(await nextTicketNumber(conns[0], 'DX', new Date('2026-11-26T16:00:00.000Z'))).toBe('DX-20261127-0001');
});

/**
 * Coalesced reads (server/core/cache/fresh-read.ts): concurrent callers share a read, but never one
 * that started before they called, so a write finished before a call is always in its answer.
 * Pure: reads are functions the test resolves by hand.
 */
import { freshRead, freshReadByKey } from '../../server/core/cache/fresh-read';

/** A read the test finishes when it likes, recording what each started read will answer. */
function manualReads() {
  const started: Array<{ key: string; resolve: (v: string) => void }> = [];
  const read = (key = '') => new Promise<string>((resolve) => started.push({ key, resolve }));
  return { started, read };
}

test('callers who arrive while a read is in flight share the next read, not the one in flight', async () => {
  // Catches a caller handed the answer of a read that started before it called (a stale read: a
  // vote finished just before the request would be missing from the results).
  const { started, read } = manualReads();
  const get = freshRead(() => read());
  const first = get();
  const second = get();
  const third = get();
  expect(started).toHaveLength(1);
  started[0].resolve('before');
  expect((await first).value).toBe('before');
  await Promise.resolve();
  expect(started).toHaveLength(2);
  started[1].resolve('after');
  const [b, c] = await Promise.all([second, third]);
  expect([b.value, c.value]).toEqual(['after', 'after']);
  expect(b.seq).toBe(2);
});

test('by key: one key’s readers coalesce, another key reads on its own, and the remembered keys stay bounded', async () => {
  // Catches one consultation answered with another's document (a shared reader across keys), and a
  // map of readers that grows with every id ever asked.
  const { started, read } = manualReads();
  const get = freshReadByKey(read, 2);
  const a1 = get('a');
  const b1 = get('b');
  expect(started.map((s) => s.key)).toEqual(['a', 'b']);
  started[0].resolve('A');
  started[1].resolve('B');
  expect([await a1, await b1]).toEqual(['A', 'B']);
  // Both idle now: a new call on 'a' reads again (nothing is cached beyond a read in flight).
  const a2 = get('a');
  const a3 = get('a');
  expect(started.map((s) => s.key)).toEqual(['a', 'b', 'a']);
  started[2].resolve('A2');
  expect(await a2).toBe('A2');
  await Promise.resolve();
  started[3].resolve('A3');
  expect(await a3).toBe('A3');
  // Bounded: with 'b' in flight, two more keys push it out (max 2), so a new call on 'b' starts a
  // read of its own at once instead of queueing behind the one in flight.
  const bInFlight = get('b');
  const c = get('c');
  const a4 = get('a');
  expect(started.slice(4).map((s) => s.key)).toEqual(['b', 'c', 'a']);
  const bAgain = get('b');
  expect(started.slice(4).map((s) => s.key)).toEqual(['b', 'c', 'a', 'b']);
  for (const [i, v] of ['B2', 'C', 'A4', 'B3'].entries()) started[4 + i].resolve(v);
  expect(await Promise.all([bInFlight, c, a4, bAgain])).toEqual(['B2', 'C', 'A4', 'B3']);
});

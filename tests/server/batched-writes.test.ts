/**
 * batchedWrites (core/batched-writes.ts): calls made while a write is in flight go together in
 * the next one, each told where its items start.
 */
import { batchedWrites } from '../../server/core/batched-writes';

it('calls made while a write is in flight share the next write; a call alone goes at once', async () => {
  // Catches one command per call under load (no batching), a caller handed another's part of the
  // answer (a wrong `at`), and items of a call lost between two writes.
  const sent: string[][] = [];
  let finishFirst!: () => void;
  const firstHeld = new Promise<void>((r) => (finishFirst = r));
  const write = batchedWrites(async (items: string[]) => {
    sent.push(items);
    if (sent.length === 1) await firstHeld;
    return items.map((i) => i.toUpperCase());
  });
  const a = write(['a']);
  // In flight now: these wait for the next write, together.
  const b = write(['b1', 'b2']);
  const c = write(['c']);
  expect(sent).toEqual([['a']]);
  finishFirst();
  const [ra, rb, rc] = await Promise.all([a, b, c]);
  expect(sent).toEqual([['a'], ['b1', 'b2', 'c']]);
  expect(ra).toEqual({ result: ['A'], at: 0 });
  expect(rb.result.slice(rb.at, rb.at + 2)).toEqual(['B1', 'B2']);
  expect(rc.result.slice(rc.at, rc.at + 1)).toEqual(['C']);
  // Nothing in flight: the next call goes alone, at once.
  expect(await write(['d'])).toEqual({ result: ['D'], at: 0 });
  expect(sent).toHaveLength(3);
});

it('a failed write fails its callers only; the queued write still goes', async () => {
  // Catches a failure that poisons the calls queued behind it (they never wrote).
  let fail = true;
  let finishFirst!: () => void;
  const firstHeld = new Promise<void>((r) => (finishFirst = r));
  const write = batchedWrites(async (items: number[]) => {
    if (fail) {
      fail = false;
      await firstHeld;
      throw new Error('database away');
    }
    return items.length;
  });
  const first = write([1]);
  const second = write([2, 3]);
  finishFirst();
  await expect(first).rejects.toThrow('database away');
  await expect(second).resolves.toEqual({ result: 2, at: 0 });
});

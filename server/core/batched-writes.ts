/**
 * Joins concurrent calls of one write into one command: a call made while a write is in flight
 * waits for the next one, which takes every item queued meanwhile. So at most one write is in
 * flight and one queued, whatever the load, and a call alone goes at once. Each caller gets the
 * write's result and where its items start in the batch (`at`), to pick its part of an answer
 * given per item. (freshRead in cache/fresh-read.ts does the same for reads.)
 */
export function batchedWrites<T, R>(write: (items: T[]) => Promise<R>): (items: readonly T[]) => Promise<{ result: R; at: number }> {
  let inFlight: Promise<R> | undefined;
  let queued: { items: T[]; done: Promise<R> } | undefined;
  const send = (items: T[]): Promise<R> => {
    const p = write(items);
    inFlight = p;
    const clear = () => {
      if (inFlight === p) inFlight = undefined;
    };
    p.then(clear, clear);
    return p;
  };
  return async (items) => {
    if (!inFlight) return { result: await send([...items]), at: 0 };
    if (!queued) {
      const batch: { items: T[]; done: Promise<R> } = { items: [], done: Promise.resolve(undefined as R) };
      const next = () => {
        queued = undefined;
        return send(batch.items);
      };
      batch.done = inFlight.then(next, next);
      queued = batch;
    }
    const at = queued.items.length;
    queued.items.push(...items);
    return { result: await queued.done, at };
  };
}

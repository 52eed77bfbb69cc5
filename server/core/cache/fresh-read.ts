/**
 * Coalesce concurrent calls of `read` without ever handing a caller a result that was read
 * before the caller arrived: a caller joins a read only if it has not started yet. While one read
 * is in flight, every new caller waits for the next one, which starts when the current one ends.
 * So at most one read is in flight and at most one is queued, whatever the load, and a caller
 * still sees every write that finished before it called (read-your-writes across processes).
 * Each result carries `seq`, the order in which its read started.
 */
export function freshRead<T>(read: () => Promise<T>): () => Promise<{ value: T; seq: number }> {
  let started = 0;
  let current: Promise<{ value: T; seq: number }> | undefined;
  let queued: Promise<{ value: T; seq: number }> | undefined;

  const start = () => {
    const seq = ++started;
    const p = read().then((value) => ({ value, seq }));
    current = p;
    const clear = () => {
      if (current === p) current = undefined;
    };
    p.then(clear, clear);
    return p;
  };

  return () => {
    if (queued) return queued;
    if (!current) return start();
    const ahead = current;
    const settled = () => {
      queued = undefined;
      return start();
    };
    queued = ahead.then(settled, settled);
    return queued;
  };
}

/**
 * `freshRead` per key (one record's reads coalesced apart from another's): at most `max` keys are
 * remembered, the least recently asked dropped first (a dropped key only loses its coalescing).
 * The value is shared by the callers of one read: treat it as read-only.
 */
export function freshReadByKey<T>(read: (key: string) => Promise<T>, max = 1000): (key: string) => Promise<T> {
  const readers = new Map<string, () => Promise<{ value: T; seq: number }>>();
  return async (key) => {
    let reader = readers.get(key);
    if (reader) readers.delete(key);
    else reader = freshRead(() => read(key));
    readers.set(key, reader);
    if (readers.size > max) readers.delete(readers.keys().next().value!);
    return (await reader()).value;
  };
}

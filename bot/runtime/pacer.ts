/**
 * Paces everything the bot says, per bot account: at most one message every `minIntervalMs` and
 * at most `perMinute` in any 60 s. WeChat restricts accounts that post in bursts (to many rooms,
 * or a flood of answers in one), so the gaps are measured from the end of one send to the start
 * of the next, and every send of the account goes through the one pacer createBot makes:
 * outbox deliveries (notices, digests) and the plugins' answers alike.
 *
 * Sends go one at a time. Answers to people (`reply`) go before bulk deliveries (`bulk`) waiting
 * at the same time, never faster than the pace; within a priority, first come first served.
 *
 * Time is injected (`now`, `delay`) so the rule is tested with a hand-driven clock.
 */

export interface PacerOptions {
  /** Default 3000. */
  minIntervalMs?: number;
  /** Default 15. */
  perMinute?: number;
  now?: () => number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** `reply`: an answer to someone who just spoke; `bulk`: a broadcast from the outbox. */
export type SendPriority = 'reply' | 'bulk';

export interface Pacer {
  /**
   * Waits for its turn and a free slot, then runs `send`; the slot counts from when `send`
   * settles. An abort while waiting rejects with the signal's reason and sends nothing.
   */
  run<T>(send: () => Promise<T>, signal: AbortSignal, priority?: SendPriority): Promise<T>;
  /** How long until the next send may start by the pace alone (0: now). */
  waitMs(): number;
  /** True when no send is running or waiting. */
  idle(): boolean;
  readonly minIntervalMs: number;
  readonly perMinute: number;
}

const WINDOW_MS = 60_000;

export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface Waiter {
  rank: number;
  seq: number;
}

export function createPacer(options: PacerOptions = {}): Pacer {
  const minIntervalMs = options.minIntervalMs ?? 3000;
  const perMinute = options.perMinute ?? 15;
  if (!(minIntervalMs >= 0)) throw new Error('createPacer: minIntervalMs must be >= 0');
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error('createPacer: perMinute must be a whole number >= 1');
  const now = options.now ?? Date.now;
  const delay = options.delay ?? abortableDelay;
  /** When recent sends finished, oldest first; only the last `perMinute` matter. */
  const sent: number[] = [];
  const waiting: Waiter[] = [];
  let sending = false;
  let seq = 0;
  /** Waiters parked until the queue changes (a send ends, someone joins or leaves). */
  let parked: Array<() => void> = [];

  function waitMs(): number {
    const t = now();
    while (sent.length > 0 && sent[0]! <= t - WINDOW_MS) sent.shift();
    let until = 0;
    if (sent.length > 0) until = sent[sent.length - 1]! + minIntervalMs;
    if (sent.length >= perMinute) until = Math.max(until, sent[sent.length - perMinute]! + WINDOW_MS);
    return Math.max(0, until - t);
  }

  const first = (): Waiter | undefined => waiting.reduce<Waiter | undefined>((best, w) => (!best || w.rank < best.rank || (w.rank === best.rank && w.seq < best.seq) ? w : best), undefined);

  function changed(): void {
    const wake = parked;
    parked = [];
    for (const resume of wake) resume();
  }

  /** Resolves at the next change of the queue, or when `signal` aborts. */
  function nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      parked.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  return {
    waitMs,
    idle: () => !sending && waiting.length === 0,
    minIntervalMs,
    perMinute,
    async run(send, signal, priority = 'bulk') {
      signal.throwIfAborted();
      const me: Waiter = { rank: priority === 'reply' ? 0 : 1, seq: seq++ };
      waiting.push(me);
      changed();
      try {
        for (;;) {
          signal.throwIfAborted();
          if (!sending && first() === me) {
            const wait = waitMs();
            if (wait === 0) break;
            // Re-check after the wait: someone may have come first, or the clock moved otherwise.
            await delay(wait, signal);
          } else {
            await nextChange(signal);
          }
        }
      } catch (err) {
        waiting.splice(waiting.indexOf(me), 1);
        changed();
        throw err;
      }
      waiting.splice(waiting.indexOf(me), 1);
      sending = true;
      try {
        return await send();
      } finally {
        sent.push(now());
        if (sent.length > perMinute) sent.splice(0, sent.length - perMinute);
        sending = false;
        changed();
      }
    },
  };
}

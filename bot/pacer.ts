/**
 * Paces the bot's own outgoing broadcasts (outbox deliveries): at most one message every
 * `minIntervalMs` and at most `perMinute` in any 60 s, per bot account. WeChat restricts
 * accounts that post to many rooms in a burst (../shared/TOOLCHAIN.md, "WeChat itself limits
 * bots"), so the gaps are measured from the end of one send to the start of the next.
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

export interface Pacer {
  /** Waits for a free slot, then runs `send`; the slot counts from when `send` settles. */
  run<T>(send: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /** How long until the next send may start (0: now). */
  waitMs(): number;
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

export function createPacer(options: PacerOptions = {}): Pacer {
  const minIntervalMs = options.minIntervalMs ?? 3000;
  const perMinute = options.perMinute ?? 15;
  if (!(minIntervalMs >= 0)) throw new Error('createPacer: minIntervalMs must be >= 0');
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error('createPacer: perMinute must be a whole number >= 1');
  const now = options.now ?? Date.now;
  const delay = options.delay ?? abortableDelay;
  /** When recent sends finished, oldest first; only the last `perMinute` matter. */
  const sent: number[] = [];

  function waitMs(): number {
    const t = now();
    while (sent.length > 0 && sent[0]! <= t - WINDOW_MS) sent.shift();
    let until = 0;
    if (sent.length > 0) until = sent[sent.length - 1]! + minIntervalMs;
    if (sent.length >= perMinute) until = Math.max(until, sent[sent.length - perMinute]! + WINDOW_MS);
    return Math.max(0, until - t);
  }

  return {
    waitMs,
    async run(send, signal) {
      // Re-check after each wait: the clock may have moved differently from what was asked.
      for (let wait = waitMs(); wait > 0; wait = waitMs()) await delay(wait, signal);
      signal.throwIfAborted();
      try {
        return await send();
      } finally {
        sent.push(now());
        if (sent.length > perMinute) sent.splice(0, sent.length - perMinute);
      }
    },
  };
}

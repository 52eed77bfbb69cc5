/**
 * `npm start` keeps the bot running (scripts/supervise.ts): a bot that stops is started again
 * with backoff, the backoff starts over after a minute of running, and stop() ends it for good.
 * Driven by a fake clock and fake children: no process is started and nothing waits.
 */
import { EventEmitter } from 'node:events';
import { restartDelayMs, superviseChild, type SupervisedChild, type SupervisorClock } from '../../scripts/supervise';

/** A clock whose time moves only when the test says so; timers fire as it passes them. */
function fakeClock() {
  let now = Date.UTC(2026, 11, 1, 2, 0, 0);
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: SupervisorClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  return {
    clock,
    /** The delays of the timers pending now, from the current time. */
    pending: () => [...timers.values()].map((t) => t.at - now),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly signals: string[] = [];
  constructor(readonly pid: number) {
    super();
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || !this.ignoresTerm) this.exit(null, signal);
    return true;
  }
  ignoresTerm = false;
  exit(code: number | null, signal: NodeJS.Signals | null = null) {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

function setup() {
  const time = fakeClock();
  const children: FakeChild[] = [];
  const logs: string[] = [];
  const sup = superviseChild({
    name: 'The bot',
    start: () => {
      const c = new FakeChild(1000 + children.length);
      children.push(c);
      return c as unknown as SupervisedChild;
    },
    log: (line) => logs.push(line),
    clock: time.clock,
  });
  return { time, children, logs, sup, last: () => children[children.length - 1] };
}

// Catches: a bot that stops stays stopped under npm start ("restart with npm start").
it('starts a stopped bot again after 1 s, 2 s, 4 s … capped at 60 s, and logs each restart', async () => {
  const { time, children, logs, sup, last } = setup();
  expect(children).toHaveLength(1);
  const waits: number[] = [];
  for (let i = 0; i < 9; i++) {
    last().exit(1);
    expect(time.pending()).toHaveLength(1);
    waits.push(time.pending()[0]);
    // Not before its time: one millisecond short, still no new child.
    time.advance(waits[i] - 1);
    expect(children).toHaveLength(i + 1);
    time.advance(1);
    expect(children).toHaveLength(i + 2);
  }
  expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  expect(sup.restarts).toBe(9);
  expect(logs[0]).toBe('The bot stopped (exit code 1); starting it again in 1 s (restart 1).');
  expect(logs[8]).toContain('in 60 s (restart 9)');
  await sup.stop();
});

// Catches: a bot that crashes once a day waiting a whole minute forever after its first bad hour.
it('starts over from 1 s after the bot ran for a minute', async () => {
  const { time, last, sup } = setup();
  last().exit(1);
  time.advance(1000);
  last().exit(1, null);
  expect(time.pending()).toEqual([2000]);
  time.advance(2000);
  // This one runs a minute, then dies by a signal.
  time.advance(60_000);
  last().exit(null, 'SIGSEGV');
  expect(time.pending()).toEqual([1000]);
  await sup.stop();
});

// Catches: Ctrl-C during a backoff that starts the bot again behind the stopping platform, or a
// stop that leaves a bot ignoring SIGTERM running.
it('stop() cancels a pending restart, and kills a child that ignores SIGTERM after the grace', async () => {
  const first = setup();
  first.last().exit(1);
  await first.sup.stop();
  first.time.advance(120_000);
  expect(first.children).toHaveLength(1);
  expect(first.time.pending()).toEqual([]);

  const second = setup();
  const child = second.last();
  child.ignoresTerm = true;
  const stopped = second.sup.stop();
  expect(child.signals).toEqual(['SIGTERM']);
  second.time.advance(5000);
  await stopped;
  expect(child.signals).toEqual(['SIGTERM', 'SIGKILL']);
  // The exit that stop() caused is no reason to start another.
  expect(second.time.pending()).toEqual([]);
  expect(second.children).toHaveLength(1);
  expect(second.sup.current).toBeUndefined();
});

it('restartDelayMs doubles from 1 s and is capped at 60 s', () => {
  // Catches: a backoff that overflows or exceeds the documented cap.
  expect([0, 1, 2, 5, 6, 50].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 32000, 60000, 60000]);
});

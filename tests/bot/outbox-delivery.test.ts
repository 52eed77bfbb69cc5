/**
 * The pacer alone, on a hand-driven clock: every wait it asks for moves the clock by exactly that
 * much, so the send times below are the ones the rule allows, with no real time passing.
 */
import { createPacer } from '../../bot/pacer';

function handClock() {
  let t = 1_000_000;
  const waits: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    waits,
    delay: async (ms: number, signal: AbortSignal) => {
      signal.throwIfAborted();
      waits.push(ms);
      t += ms;
    },
  };
}

describe('pacer', () => {
  // Catches: a burst to many rooms (WeChat restricts accounts that post to 100+ rooms at once).
  test('spaces sends by minIntervalMs, measured from the end of one send to the start of the next', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 3000, perMinute: 100, now: clock.now, delay: clock.delay });
    const starts: number[] = [];
    const signal = new AbortController().signal;
    for (let i = 0; i < 4; i++) {
      await pacer.run(async () => {
        starts.push(clock.now());
        clock.advance(500); // the send itself takes half a second
      }, signal);
    }
    expect(starts.map((s) => s - starts[0]!)).toEqual([0, 3500, 7000, 10500]);
    expect(clock.waits).toEqual([3000, 3000, 3000]);
  });

  // Catches: a per-minute cap that is never enforced because the interval alone looks fine.
  test('holds the 16th send of a minute until the first one is a minute old', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 1000, perMinute: 15, now: clock.now, delay: clock.delay });
    const ends: number[] = [];
    const signal = new AbortController().signal;
    for (let i = 0; i < 17; i++) await pacer.run(async () => void ends.push(clock.now()), signal);
    const t0 = ends[0]!;
    // 15 sends one second apart, then the 16th waits for the first to leave the 60 s window,
    // and the 17th for the second.
    expect(ends.slice(0, 15).map((e) => e - t0)).toEqual(Array.from({ length: 15 }, (_, i) => i * 1000));
    expect(ends[15]! - t0).toBe(60_000);
    expect(ends[16]! - t0).toBe(61_000);
    for (let i = 15; i < ends.length; i++) {
      expect(ends.filter((e) => e > ends[i]! - 60_000 && e <= ends[i]!).length).toBeLessThanOrEqual(15);
    }
  });

  // Catches: a failed send that does not count, letting retries burst.
  test('a failed send still uses its slot', async () => {
    const clock = handClock();
    const pacer = createPacer({ minIntervalMs: 2000, perMinute: 15, now: clock.now, delay: clock.delay });
    const signal = new AbortController().signal;
    await expect(pacer.run(async () => Promise.reject(new Error('puppet refused')), signal)).rejects.toThrow('puppet refused');
    expect(pacer.waitMs()).toBe(2000);
  });

  // Catches: a stop that waits out the pacer, or sends after it.
  test('an abort while waiting for a slot rejects without sending', async () => {
    const pacer = createPacer({ minIntervalMs: 60_000, perMinute: 15 });
    const controller = new AbortController();
    let sends = 0;
    await pacer.run(async () => void sends++, controller.signal);
    const waiting = pacer.run(async () => void sends++, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(sends).toBe(1);
  });

  test('refuses settings that cannot pace', () => {
    expect(() => createPacer({ perMinute: 0 })).toThrow(/perMinute/);
    expect(() => createPacer({ minIntervalMs: -1 })).toThrow(/minIntervalMs/);
  });
});

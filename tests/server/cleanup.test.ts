/**
 * The cleanup job (server/maintenance/cleanup.ts), called directly: FerretDB has no TTL indexes,
 * so without it spent binding codes, stale sessions and ended rate windows pile up forever.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Types } from 'mongoose';
import { runCleanup, startCleanupJob } from '../../server/maintenance/cleanup';
import { startSecondServer, startTestServer, type TestServer } from '../helpers/server';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let s: TestServer;
beforeAll(async () => {
  // The server's own cleanup job would run at start and could take the test's files first.
  s = await startTestServer({ seed: false, backgroundJobs: false });
});
afterAll(() => s?.stop());

const ago = (ms: number) => new Date(s.ctx.now().getTime() - ms);
const ahead = (ms: number) => new Date(s.ctx.now().getTime() + ms);
const ids = async (model: { find(f: object): { lean(): Promise<Array<{ _id: unknown }>> } }) => (await model.find({}).lean()).map((d) => String(d._id)).sort();

async function seedRecords() {
  const { BindingCode, Session, RateWindow, Outbox } = s.models;
  await Promise.all([BindingCode.deleteMany({}), Session.deleteMany({}), RateWindow.deleteMany({}), Outbox.deleteMany({})]);
  const user = new Types.ObjectId();
  const code = (name: string, fields: object) => ({ _id: new Types.ObjectId(), code: name, type: 'contact', createdBy: user, ...fields });
  const codes = {
    live: code('10000001', { expiresAt: ahead(HOUR) }),
    justExpired: code('10000002', { expiresAt: ago(HOUR) }),
    longExpired: code('10000003', { expiresAt: ago(DAY + HOUR) }),
    usedLongAgo: code('10000004', { expiresAt: ago(2 * DAY), usedAt: ago(2 * DAY + HOUR), usedFor: 'c' }),
    cancelledLongAgo: code('10000005', { expiresAt: ago(3 * DAY), cancelledAt: ago(3 * DAY + HOUR) }),
  };
  await BindingCode.insertMany(Object.values(codes));
  const session = (n: number, fields: object) => ({ _id: new Types.ObjectId(), userId: user, tokenHash: `hash-${n}`, ...fields });
  const sessions = {
    live: session(1, { expiresAt: ahead(DAY) }),
    expired: session(2, { expiresAt: ago(1000) }),
    revokedJustNow: session(3, { expiresAt: ahead(DAY), revokedAt: ago(HOUR) }),
    revokedLongAgo: session(4, { expiresAt: ahead(DAY), revokedAt: ago(DAY + HOUR) }),
  };
  await Session.insertMany(Object.values(sessions));
  await RateWindow.insertMany([
    { _id: 'k|ended', count: 3, expiresAt: ago(1000) },
    { _id: 'k|current', count: 1, expiresAt: ahead(60_000) },
  ]);
  const message = (key: string, state: string, sentAt: Date | null) => ({ dedupeKey: key, channel: 'bot_room', recipient: 'r@chatroom', payload: { text: 'x', mentionContactIds: [] }, priority: 5, attempts: 1, nextAttemptAt: ago(40 * DAY), state, sentAt });
  await Outbox.insertMany([
    message('sent-long-ago', 'sent', ago(31 * DAY)),
    message('sent-recently', 'sent', ago(29 * DAY)),
    message('failed-long-ago', 'failed', null),
    message('pending', 'pending', null),
  ]);
  return { codes, sessions };
}

describe('runCleanup', () => {
  // Catches: upload temp files left by a crashed process piling up in the data folder forever.
  it('removes photo upload temp files a day old and keeps fresh ones', async () => {
    const tmp = path.join(s.ctx.config.dataDir, 'photos', 'tmp');
    await fs.mkdir(tmp, { recursive: true });
    const old = path.join(tmp, 'upload-old');
    const fresh = path.join(tmp, 'upload-fresh');
    await fs.writeFile(old, 'x');
    await fs.writeFile(fresh, 'x');
    const longAgo = ago(DAY + HOUR);
    await fs.utimes(old, longAgo, longAgo);
    expect((await runCleanup(s.ctx)).photoTempFiles).toBe(1);
    expect((await fs.readdir(tmp)).sort()).toEqual(['upload-fresh']);
  });

  // Catches: expired/used/cancelled codes, expired or long-revoked sessions and ended windows
  // that stay forever, or live ones deleted too early.
  it('deletes spent codes a day after expiry, expired and long-revoked sessions, ended rate windows; keeps the rest', async () => {
    const { codes, sessions } = await seedRecords();
    expect(await runCleanup(s.ctx)).toEqual({ bindingCodes: 3, sessions: 2, rateWindows: 1, outbox: 1, photoTempFiles: 0, photoOrphans: 0 });
    expect(await ids(s.models.BindingCode)).toEqual([codes.live._id, codes.justExpired._id].map(String).sort());
    expect(await ids(s.models.Session)).toEqual([sessions.live._id, sessions.revokedJustNow._id].map(String).sort());
    expect(await ids(s.models.RateWindow)).toEqual(['k|current']);
    expect((await s.models.Outbox.find({}).lean()).map((m) => m.dedupeKey).sort()).toEqual(['failed-long-ago', 'pending', 'sent-recently']);
    // Nothing left to do: a second run deletes nothing.
    expect(await runCleanup(s.ctx)).toEqual({ bindingCodes: 0, sessions: 0, rateWindows: 0, outbox: 0, photoTempFiles: 0, photoOrphans: 0 });
  });

  // Catches: a cleanup that fails or deletes twice when two server processes run it at once.
  it('is safe when two processes run it at the same moment', async () => {
    await seedRecords();
    const runs = [runCleanup(s.ctx), runCleanup(s.ctx)];
    const results = await Promise.all(runs);
    const total = (k: 'bindingCodes' | 'sessions' | 'rateWindows' | 'outbox') => results[0]![k] + results[1]![k];
    expect({ bindingCodes: total('bindingCodes'), sessions: total('sessions'), rateWindows: total('rateWindows'), outbox: total('outbox') }).toEqual({ bindingCodes: 3, sessions: 2, rateWindows: 1, outbox: 1 });
    expect(await s.models.BindingCode.countDocuments()).toBe(2);
    expect(await s.models.Session.countDocuments()).toBe(2);
    expect(await s.models.RateWindow.countDocuments()).toBe(1);
  });
});

describe('startCleanupJob', () => {
  const until = async (what: string, cond: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  const windows = () => s.models.RateWindow.countDocuments();

  /** A timer driven by hand: `fire()` runs what is due, as the real timer would. */
  function manualSchedule() {
    const pending: { run: () => void; ms: number; cancelled: boolean }[] = [];
    return {
      schedule: (run: () => void, ms: number) => {
        const entry = { run, ms, cancelled: false };
        pending.push(entry);
        return { cancel: () => void (entry.cancelled = true) };
      },
      /** Live timers, with their delays. */
      armed: () => pending.filter((p) => !p.cancelled).map((p) => p.ms),
      fire() {
        const due = pending.splice(0).filter((p) => !p.cancelled);
        due.forEach((p) => p.run());
        return due.length;
      },
    };
  }

  // Catches: a job that never runs, runs only once, or keeps running after stop().
  it('runs at start and on each interval, and not after stop()', async () => {
    await seedRecords();
    const timer = manualSchedule();
    const job = startCleanupJob(s.ctx, { intervalMs: 60_000, schedule: timer.schedule });
    expect(timer.armed()).toEqual([0]);
    expect(timer.fire()).toBe(1);
    await until('the first run', async () => (await windows()) === 1);
    await until('the next interval to be armed', async () => timer.armed().length === 1);
    expect(timer.armed()).toEqual([60_000]);

    await s.models.RateWindow.create({ _id: 'k|ended-2', count: 1, expiresAt: ago(1000) });
    expect(timer.fire()).toBe(1);
    await until('the run after one interval', async () => (await windows()) === 1);
    await until('the next interval to be armed', async () => timer.armed().length === 1);

    await job.stop();
    expect(timer.armed()).toEqual([]); // stop() cancelled the armed timer: nothing can run again
    await s.models.RateWindow.create({ _id: 'k|ended-3', count: 1, expiresAt: ago(1000) });
    expect(timer.fire()).toBe(0);
    expect(await windows()).toBe(2);
    expect(await s.models.BindingCode.countDocuments()).toBe(2);
  });

  it('refuses a bad interval', () => {
    expect(() => startCleanupJob(s.ctx, { intervalMs: 0 })).toThrow(/intervalMs/);
  });
});

describe('the server', () => {
  // Catches a job that exists but is never started by startServer (nothing would ever be removed).
  it('starts the job with itself and stops it on close', async () => {
    const { RateWindow } = s.models;
    await RateWindow.deleteMany({});
    await RateWindow.create({ _id: 'test:ended|0', count: 1, expiresAt: ago(HOUR) });
    const other = await startSecondServer(s);
    try {
      const deadline = Date.now() + 10_000;
      while ((await RateWindow.countDocuments({ _id: 'test:ended|0' })) > 0) {
        if (Date.now() > deadline) throw new Error('the server did not run the cleanup job within 10 s of starting');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await other.close();
    }
  });
});

/**
 * Shared pieces of the appeals suites: a test server on a clock the test moves (the deadline
 * scheduler runs only when the test calls it), filing an appeal over HTTP, uploading a photo the
 * way wx.uploadFile does, and the ids of the demo county's regions, categories and departments.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { AppealDoc } from '../../server/appeals/model';
import { identityKey } from '../../server/users/model';
import { startSecondServer, startTestServer, TEST_BOT_TOKEN, type TestServer } from './server';
import type { RunningServer } from '../../server/server';
import { appealLimits } from '../../server/appeals/limits';
import { rateLimiter } from '../../server/core/rate-limit/limiter';

export { TEST_BOT_TOKEN };

/** A clock the test moves by hand; the server reads it through `ctx.now()`. */
export interface TestClock {
  now(): Date;
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string = '2026-11-20T02:00:00Z'): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (at) => {
      t = new Date(at).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface AppealsTestServer {
  server: TestServer;
  clock: TestClock;
  stop(): Promise<void>;
}

/**
 * A seeded server with a movable clock, no background jobs (no timer races the test's own runs)
 * and its own data folder (photos land in a temp folder, not the repository's `data/`).
 */
export async function startAppealsServer(clock: TestClock = testClock()): Promise<AppealsTestServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-appeals-'));
  const server = await startTestServer({ now: clock.now, backgroundJobs: false, config: { dataDir } });
  return {
    server,
    clock,
    async stop() {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Two server processes on one seeded database and one clock (A takes the writes, B answers the
 * reads: a cache that only its own process invalidates fails there), with the demo's ids.
 */
export async function startTwoServers(clock: TestClock): Promise<{ a: TestServer; b: RunningServer; ids: DemoIds }> {
  const a = await startTestServer({ now: clock.now, backgroundJobs: false });
  const b = await startSecondServer(a, { now: clock.now, backgroundJobs: false });
  return { a, b, ids: await demoIds(a) };
}

/** Ids of the demo county by code: `ids.region['DX-01-02']`, `ids.category['water-supply']`, `ids.department.water`. */
export interface DemoIds {
  region: Record<string, string>;
  category: Record<string, string>;
  department: Record<string, string>;
  /** User ids by username (staff) or openid (residents who have signed in). */
  user(usernameOrOpenid: string): Promise<string>;
}

export async function demoIds(server: TestServer): Promise<DemoIds> {
  const { Region, Category, Department, User, Identity } = server.models;
  const byCode = (docs: { code: string; _id: unknown }[]) => Object.fromEntries(docs.map((d) => [d.code, String(d._id)]));
  const [regions, categories, departments] = await Promise.all([
    Region.find({}, { code: 1 }).lean<{ code: string; _id: unknown }[]>(),
    Category.find({}, { code: 1 }).lean<{ code: string; _id: unknown }[]>(),
    Department.find({}, { code: 1 }).lean<{ code: string; _id: unknown }[]>(),
  ]);
  return {
    region: byCode(regions),
    category: byCode(categories),
    department: byCode(departments),
    async user(name) {
      const u = await User.findOne({ username: name }, { _id: 1 }).lean<{ _id: unknown }>();
      if (u) return String(u._id);
      const identity = await Identity.findOne({ key: identityKey.wechat(name) }).lean<{ userId: unknown }>();
      if (!identity) throw new Error(`no demo user ${name}`);
      return String(identity.userId);
    },
  };
}

/** A resident's filing counts this hour and this China day, as the limiter sees them. */
export const filingTotals = (server: TestServer, userId: string): Promise<number[]> => rateLimiter(server.ctx).totals(appealLimits(server.ctx).account('resident', userId));

let keySeq = 0;
/** A fresh idempotency key (8–80 of A-Z a-z 0-9 _ : . -). */
export const newKey = (prefix = 'test') => `${prefix}-${Date.now().toString(36)}-${++keySeq}-${randomBytes(3).toString('hex')}`;

/** The body of `POST /api/v1/appeals`; `regionId` is required, the rest has defaults. */
export interface FileOverrides {
  regionId: string;
  idempotencyKey?: string;
  kind?: string;
  categoryId?: string | null;
  description?: string;
  photoIds?: string[];
  place?: string | null;
  location?: { lat: number; lng: number; name?: string; address?: string } | null;
  isPublic?: boolean;
  isAnonymous?: boolean;
  channel?: 'grid_worker' | 'hotline';
  reporter?: { name: string; phone?: string | null };
}

/** Files an appeal over HTTP and returns the detail the server answers; any status but 201 throws. */
export async function fileAppeal(server: TestServer, token: string, o: FileOverrides): Promise<any> {
  const body = { idempotencyKey: newKey('file'), kind: 'help', description: '小区门口的路灯坏了好几天', ...o };
  const res = await server.api('POST', '/api/v1/appeals', { token, body });
  if (res.status !== 201) throw new Error(`file appeal: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A small JPEG with content of its own (photos are named by their hash: the same bytes are one photo). */
export async function jpeg(): Promise<Buffer> {
  const [r, g, b] = randomBytes(3);
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
}

/**
 * Uploads a fresh JPEG like wx.uploadFile (multipart, field `file`) and returns its id.
 * `path` is `/api/v1/photos` for users, `/api/v1/bot/photos` for the bot's token.
 */
export async function uploadPhoto(server: TestServer, token: string, uploadPath = '/api/v1/photos'): Promise<string> {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(await jpeg())], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(server.url + uploadPath, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${text}`);
  return JSON.parse(text).id;
}

/** The stored appeal, timeline included (what the API shows is checked elsewhere). */
export async function appealDoc(server: TestServer, id: string): Promise<AppealDoc> {
  const a = await server.models.Appeal.findById(id).lean<AppealDoc>();
  if (!a) throw new Error(`no appeal ${id}`);
  return a;
}

/**
 * Waits until the appeal's events are all relayed to the outbox (the relay runs after the
 * response): polls the condition with a deadline, never a fixed sleep.
 */
export async function relayed(server: TestServer, id: string, timeoutMs = 10_000): Promise<AppealDoc> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await appealDoc(server, id);
    if (!a.notifyPending && a.notifiedCount === a.eventCount) return a;
    if (Date.now() > deadline) throw new Error(`appeal ${id}: events not relayed within ${timeoutMs} ms (${a.notifiedCount}/${a.eventCount})`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Staff moves in one call each: `move(server, token, id, 'accept', {})` answers the detail or throws. */
export async function move(server: TestServer, token: string, id: string, action: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await server.api('POST', `/api/v1/appeals/${id}/${action}`, { token, body });
  if (res.status !== 200) throw new Error(`${action} ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

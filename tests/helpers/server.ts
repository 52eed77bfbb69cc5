import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../../server/core/config';
import { createLogger } from '../../server/core/logger';
import { startServer, type RunningServer, type StartOptions } from '../../server/server';
import { seedDemoCounty } from '../../server/seed/seed';
import { DEMO_PASSWORD } from '../../common/demo-county';
import { startTestDb, type TestDb } from './db';

export const TEST_BOT_TOKEN = 'test-bot-token-0123456789abcdef';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    dataDir: 'data',
    jwtSecret: 'test-jwt-secret-0123456789abcdef0123456789',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlDays: 30,
    botToken: TEST_BOT_TOKEN,
    countyPrefix: 'DX',
    logLevel: 'silent',
    jsonBodyLimit: '100kb',
    loginRateLimitPerMinute: 1000,
    // Suites write a lot as one account and from one address; tests/server/write-limits.test.ts sets its own.
    writeRateLimit: { perMinute: 100_000, perHour: 1_000_000, botPerMinute: 100_000, addressPerMinute: 100_000 },
    // Suites file many appeals as one resident; tests/server/appeal-limits.test.ts sets 1.
    appealLimitScale: 100,
    trustProxy: false,
    h5Dir: 'dist/h5',
    ...overrides,
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer extends RunningServer {
  /** Call the API: `api('POST', '/api/v1/auth/dev-login', { body, token })`. */
  api<T = any>(method: string, path: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string }): Promise<ApiResponse<T>>;
  /** Sign in as demo staff (password login) and return the access token. */
  staffToken(username: string): Promise<string>;
  /** Sign in as a resident (development login) and return the access token. */
  residentToken(openid?: string): Promise<string>;
  /** Stop only the database, to see how the server behaves without it. */
  stopDatabase(): Promise<void>;
  /** The server's database (halt() and restart() it for an outage). */
  db: TestDb;
  /** The id of a demo region by its code, e.g. `DX-01-02` for 西城社区. */
  regionId(code: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A second server process on the first one's database (no seed, no database of its own), as a
 * county runs several: what one writes, the other must see (caches kept true through the database).
 */
export function startSecondServer(first: RunningServer, opts: StartOptions = {}): Promise<RunningServer> {
  return startServer(testConfig({ mongodbUri: first.ctx.config.mongodbUri }), { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'error'), ...opts });
}

/** One server on its own embedded database (free port, temp folder), seeded unless told not to. */
export async function startTestServer(opts: { seed?: boolean; config?: Partial<AppConfig> } & StartOptions = {}): Promise<TestServer> {
  const db = await startTestDb();
  // Files the server writes (photos) go to a folder of this server's own, never the repository's data/.
  const ownDataDir = opts.config?.dataDir ? null : mkdtempSync(path.join(os.tmpdir(), 'xianrong-server-'));
  let server: RunningServer;
  try {
    server = await startServer(testConfig({ mongodbUri: db.uri, ...(ownDataDir ? { dataDir: ownDataDir } : {}), ...opts.config }), { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'error'), ...opts });
    // Seeded at the server's clock, so a suite with a fixed date gets history before that date.
    if (opts.seed !== false) await seedDemoCounty(server.models, server.ctx.now(), { dataDir: server.ctx.config.dataDir });
  } catch (err) {
    await db.stop();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    throw err;
  }

  const api: TestServer['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(server.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    ...server,
    api,
    async staffToken(username) {
      const res = await api('POST', '/api/v1/auth/password-login', { body: { username, password: DEMO_PASSWORD } });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken;
    },
    async residentToken(openid = 'demo-resident-01') {
      const res = await api('POST', '/api/v1/auth/dev-login', { body: { openid } });
      if (res.status !== 200) throw new Error(`dev-login ${openid}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken;
    },
    stopDatabase: () => db.stop(),
    db,
    async regionId(code) {
      const r = await server.models.Region.findOne({ code }).lean();
      if (!r) throw new Error(`no region with code ${code}`);
      return String(r._id);
    },
    async stop() {
      await server.close();
      await db.stop();
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}

import { startConsultationCloser } from './consultations';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { AppConfig } from './core/config';
import { createLogger } from './core/logger';
import { ReadCache } from './core/cache/read-cache';
import { readStamps } from './core/cache/stamps';
import type { AppContext } from './context';
import { createModels, syncIndexes, type Models } from './models';
import { startEmbeddedDb, withDbName } from './db/embedded';
import { acquireDataLock } from './db/data-lock';
import { superviseEmbeddedDb, type SupervisedDb } from './db/supervisor';
import { DbHealth, FAIL_FAST_CONNECTION_OPTIONS } from './db/health';
import { createWechatClient, createWechatWebClient, developmentWechatClient, type WechatClient, type WechatWebClient } from './core/wechat';
import { startCleanupJob } from './maintenance/cleanup';
import { startAppealScheduler } from './appeals/scheduler';
import { backfillAppealFollows, backfillScopePaths } from './appeals';
import { startMeasureRollup } from './measures';
import { startOutboxDeliverer } from './outbox/deliverer';
import { startNewsScheduler } from './news/scheduler';
import { startDigestJob } from './news/digest';
import { flushArticleViews, startViewFlush } from './news/view-counter';
import { startNoticeFanOutSweep } from './notices/fan-out-sweep';
import { foldLegacyCounts, startSuggestImportJob, startSuggestLearner } from './suggest';
import { subscribeSenderFromEnv, type SubscribeSender } from './outbox/wechat-subscribe';
import { startHotspotDetector } from './hotspots';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  /** Every feature's models on this server's connection, for tools and tests (the app itself reaches them only through the features). */
  models: Models;
  /** The HTTP server (tests watch its requests). */
  httpServer: Server;
  /** The embedded database this server runs (null with MONGODB_URI). */
  embedded: SupervisedDb | null;
  /**
   * Graceful stop: stop accepting connections, let requests in flight finish (up to the shutdown
   * deadline, then cut them), close idle keep-alive sockets, then close the database.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Replace the WeChat adapter (tests); default from config. */
  wechat?: WechatClient | null;
  /** Replace the 公众号 web-authorisation adapter (tests: a fake WeChat); default from config. */
  wechatWeb?: WechatWebClient | null;
  now?: () => Date;
  /** How long close() lets requests in flight finish before cutting them (default 10 s). */
  shutdownTimeoutMs?: number;
  /**
   * The background jobs (cleanup, deadline scheduler, measures rollup, WeChat subscribe deliverer, news scheduler,
   * digest, notice fan-out sweep). Tests that drive a job
   * by hand turn them off, so a timer run never races the test's own.
   */
  backgroundJobs?: boolean;
  /** Replace the WeChat subscribe-message sender (tests); default from config and environment. */
  subscribeSender?: SubscribeSender;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long the first connection may take (an external MongoDB may still be starting). */
const CONNECT_DEADLINE_MS = 30_000;

function defaultWechat(config: AppConfig): WechatClient | null {
  if (config.wechat) return createWechatClient(config.wechat);
  return config.env === 'production' ? null : developmentWechatClient;
}

/**
 * Connect to MONGODB_URI, or start the embedded database under DATA_DIR: the data folder is locked
 * for this process first (a second process on it is refused, see db/data-lock.ts), and the
 * database is restarted if it dies (db/supervisor.ts). `embedded.stop()` stops it and releases
 * the lock.
 */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<{ uri: string; embedded: SupervisedDb | null }> {
  if (config.mongodbUri) return { uri: config.mongodbUri, embedded: null };
  const lock = await acquireDataLock(config.dataDir, { onWait: (pid) => logger.warn({ holderPid: pid }, 'the data folder is held by another process; waiting for it to end') });
  const dataDir = path.resolve(config.dataDir, 'db');
  const start = (port: number) => startEmbeddedDb({ dataDir, port, log: (line) => logger.warn({ component: 'ferretdb' }, line) });
  logger.info({ dataDir }, 'starting embedded database (FerretDB on SQLite)');
  let first;
  try {
    first = await start(0);
  } catch (err) {
    lock.release();
    throw err;
  }
  const embedded = superviseEmbeddedDb(first, { restart: start, logger, afterStop: lock.release });
  return { uri: withDbName(embedded.uri, 'xianrong'), embedded };
}

/**
 * The mongoose connection, set to fail fast during an outage (db/health.ts). The first connection
 * is retried until CONNECT_DEADLINE_MS, since a one-second server selection is too short for a
 * database that is still starting.
 */
async function connect(uri: string, logger: Logger): Promise<mongoose.Connection> {
  const deadline = Date.now() + CONNECT_DEADLINE_MS;
  for (;;) {
    const conn = mongoose.createConnection(uri, FAIL_FAST_CONNECTION_OPTIONS);
    try {
      return await conn.asPromise();
    } catch (err) {
      await conn.close().catch(() => {});
      if (Date.now() >= deadline) throw err;
      logger.warn({ err: (err as Error).message }, 'database not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export async function startServer(config: AppConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const { uri, embedded } = await openDatabase(config, logger);
  let conn: mongoose.Connection;
  try {
    conn = await connect(uri, logger);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const dbHealth = new DbHealth(logger);
  dbHealth.watchConnection(conn);
  embedded?.onStatus((up) => dbHealth.setEmbedded(up));
  const models = createModels(conn);

  const ctx: AppContext = {
    config,
    conn,
    dbHealth,
    logger,
    wechat: opts.wechat === undefined ? defaultWechat(config) : opts.wechat,
    wechatWeb: opts.wechatWeb === undefined ? (config.wechatWeb ? createWechatWebClient(config.wechatWeb) : null) : opts.wechatWeb,
    now: opts.now ?? (() => new Date()),
    cache: new ReadCache({ readStamps: () => readStamps(conn) }),
  };
  try {
    await syncIndexes(models);
    // Before the first request: the lists ask for a township or a community by fields older appeals lack.
    await backfillScopePaths(ctx);
    // Before the first "my appeals": every follower an appeal holds has its follow row (appeals/follows.ts).
    await backfillAppealFollows(ctx);
    // Before the first suggestion: counts an older installation kept one document per bucket, folded into chunks.
    await foldLegacyCounts(ctx);
  } catch (err) {
    await conn.close();
    await embedded?.stop();
    throw err;
  }
  const app = createApp(ctx);
  const server: Server = createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Port taken or not allowed: leave nothing running behind us.
    await conn.close();
    await embedded?.stop();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, database: embedded ? 'embedded' : 'external' }, 'server listening');

  const shutdown = trackRequests(server, opts.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, logger);
  // Cleanup: expired binding codes, stale sessions and ended rate windows (FerretDB has no TTL
  // indexes). 督办 and auto-close by deadline, and the notifications of appeals (residents,
  // handlers). Scheduled articles, the daily digest and unfinished notice fan-outs.
  const jobs =
    opts.backgroundJobs === false
      ? []
      : [
          startCleanupJob(ctx),
          startAppealScheduler(ctx),
          // The measures of each ended China day, written once (catches up missed days at start).
          startMeasureRollup(ctx),
          startOutboxDeliverer(ctx, { sender: opts.subscribeSender ?? subscribeSenderFromEnv(config, logger) }),
          startNewsScheduler(ctx),
          startDigestJob(ctx),
          startNoticeFanOutSweep(ctx),
          startViewFlush(ctx),
          // The category suggestion learns the categories staff confirmed, within seconds.
          startSuggestLearner(ctx),
          startSuggestImportJob(ctx),
          // Consultations close at their time with an exact recount.
          startConsultationCloser(ctx),
          // Similar appeals piling up in one community become a hot spot, flagged to its staff (高频诉求).
          startHotspotDetector(ctx),
        ];
  let closing: Promise<void> | undefined;
  return {
    url,
    ctx,
    models,
    httpServer: server,
    embedded,
    close: () =>
      (closing ??= (async () => {
        await shutdown();
        await Promise.all(jobs.map((j) => j.stop()));
        // Views noted since the last flush (also without the flush job, as in tests).
        await flushArticleViews(ctx).catch((err: unknown) => logger.warn({ err }, 'article views not written at stop'));
        await conn.close();
        await embedded?.stop();
      })()),
  };
}

/**
 * Count requests in flight; the returned function stops the server gracefully: no new
 * connections, every response from now on closes its connection, idle keep-alive sockets are
 * closed, and it resolves when the requests in flight have finished, or at the deadline, when
 * the connections still open are cut.
 */
function trackRequests(server: Server, timeoutMs: number, logger: Logger): () => Promise<void> {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  let drained: (() => void) | undefined;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) drained?.();
    });
  });
  return async () => {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    server.closeIdleConnections();
    if (inFlight.size > 0) {
      logger.info({ requests: inFlight.size }, 'stopping: waiting for requests in flight');
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        new Promise<boolean>((resolve) => (drained = () => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!finished) logger.warn({ requests: inFlight.size, timeoutMs }, 'stopping: requests still in flight at the deadline are cut');
    }
    // Whatever is left: sockets between requests, or requests past the deadline.
    server.closeAllConnections();
    await closed;
  };
}

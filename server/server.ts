import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { AppConfig } from './core/config';
import { createLogger } from './core/logger';
import { ReadCache } from './core/cache/read-cache';
import { readStamps } from './core/cache/stamps';
import type { AppContext } from './context';
import { createModels, syncIndexes } from './db/models';
import { startEmbeddedDb, withDbName, type EmbeddedDb } from './db/embedded';
import { createWechatClient, developmentWechatClient, type WechatClient } from './auth/wechat';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Replace the WeChat adapter (tests); default from config. */
  wechat?: WechatClient | null;
  now?: () => Date;
}

function defaultWechat(config: AppConfig): WechatClient | null {
  if (config.wechat) return createWechatClient(config.wechat);
  return config.env === 'production' ? null : developmentWechatClient;
}

/** Connect to MONGODB_URI, or start the embedded database under DATA_DIR. */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<{ uri: string; embedded: EmbeddedDb | null }> {
  if (config.mongodbUri) return { uri: config.mongodbUri, embedded: null };
  const dataDir = path.resolve(config.dataDir, 'db');
  logger.info({ dataDir }, 'starting embedded database (FerretDB on SQLite)');
  const embedded = await startEmbeddedDb({ dataDir, log: (line) => logger.warn({ component: 'ferretdb' }, line) });
  return { uri: withDbName(embedded.uri, 'xianrong'), embedded };
}

export async function startServer(config: AppConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const { uri, embedded } = await openDatabase(config, logger);
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false });
  try {
    await conn.asPromise();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const models = createModels(conn);
  await syncIndexes(models);

  const ctx: AppContext = {
    config,
    conn,
    models,
    logger,
    wechat: opts.wechat === undefined ? defaultWechat(config) : opts.wechat,
    now: opts.now ?? (() => new Date()),
    cache: new ReadCache({ readStamps: () => readStamps(conn) }),
  };
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

  let closing: Promise<void> | undefined;
  return {
    url,
    ctx,
    close: () =>
      (closing ??= (async () => {
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await conn.close();
        await embedded?.stop();
      })()),
  };
}

import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AppConfig } from './core/config';
import type { WechatClient, WechatWebClient } from './core/wechat';
import type { ReadCache } from './core/cache/read-cache';
import type { DbHealth } from './db/health';

/**
 * What every feature's routes and services are built from. One per app instance. It holds the
 * platform only: a feature reaches its own collections through the connection (`appealModels(conn)`
 * in its model.ts) and other features through their faces, never a registry of every model.
 */
export interface AppContext {
  config: AppConfig;
  conn: Connection;
  /** Whether the database is there (kept from driver and process events): fail fast when not. */
  dbHealth: DbHealth;
  logger: Logger;
  wechat: WechatClient | null;
  /** The 公众号's web authorisation for the H5 sign-in; null when the county has not set it up. */
  wechatWeb: WechatWebClient | null;
  now: () => Date;
  /** Read-mostly responses from memory, invalidated through the database (core/cache). */
  cache: ReadCache;
}

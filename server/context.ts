import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AppConfig } from './core/config';
import type { Models } from './models';
import type { WechatClient } from './core/wechat';
import type { ReadCache } from './core/cache/read-cache';
import type { DbHealth } from './db/health';

/** What every feature's routes and services are built from. One per app instance. */
export interface AppContext {
  config: AppConfig;
  conn: Connection;
  /** Whether the database is there (kept from driver and process events): fail fast when not. */
  dbHealth: DbHealth;
  models: Models;
  logger: Logger;
  wechat: WechatClient | null;
  now: () => Date;
  /** Read-mostly responses from memory, invalidated through the database (core/cache). */
  cache: ReadCache;
}

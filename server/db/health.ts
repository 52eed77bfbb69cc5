/**
 * Whether the database is there, kept from events instead of asked per request, so a request
 * during an outage is answered 503 at once instead of waiting for the driver's timeouts.
 *
 * Two sources: the driver's view of the topology (a heartbeat or an operation that failed marks
 * the server unknown; the next successful heartbeat brings it back), and for the embedded
 * database its process (gone the moment it exits, back when the supervisor restarted it).
 */
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { AppError } from '../core/errors';

/** Seconds a client is told to wait (Retry-After) while the database is away. */
export const DB_RETRY_AFTER_SECONDS = 2;

/**
 * Driver settings for failing fast: no mongoose buffering (an operation during an outage goes to
 * the driver and fails instead of queueing for 10 s), server selection given up after a second,
 * and a heartbeat every second, so an outage and a return are both seen within about a second.
 */
export const FAIL_FAST_CONNECTION_OPTIONS = {
  bufferCommands: false,
  serverSelectionTimeoutMS: 1_000,
  heartbeatFrequencyMS: 1_000,
  autoIndex: false,
} as const;

/** The 503 every request gets while the database is away. */
export function databaseUnavailable(): AppError {
  return Object.assign(new AppError(503, 'NOT_READY', '数据库暂不可用，请稍后重试'), { retryAfterSeconds: DB_RETRY_AFTER_SECONDS });
}

export class DbHealth {
  private driverUp = true;
  private embeddedUp = true;
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  get ready(): boolean {
    return this.driverUp && this.embeddedUp;
  }

  /**
   * Follow the driver: up while it knows a server that holds data and that has not just refused a
   * new connection. The topology alone lags: a refused connection for a request does not mark the
   * server unknown, only the next heartbeat does, so a refusal marks it suspect until a heartbeat
   * to it succeeds again (heartbeats run every second, FAIL_FAST_CONNECTION_OPTIONS).
   */
  watchConnection(conn: Connection): void {
    const client = conn.getClient();
    // Until the first topology change after connecting, the connected server counts as data-bearing.
    let dataBearing: Set<string> | null = null;
    const suspect = new Set<string>();
    const update = () => this.set('driver', dataBearing ? [...dataBearing].some((a) => !suspect.has(a)) : suspect.size === 0);
    client.on('topologyDescriptionChanged', (event) => {
      dataBearing = new Set([...event.newDescription.servers].filter(([, server]) => server.isDataBearing).map(([address]) => address));
      update();
    });
    client.on('connectionCheckOutFailed', (event) => {
      if (event.reason !== 'connectionError') return;
      suspect.add(event.address);
      update();
    });
    client.on('serverHeartbeatSucceeded', (event) => {
      if (suspect.delete(event.connectionId)) update();
    });
  }

  /** The embedded database process died (false) or is running again (true). */
  setEmbedded(up: boolean): void {
    this.set('embedded', up);
  }

  private set(source: 'driver' | 'embedded', up: boolean): void {
    const before = this.ready;
    if (source === 'driver') this.driverUp = up;
    else this.embeddedUp = up;
    if (before && !this.ready) this.logger.error({ source }, 'database unavailable: requests are answered 503 until it is back');
    else if (!before && this.ready) this.logger.info({ source }, 'database available again');
  }
}

/** Errors of a database that is away (not of a bad query): a retry later may work. */
export function isDatabaseUnavailableError(err: unknown): boolean {
  if (err instanceof mongoose.mongo.MongoNetworkError || err instanceof mongoose.mongo.MongoServerSelectionError) return true;
  const name = (err as Error | undefined)?.name ?? '';
  return /^Mongo(ose)?(NotConnected|ServerSelection|Network|NetworkTimeout|TopologyClosed|PoolCleared)Error$/.test(name);
}

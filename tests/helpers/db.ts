/**
 * A private embedded database for one test file: FerretDB on a free port with its files in a
 * fresh temp folder, removed again by stop(). halt() and restart() stop the process and start it
 * again on the same port and folder, to show how a server copes with an outage.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDb, type EmbeddedDb } from '../../server/db/embedded';
import { ensureDbBinary } from '../../scripts/build-db';

export interface TestDb {
  /** `mongodb://127.0.0.1:<port>/`; add a database name with withDbName from server/db/embedded. */
  uri: string;
  dataDir: string;
  /** The running database process (changes with restart()). */
  readonly process: EmbeddedDb;
  /** Stop the database process, keeping its files (an outage). */
  halt(): Promise<void>;
  /** Start it again on the same port and folder (the outage ends). */
  restart(): Promise<void>;
  /** Stop it and remove its files. */
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[ferretdb] ${line}\n`);

export async function startTestDb(): Promise<TestDb> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-db-'));
  let db: EmbeddedDb;
  try {
    db = await startEmbeddedDb({ dataDir, port: 0, log, binary: await ensureDbBinary({ log }) });
  } catch (err) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = db.port;
  return {
    uri: db.uri,
    dataDir,
    get process() {
      return db;
    },
    halt: () => db.stop(),
    async restart() {
      await db.stop();
      db = await startEmbeddedDb({ dataDir, port, log, binary: await ensureDbBinary({ log }) });
    },
    async stop() {
      await db.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

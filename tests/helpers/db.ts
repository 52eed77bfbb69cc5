/**
 * A private embedded database for one test file: FerretDB on a free port with its files in a
 * fresh temp folder, removed again by stop().
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDb } from '../../server/db/embedded';

export interface TestDb {
  /** `mongodb://127.0.0.1:<port>/`; add a database name with withDbName from server/db/embedded. */
  uri: string;
  stop(): Promise<void>;
}

export async function startTestDb(): Promise<TestDb> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-db-'));
  try {
    const db = await startEmbeddedDb({ dataDir, port: 0, log: (line) => process.stderr.write(`[ferretdb] ${line}\n`) });
    return {
      uri: db.uri,
      async stop() {
        await db.stop();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

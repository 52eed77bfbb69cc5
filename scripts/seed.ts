/**
 * `npm run seed` seeds the demo county into an empty database (or adds what a demo database made
 * by an earlier version lacks, or finishes a seed that was interrupted); `npm run seed -- --reset`
 * wipes a demo database first. Uses MONGODB_URI, or the embedded database under DATA_DIR (stop
 * `npm start` first: the data folder is locked by the process using it).
 *
 * Refused: any seeding when the demo is off (NODE_ENV=production without DEMO=1), `--reset` under
 * NODE_ENV=production, and `--reset` of a database that holds anything but the demo county.
 */
import mongoose from 'mongoose';
import { demoEnabled, loadConfigOrExit } from '../server/core/config';
import { createLogger } from '../server/core/logger';
import { createModels, syncIndexes } from '../server/models';
import { openDatabase } from '../server/server';
import { ensureDbBinary } from './build-db';
import { describeSeed, isDemoDatabase, isEmpty, NotADemoDatabaseError, resetDatabase, seedDemoCounty, type SeedOptions } from '../server/seed/seed';

/** Exit code of a refused request (nothing was changed). */
const REFUSED = 3;

function refuse(zh: string, en: string): void {
  console.error(`${zh}\n${en}`);
  process.exitCode = REFUSED;
}

/**
 * Tests only: kill this process (SIGKILL, no cleanup at all) after that many documents, to
 * interrupt a seed halfway as a crash or a power cut would.
 */
function testInterruption(): SeedOptions {
  const after = Number(process.env.XIANRONG_TEST_SEED_KILL_AFTER);
  if (!Number.isInteger(after) || after <= 0) return {};
  return {
    afterWrite: (written) => {
      if (written === after) process.kill(process.pid, 'SIGKILL');
    },
  };
}

async function main() {
  const reset = process.argv.includes('--reset');
  const config = loadConfigOrExit();
  if (reset && config.env === 'production') {
    return refuse(
      '拒绝执行：NODE_ENV=production 时不允许 seed --reset（会清空整个数据库）。',
      'Refused: `npm run seed -- --reset` wipes the whole database and is never run with NODE_ENV=production.',
    );
  }
  if (!demoEnabled(config)) {
    return refuse(
      '拒绝执行：生产环境不写入演示县数据（其密码是公开的）。确需演示请设置 DEMO=1。',
      'Refused: the demo county (with its published passwords) is not seeded when NODE_ENV=production; set DEMO=1 for a demo.',
    );
  }
  const logger = createLogger('warn');
  // The server never builds: the database binary is made here when missing (as npm start does).
  if (!config.mongodbUri) await ensureDbBinary({ log: (line) => console.error(line) });
  const { uri, embedded } = await openDatabase(config, logger);
  const conn = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    if (reset) {
      if (!(await isEmpty(models)) && !(await isDemoDatabase(models))) {
        return refuse(
          '拒绝执行：该数据库不是演示数据库（含真实县的数据），seed --reset 不会清空它。',
          'Refused: this database holds data that is not the demo county; `npm run seed -- --reset` only wipes a demo database.',
        );
      }
      await resetDatabase(models);
      console.log('Database wiped.');
    }
    try {
      const summary = await seedDemoCounty(models, new Date(), { ...testInterruption(), dataDir: config.dataDir });
      if (summary.repaired.length) console.log(`Undid an interrupted seed of: ${summary.repaired.join(', ')}.`);
      console.log(summary.applied.length ? `Seeded the demo county 东溪县: ${describeSeed(summary)}.` : 'The demo county is up to date. `npm run seed -- --reset` rebuilds it.');
    } catch (err) {
      if (!(err instanceof NotADemoDatabaseError)) throw err;
      return refuse('该数据库含有非演示数据，未写入演示县。', `${err.message} Nothing seeded.`);
    }
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * `npm run seed` seeds the demo county into an empty database (or adds what a demo database made
 * by an earlier version lacks); `npm run seed -- --reset` wipes the database first. Uses
 * MONGODB_URI, or the embedded database under DATA_DIR (stop `npm start` first: two embedded
 * databases must not share one folder).
 */
import mongoose from 'mongoose';
import { loadConfigOrExit } from '../server/core/config';
import { createLogger } from '../server/core/logger';
import { createModels, syncIndexes } from '../server/db/models';
import { openDatabase } from '../server/server';
import { describeSeed, isDemoDatabase, isEmpty, resetDatabase, seedDemoCounty } from '../server/seed/seed';

async function main() {
  const reset = process.argv.includes('--reset');
  const config = loadConfigOrExit();
  const logger = createLogger('warn');
  const { uri, embedded } = await openDatabase(config, logger);
  const conn = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    if (reset) {
      await resetDatabase(models);
      console.log('Database wiped.');
    } else if (!(await isEmpty(models)) && !(await isDemoDatabase(models))) {
      console.log('The database has data that is not the demo county; nothing seeded. `npm run seed -- --reset` wipes it and seeds the demo county.');
      return;
    }
    const summary = await seedDemoCounty(models);
    console.log(summary.applied.length ? `Seeded the demo county 东溪县: ${describeSeed(summary)}.` : 'The demo county is up to date. `npm run seed -- --reset` rebuilds it.');
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * Builds what is missing before start or test: the embedded database wrapper (when no
 * MONGODB_URI is set, or always for tests) and the H5 build of the mini-program. Both are cached
 * and rebuilt only when their sources change.
 *   tsx scripts/prepare.ts --for-tests   database wrapper + H5 build
 *   tsx scripts/prepare.ts --db          database wrapper only
 */
import { ensureDbBinary } from './build-db';
import { ensureH5Build } from './build-h5';

export async function prepare(what: { db: boolean; h5: boolean }, log: (s: string) => void = console.log): Promise<void> {
  if (what.db) log(`database wrapper: ${await ensureDbBinary({ log })}`);
  if (what.h5) log(`H5 app: ${await ensureH5Build({ log })}`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const db = args.includes('--db') || args.includes('--for-tests');
  const h5 = args.includes('--h5') || args.includes('--for-tests');
  prepare({ db, h5 }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/**
 * Builds what is missing before start or test: the embedded database wrapper (when no
 * MONGODB_URI is set, or always for tests) and the mini-program (H5 for the browser; tests also
 * build the WeChat target to prove it builds). All are cached and rebuilt only when their sources
 * change.
 *   tsx scripts/prepare.ts --for-tests   database wrapper + H5 + weapp builds
 *   tsx scripts/prepare.ts --db          database wrapper only
 *   tsx scripts/prepare.ts --h5          H5 build only
 */
import { ensureDbBinary } from './build-db';
import { ensureAppBuild } from './build-app';

export async function prepare(what: { db: boolean; h5: boolean; weapp?: boolean }, log: (s: string) => void = console.log): Promise<void> {
  if (what.db) log(`database wrapper: ${await ensureDbBinary({ log })}`);
  if (what.h5) log(`H5 app: ${await ensureAppBuild('h5', { log })}`);
  if (what.weapp) log(`WeChat mini-program: ${await ensureAppBuild('weapp', { log })}`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const db = args.includes('--db') || args.includes('--for-tests');
  const h5 = args.includes('--h5') || args.includes('--for-tests');
  const weapp = args.includes('--weapp') || args.includes('--for-tests');
  prepare({ db, h5, weapp }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

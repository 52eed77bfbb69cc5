/**
 * Runs every bench script in sequence, each in its own tsx child process with its output passed
 * through; exits non-zero if one of them fails. `npm run bench`
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const SCRIPTS = ['bench/db-crud.ts', 'bench/db-query.ts', 'bench/api.ts', 'bench/feed.ts', 'bench/signed-in.ts', 'bench/appeals.ts', 'bench/h5-first-screen.ts', 'bench/weapp-size.ts'];

const failed: string[] = [];
for (const script of SCRIPTS) {
  console.log(`\n=== ${script} (${new Date().toISOString()})`);
  const r = spawnSync(TSX, [script], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${script}: ${r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.status}`)}`);
}
if (failed.length) {
  console.error(`\nbench failed:\n  ${failed.join('\n  ')}`);
  process.exit(1);
}

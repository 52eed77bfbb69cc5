// Builds the H5 mini-program (dist/h5) only when its inputs changed.
// Inputs: src/**, config/**, babel.config.js, package-lock.json (+ TARO_APP_API_BASE, which is baked in).
// Usage: `tsx scripts/build-h5.ts [--force]`, or `await ensureH5Build()` from other scripts and tests.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'dist', 'h5');
const HASH_FILE = path.join(OUT_DIR, '.build-hash');
const INPUT_DIRS = ['src', 'config'];
const INPUT_FILES = ['babel.config.js', 'package-lock.json'];

export interface EnsureH5BuildOptions {
  log?: (line: string) => void;
  /** Rebuild even when the inputs are unchanged. */
  force?: boolean;
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return listFiles(full);
      return Promise.resolve(e.isFile() ? [full] : []);
    }),
  );
  return nested.flat();
}

/** Hash of every build input: relative path and content of each file, in a stable order. */
export async function h5InputHash(): Promise<string> {
  const files = [
    ...(await Promise.all(INPUT_DIRS.map((d) => listFiles(path.join(ROOT, d))))).flat(),
    ...INPUT_FILES.map((f) => path.join(ROOT, f)).filter((f) => existsSync(f)),
  ]
    .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(rel).update('\0');
    hash.update(await fs.readFile(path.join(ROOT, rel))).update('\0');
  }
  hash.update(`TARO_APP_API_BASE=${process.env.TARO_APP_API_BASE ?? ''}`);
  return hash.digest('hex');
}

async function readStoredHash(): Promise<string | null> {
  try {
    return (await fs.readFile(HASH_FILE, 'utf8')).trim();
  } catch {
    return null;
  }
}

function runTaroBuild(log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['taro', 'build', '--type', 'h5'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`taro build --type h5 failed with exit code ${code}:\n${tail}`));
    });
  });
}

/** Returns dist/h5, building it first when missing or when any input changed since the last build. */
export async function ensureH5Build(opts: EnsureH5BuildOptions = {}): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const wanted = await h5InputHash();
  const built = existsSync(path.join(OUT_DIR, 'index.html'));
  if (!opts.force && built && (await readStoredHash()) === wanted) {
    log(`H5 build is up to date (${OUT_DIR})`);
    return OUT_DIR;
  }
  log(built ? 'H5 inputs changed: rebuilding dist/h5' : 'Building dist/h5');
  const started = Date.now();
  await runTaroBuild(log);
  if (!existsSync(path.join(OUT_DIR, 'index.html'))) throw new Error('taro build finished but dist/h5/index.html is missing');
  await fs.writeFile(HASH_FILE, wanted + '\n');
  log(`H5 build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return OUT_DIR;
}

if (require.main === module) {
  ensureH5Build({ log: (line) => console.log(line), force: process.argv.includes('--force') })
    .then((dir) => console.log(dir))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}

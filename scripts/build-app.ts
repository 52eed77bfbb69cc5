// Builds the mini-program for a target (dist/h5 for the browser, dist/weapp for WeChat) only when
// its inputs changed. Inputs: src/**, config/**, common/** (the labels and dates the app shares with
// the server; of the server it takes only types, erased in the build), babel.config.js,
// package-lock.json, project.config.json (+ TARO_APP_API_BASE, which is baked in).
// Usage: `tsx scripts/build-app.ts [h5|weapp] [--force]`, or `await ensureAppBuild('h5')`.
// The H5 build also gets precompressed copies of its text files (`x.js.br`, `x.js.gz` beside `x.js`),
// which the server sends to browsers that accept them (server/core/h5-static.ts).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
export type AppTarget = 'h5' | 'weapp';
/** The file whose presence means a finished build of the target. */
const ENTRY: Record<AppTarget, string> = { h5: 'index.html', weapp: 'app.json' };
const outDir = (target: AppTarget) => path.join(ROOT, 'dist', target);
const hashFile = (target: AppTarget) => path.join(outDir(target), '.build-hash');
const INPUT_DIRS = ['src', 'config', 'common'];
const INPUT_FILES = ['babel.config.js', 'package-lock.json', 'project.config.json'];

export interface EnsureAppBuildOptions {
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
export async function appInputHash(): Promise<string> {
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

async function readStoredHash(target: AppTarget): Promise<string | null> {
  try {
    return (await fs.readFile(hashFile(target), 'utf8')).trim();
  } catch {
    return null;
  }
}

function runTaroBuild(target: AppTarget, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['taro', 'build', '--type', target], {
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
      else reject(new Error(`taro build --type ${target} failed with exit code ${code}:\n${tail}`));
    });
  });
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Files worth compressing: text. Images and fonts are compressed already. */
const COMPRESSIBLE = /\.(?:html|js|mjs|css|json|svg|txt|xml|map|wasm)$/i;
/** The encodings written beside each text file, by suffix. */
export const PRECOMPRESSED = ['.br', '.gz'] as const;

async function isUpToDate(copy: string, sourceMtimeMs: number): Promise<boolean> {
  try {
    return (await fs.stat(copy)).mtimeMs >= sourceMtimeMs;
  } catch {
    return false;
  }
}

/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside each text file of `dir`
 * whose copies are missing or older than the file, and removes copies whose file is gone (Taro
 * leaves old hashed files behind only when told to). A copy that would not be smaller is not
 * written, so the server sends the file itself. Returns how many files it compressed.
 */
export async function precompressDir(dir: string): Promise<number> {
  const files = await listFiles(dir);
  const present = new Set(files);
  let written = 0;
  for (const file of files) {
    if (PRECOMPRESSED.some((ext) => file.endsWith(ext))) {
      if (!present.has(file.slice(0, -3))) await fs.rm(file, { force: true });
      continue;
    }
    if (!COMPRESSIBLE.test(file)) continue;
    const stat = await fs.stat(file);
    const [brFresh, gzFresh] = await Promise.all(PRECOMPRESSED.map((ext) => isUpToDate(file + ext, stat.mtimeMs)));
    if (brFresh && gzFresh) continue;
    const data = await fs.readFile(file);
    const [br, gz] = await Promise.all([
      brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
      gzip(data, { level: 9 }),
    ]);
    for (const [ext, out] of [['.br', br], ['.gz', gz]] as const) {
      if (out.length < data.length) await fs.writeFile(file + ext, out);
      else await fs.rm(file + ext, { force: true });
    }
    written++;
  }
  return written;
}

/** Returns dist/<target>, building it first when missing or when any input changed since the last build. */
export async function ensureAppBuild(target: AppTarget, opts: EnsureAppBuildOptions = {}): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const dir = outDir(target);
  const wanted = await appInputHash();
  const built = existsSync(path.join(dir, ENTRY[target]));
  if (!opts.force && built && (await readStoredHash(target)) === wanted) {
    // A build made before precompression existed gets its copies now (a no-op when they are there).
    if (target === 'h5') await precompressDir(dir);
    log(`${target} build is up to date (${dir})`);
    return dir;
  }
  log(built ? `${target}: inputs changed, rebuilding dist/${target}` : `Building dist/${target}`);
  const started = Date.now();
  await runTaroBuild(target, log);
  if (!existsSync(path.join(dir, ENTRY[target]))) throw new Error(`taro build finished but dist/${target}/${ENTRY[target]} is missing`);
  // Before the hash is written: a build counts as finished only with its compressed copies.
  if (target === 'h5') log(`h5: precompressed ${await precompressDir(dir)} text files (.br, .gz)`);
  await fs.writeFile(hashFile(target), wanted + '\n');
  log(`${target} build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

if (require.main === module) {
  const target: AppTarget = process.argv.includes('weapp') ? 'weapp' : 'h5';
  ensureAppBuild(target, { log: (line) => console.log(line), force: process.argv.includes('--force') })
    .then((dir) => console.log(dir))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}

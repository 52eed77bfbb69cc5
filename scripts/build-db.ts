/**
 * Builds the embedded database (db/ferretdb, a Go wrapper around FerretDB 1.24) into
 * `.cache/ferretdb/<hash>/xianrong-ferretdb`, where the hash covers go.mod, go.sum and main.go,
 * (and the patches under db/ferretdb/_patches), so a changed wrapper, patch or dependency gets a
 * fresh binary and an unchanged one is never rebuilt.
 *
 * Patches: db/ferretdb/_patches/<path inside the FerretDB module> are patched copies of single
 * FerretDB v1.24.2 source files (see db/ferretdb/README.md). The build copies the FerretDB module
 * into a temporary folder, puts the patched files in, and builds with `-modfile` pointing at a
 * go.mod with a `replace` to that copy (go build -overlay refuses files in the module cache).
 * Go ignores folders whose name starts with `_`, so the patches never compile as our own code.
 *
 * Safe for concurrent callers (two jest workers, the server and a test): each builds to its own
 * temporary name and renames it into place; rename is atomic within one directory.
 *
 * Run directly: `tsx scripts/build-db.ts [--stock]` builds if needed and prints the binary's path.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { BUILT_BINARY_POINTER } from '../server/db/embedded';

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIR = path.join(ROOT, 'db', 'ferretdb');
const CACHE_DIR = path.join(ROOT, '.cache', 'ferretdb');
const BINARY_NAME = 'xianrong-ferretdb';
const HASHED_FILES = ['go.sum', 'go.mod', 'main.go'];
const PATCH_DIR = path.join(SOURCE_DIR, '_patches');
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/**
 * `patched` (the default) is the product's database; `stock` is FerretDB v1.24.2 as released, with
 * the same wrapper and none of the patches: the baseline that differential tests and benchmarks
 * compare the patches with.
 */
export type DbVariant = 'patched' | 'stock';

export interface EnsureDbBinaryOptions {
  log?: (s: string) => void;
  variant?: DbVariant;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as Error & { stdout?: string; stderr?: string };
        e.stdout = String(stdout);
        e.stderr = String(stderr);
        reject(e);
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
  });
}

/** The `go` command: from PATH, else the usual /usr/local/go install. */
async function findGo(): Promise<string> {
  const candidates = ['go', '/usr/local/go/bin/go'];
  for (const c of candidates) {
    try {
      await run(c, ['version'], { cwd: SOURCE_DIR });
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'Go is not installed: building the embedded database (db/ferretdb) needs the Go toolchain ' +
      '(`go` on PATH or /usr/local/go/bin/go). Install Go 1.24 or newer, or set MONGODB_URI to use a MongoDB server instead.',
  );
}

/** Patched FerretDB files, as paths relative to db/ferretdb/_patches, sorted. */
async function listPatches(dir = PATCH_DIR, prefix = ''): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listPatches(path.join(dir, e.name), rel)));
    else if (e.name.endsWith('.go')) out.push(rel);
  }
  return out.sort();
}

/** Where the binary for the current sources lives (it may not exist yet). */
export async function dbBinaryPath(variant: DbVariant = 'patched'): Promise<string> {
  const hash = createHash('sha256');
  for (const f of HASHED_FILES) {
    hash.update(await fs.readFile(path.join(SOURCE_DIR, f)));
  }
  if (variant === 'stock') {
    return path.join(CACHE_DIR, `stock-${hash.digest('hex').slice(0, 12)}`, BINARY_NAME);
  }
  for (const rel of await listPatches()) {
    hash.update(`\0${rel}\0`);
    hash.update(await fs.readFile(path.join(PATCH_DIR, rel)));
  }
  return path.join(CACHE_DIR, hash.digest('hex').slice(0, 12), BINARY_NAME);
}

/** Makes a copied tree writable (the module cache is read-only). */
async function makeWritable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await makeWritable(p);
    else await fs.chmod(p, 0o644);
  }
}

/**
 * Prepares a patched copy of FerretDB in workDir and a go.mod (used with `-modfile`) that points
 * at it with a replace directive. Returns the extra `go build` arguments; none without patches.
 */
async function preparePatchedBuild(go: string, workDir: string): Promise<string[]> {
  const patches = await listPatches();
  if (patches.length === 0) return [];
  await run(go, ['mod', 'download', FERRETDB_MODULE], { cwd: SOURCE_DIR });
  const { stdout } = await run(go, ['list', '-m', '-f', '{{.Dir}}', FERRETDB_MODULE], { cwd: SOURCE_DIR });
  const moduleDir = stdout.trim();
  const copy = path.join(workDir, 'FerretDB');
  await fs.cp(moduleDir, copy, { recursive: true });
  await makeWritable(copy);
  for (const rel of patches) {
    const target = path.join(copy, rel);
    // A patch either replaces a FerretDB file or adds a new file to one of its packages.
    if (!existsSync(path.dirname(target))) throw new Error(`db/ferretdb/_patches/${rel} is in a package that FerretDB does not have`);
    await fs.copyFile(path.join(PATCH_DIR, rel), target);
  }
  const goMod = await fs.readFile(path.join(SOURCE_DIR, 'go.mod'), 'utf8');
  await fs.writeFile(path.join(workDir, 'go.mod'), `${goMod}\nreplace ${FERRETDB_MODULE} => ${copy}\n`);
  await fs.copyFile(path.join(SOURCE_DIR, 'go.sum'), path.join(workDir, 'go.sum'));
  return ['-modfile', path.join(workDir, 'go.mod')];
}

/** Returns the path of the built database binary, building it first when missing. */
export async function ensureDbBinary(opts: EnsureDbBinaryOptions = {}): Promise<string> {
  const variant = opts.variant ?? 'patched';
  const binary = await buildIfMissing(variant, opts.log ?? (() => {}));
  if (variant === 'patched') await recordBuilt(binary);
  return binary;
}

/** Tell the server which binary is current (server/db/embedded.ts reads it; it never builds). */
async function recordBuilt(binary: string): Promise<void> {
  const rel = path.relative(ROOT, binary);
  if ((await fs.readFile(BUILT_BINARY_POINTER, 'utf8').catch(() => '')).trim() === rel) return;
  const tmp = `${BUILT_BINARY_POINTER}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.mkdir(path.dirname(BUILT_BINARY_POINTER), { recursive: true });
  await fs.writeFile(tmp, `${rel}\n`);
  await fs.rename(tmp, BUILT_BINARY_POINTER);
}

async function buildIfMissing(variant: DbVariant, log: (line: string) => void): Promise<string> {
  const binary = await dbBinaryPath(variant);
  if (existsSync(binary)) return binary;

  const go = await findGo();
  const dir = path.dirname(binary);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${BINARY_NAME}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);

  log(`building the ${variant === 'stock' ? 'unpatched (stock) ' : ''}embedded database (FerretDB) into ${path.relative(ROOT, binary)}; the first build takes a few minutes`);
  const started = Date.now();
  const workDir = `${tmp}.src`;
  try {
    await fs.mkdir(workDir, { recursive: true });
    const modfile = variant === 'stock' ? [] : await preparePatchedBuild(go, workDir);
    const args = ['build', '-trimpath', ...modfile, '-o', tmp, '.'];
    try {
      await run(go, args, { cwd: SOURCE_DIR, env: { ...process.env, CGO_ENABLED: '0' } });
    } catch (first) {
      // The SQLite driver is pure Go, so CGO_ENABLED=0 should work; fall back to the default just in case.
      log(`go build with CGO_ENABLED=0 failed, retrying with the default settings: ${(first as { stderr?: string }).stderr ?? first}`);
      await run(go, args, { cwd: SOURCE_DIR });
    }
  } catch (err) {
    await fs.rm(tmp, { force: true });
    await fs.rm(workDir, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`building the embedded database failed (go build in db/ferretdb):\n${stderr || String(err)}`);
  }
  await fs.rm(workDir, { recursive: true, force: true });
  await fs.chmod(tmp, 0o755);
  // Another process may have finished first; renaming over its identical binary is harmless.
  await fs.rename(tmp, binary);
  log(`embedded database built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
}

if (require.main === module) {
  ensureDbBinary({ log: (s) => console.error(s), variant: process.argv.includes('--stock') ? 'stock' : 'patched' })
    .then((p) => console.log(p))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}

/**
 * Runs FerretDB's own integration tests (the `integration/` Go module of a FerretDB v1.24.2 checkout)
 * against our embedded database, once on the stock (unpatched) build and once on the patched build
 * (db/ferretdb/_patches), and prints a side-by-side summary and every test whose result differs.
 *
 *   git clone --branch v1.24.2 --depth 1 https://github.com/FerretDB/FerretDB.git /some/where/FerretDB
 *   npx tsx scripts/upstream-db-tests.ts /some/where/FerretDB [--run REGEX] [--skip REGEX] [--no-compat]
 *
 * How the tests run: `go test` in `<checkout>/integration` for the packages `.` and `./cursors` with
 * `-target-url` (our binary, started here on 127.0.0.1 with an empty temporary data folder) and
 * `-target-backend=ferretdb-sqlite`. Upstream's compatibility tests (`*Compat*`, most of the query,
 * sort, aggregate, update and index tests) compare the target with `-compat-url` and are skipped
 * without it. By default `-compat-url` is a second, fresh STOCK instance, so on the patched run every
 * compat test is a differential test of the patches against stock FerretDB (on the stock run it is
 * stock against stock: the baseline). `--no-compat` gives upstream's MongoDB-less mode instead.
 *
 * One harness adjustment, made through `go test -overlay` (the checkout is not modified): upstream's
 * setup drops the test database's users with `dropAllUsersFromDatabase`, a command that exists only
 * with FerretDB's "new auth", which the embedding API does not enable; CommandNotFound is accepted there.
 * The harness also needs a `.git` folder at the checkout's root (it finds its root that way): a
 * `git clone` has one.
 *
 * Exit code: 1 when a test passes on stock and fails (or gives no result) on patched, else 0.
 * Output: the summary on stdout; per variant, the results and the trimmed output of failed tests in
 * `--out` (default `.cache/upstream-db-tests/<time>/`).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startEmbeddedDb, type EmbeddedDb } from '../server/db/embedded';
import { ensureDbBinary, type DbVariant } from './build-db';

const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['.', './cursors'];
const MODULE_PREFIX = 'github.com/FerretDB/FerretDB/integration';
/** Output lines kept per failed test (after dropping go test's own === lines). */
const OUTPUT_LINES_KEPT = 60;
/** Output lines of each regression printed in the summary. */
const OUTPUT_LINES_PRINTED = 25;
/** Names printed per category of changed results; the full lists are in the out folder. */
const NAMES_PRINTED = 150;

/** Package-level lines that are the harness's routine logging, not problems. */
const HARNESS_NOISE = /^(ok|PASS|FAIL)\b|^(observability|debug)\/\S+\.go:\d+\t|^setup\/startup\.go:\d+\t(Target system|Compat system)/;

type Status = 'pass' | 'fail' | 'skip' | 'noresult';

interface Options {
  checkout: string;
  run?: string;
  skip?: string;
  compat: boolean;
  variants: DbVariant[];
  out: string;
  timeout: string;
  parallel: number;
}

interface RunResult {
  variant: DbVariant;
  /** `<package> <test name>` → status. */
  results: Map<string, Status>;
  /** Trimmed output of failed (and unfinished) tests. */
  output: Map<string, string[]>;
  /** go test's exit code and anything it printed outside tests (build errors, panics, timeouts). */
  exitCode: number | null;
  packageOutput: string[];
  dbLog: string;
}

const USAGE = `usage: npx tsx scripts/upstream-db-tests.ts <FerretDB v1.24.2 checkout> [options]
  --run REGEX        only tests matching (go test -run), e.g. 'Query|Aggregate|Count'
  --skip REGEX       leave out tests matching (go test -skip)
  --no-compat        no compat reference: compat tests are skipped (upstream's mode without MongoDB)
  --variants LIST    comma-separated, default stock,patched
  --out DIR          where results go (default .cache/upstream-db-tests/<time>)
  --timeout DUR      go test -timeout per package (default 40m)
  --parallel N       go test -parallel (default 2)`;

function parseArgs(argv: string[]): Options {
  let checkout: string | undefined;
  const opts: Partial<Options> = { compat: true, variants: ['stock', 'patched'], timeout: '40m', parallel: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--run') opts.run = value();
    else if (a === '--skip') opts.skip = value();
    else if (a === '--no-compat') opts.compat = false;
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--timeout') opts.timeout = value();
    else if (a === '--parallel') opts.parallel = Number(value());
    else if (a === '--variants') {
      const list = value().split(',');
      if (list.some((v) => v !== 'stock' && v !== 'patched')) throw new Error(`--variants takes stock and/or patched\n${USAGE}`);
      opts.variants = list as DbVariant[];
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-') || checkout) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    else checkout = path.resolve(a);
  }
  if (!checkout) throw new Error(USAGE);
  if (!Number.isInteger(opts.parallel) || (opts.parallel ?? 0) < 1) throw new Error('--parallel takes a whole number >= 1');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return { ...(opts as Options), checkout, out: opts.out ?? path.join(ROOT, '.cache', 'upstream-db-tests', stamp) };
}

/** Checks the checkout and writes the harness overlay; returns the overlay's JSON file. */
async function prepareHarness(checkout: string, workDir: string): Promise<string> {
  const integration = path.join(checkout, 'integration');
  const goMod = path.join(integration, 'go.mod');
  if (!existsSync(goMod) || !(await fs.readFile(goMod, 'utf8')).includes(`module ${MODULE_PREFIX}\n`)) {
    throw new Error(`${checkout} is not a FerretDB checkout (no integration/go.mod); clone it: git clone --branch v1.24.2 https://github.com/FerretDB/FerretDB.git`);
  }
  if (!existsSync(path.join(checkout, '.git'))) {
    throw new Error(`${checkout} has no .git: FerretDB's test harness finds its root folder by it. Use a git clone (or create an empty ${path.join(checkout, '.git')} folder).`);
  }
  const setupFile = path.join(integration, 'setup', 'setup.go');
  const source = await fs.readFile(setupFile, 'utf8');
  const drop = 'err := database.RunCommand(ctx, bson.D{{"dropAllUsersFromDatabase", 1}}).Err()\n\t\trequire.NoError(tb, err)';
  if (source.split(drop).length !== 2) {
    throw new Error(`${setupFile} is not the v1.24.2 harness this script adjusts (its dropAllUsersFromDatabase call changed)`);
  }
  const patched = source.replace(
    drop,
    'err := database.RunCommand(ctx, bson.D{{"dropAllUsersFromDatabase", 1}}).Err()\n' +
      '\t\t// adjusted by xianrong scripts/upstream-db-tests.ts: 59 is CommandNotFound (no new auth)\n' +
      '\t\tif ce, ok := err.(mongo.CommandError); !ok || ce.Code != 59 {\n' +
      '\t\t\trequire.NoError(tb, err)\n' +
      '\t\t}',
  );
  const patchedFile = path.join(workDir, 'setup.go');
  await fs.writeFile(patchedFile, patched);
  const overlay = path.join(workDir, 'overlay.json');
  await fs.writeFile(overlay, JSON.stringify({ Replace: { [setupFile]: patchedFile } }));
  return overlay;
}

interface TestEvent {
  Action: string;
  Package?: string;
  Test?: string;
  Output?: string;
}

/** `go test -json` of the chosen packages against targetUri; collects every test's result. */
async function runGoTest(opts: Options, overlay: string, variant: DbVariant, target: EmbeddedDb, compat: EmbeddedDb | undefined, dbLog: string): Promise<RunResult> {
  const args = ['test', '-json', '-count=1', '-p', '1', `-parallel=${opts.parallel}`, `-timeout=${opts.timeout}`, `-overlay=${overlay}`];
  if (opts.run) args.push('-run', opts.run);
  if (opts.skip) args.push('-skip', opts.skip);
  args.push(...PACKAGES, '-target-backend=ferretdb-sqlite', `-target-url=${target.uri}`, '-log-level=error');
  if (compat) args.push(`-compat-url=${compat.uri}`);

  const results = new Map<string, Status>();
  const output = new Map<string, string[]>();
  const packageOutput: string[] = [];
  const child = spawn('go', args, { cwd: path.join(opts.checkout, 'integration'), stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', (err) => packageOutput.push(`could not run go (the Go toolchain must be on PATH): ${err.message}`));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => packageOutput.push(...chunk.split('\n').filter(Boolean)));
  let finished = 0;
  for await (const line of readline.createInterface({ input: child.stdout })) {
    let ev: TestEvent;
    try {
      ev = JSON.parse(line) as TestEvent;
    } catch {
      packageOutput.push(line);
      continue;
    }
    const pkg = (ev.Package ?? '').replace(MODULE_PREFIX, '') || '.';
    if (!ev.Test) {
      // Package-level: build errors, panics, timeouts and the final ok/FAIL line.
      if (ev.Output && !HARNESS_NOISE.test(ev.Output)) packageOutput.push(`${pkg}: ${ev.Output.trimEnd()}`);
      continue;
    }
    const key = `${pkg} ${ev.Test}`;
    if (ev.Action === 'run') {
      results.set(key, 'noresult');
      output.set(key, []);
    } else if (ev.Action === 'output' && ev.Output !== undefined) {
      const kept = output.get(key);
      const text = ev.Output.trimEnd();
      if (kept && kept.length < OUTPUT_LINES_KEPT && !/^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP))/.test(text)) kept.push(text);
    } else if (ev.Action === 'pass' || ev.Action === 'skip' || ev.Action === 'fail') {
      results.set(key, ev.Action);
      if (ev.Action !== 'fail') output.delete(key);
      if (++finished % 5000 === 0) console.error(`  ${variant}: ${finished} results so far`);
    }
  }
  const exitCode = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return { variant, results, output, exitCode, packageOutput, dbLog };
}

async function runVariant(opts: Options, overlay: string, variant: DbVariant, workDir: string): Promise<RunResult> {
  const binary = await ensureDbBinary({ variant, log: (s) => console.error(s) });
  const reference = opts.compat ? await ensureDbBinary({ variant: 'stock', log: (s) => console.error(s) }) : undefined;
  const dbLog = path.join(opts.out, `${variant}-db.log`);
  const logLines: string[] = [];
  const log = (name: string) => (line: string) => logLines.push(`${name}: ${line}`);
  console.error(`${variant}: ${binary}`);
  const target = await startEmbeddedDb({ binary, dataDir: path.join(workDir, `${variant}-target`), log: log('target') });
  let compat: EmbeddedDb | undefined;
  try {
    if (reference) compat = await startEmbeddedDb({ binary: reference, dataDir: path.join(workDir, `${variant}-reference`), log: log('stock reference') });
    console.error(`${variant}: go test ${PACKAGES.join(' ')} against ${target.uri}${compat ? `, compat reference (stock) ${compat.uri}` : ', compat tests skipped'}`);
    const started = Date.now();
    const result = await runGoTest(opts, overlay, variant, target, compat, dbLog);
    console.error(`${variant}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return result;
  } finally {
    await compat?.stop();
    await target.stop();
    await fs.writeFile(dbLog, logLines.join('\n') + '\n');
  }
}

function counts(r: RunResult, sub: boolean) {
  const c: Record<Status, number> = { pass: 0, fail: 0, skip: 0, noresult: 0 };
  for (const [key, s] of r.results) if (key.includes('/') === sub) c[s]++;
  return c;
}

async function writeVariantFiles(opts: Options, r: RunResult): Promise<void> {
  const lines = [...r.results].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => `${s}\t${k}`);
  await fs.writeFile(path.join(opts.out, `${r.variant}-results.tsv`), lines.join('\n') + '\n');
  const failures = [...r.output].sort(([a], [b]) => a.localeCompare(b)).map(([k, out]) => `### ${k} (${r.results.get(k)})\n${out.join('\n')}\n`);
  await fs.writeFile(path.join(opts.out, `${r.variant}-failures.txt`), failures.join('\n') + (r.packageOutput.length ? `\n### outside tests\n${r.packageOutput.join('\n')}\n` : ''));
}

/** Prints the summary; returns the number of regressions (pass on stock, not on patched). */
async function summarize(opts: Options, runs: RunResult[]): Promise<number> {
  const row = (label: string, vals: string[]) => `${label.padEnd(26)}${vals.map((v) => v.padStart(22)).join('')}`;
  console.log(`\nFerretDB v1.24.2 integration tests (${PACKAGES.join(' ')}) against xianrong-ferretdb; compat reference: ${opts.compat ? 'a stock instance' : 'none (compat tests skipped)'}`);
  console.log(row('', runs.map((r) => r.variant)));
  for (const sub of [false, true]) {
    const cs = runs.map((r) => counts(r, sub));
    for (const s of ['pass', 'fail', 'skip', 'noresult'] as Status[]) {
      console.log(row(`${sub ? 'subtests' : 'top-level tests'} ${s}`, cs.map((c) => String(c[s]))));
    }
  }
  console.log(row('go test exit code', runs.map((r) => String(r.exitCode))));
  for (const r of runs) {
    if (r.packageOutput.length) console.log(`\n${r.variant}: output outside tests (build errors, panics, timeouts):\n  ${r.packageOutput.slice(0, 20).join('\n  ')}`);
    if (/panic|fatal/i.test(await fs.readFile(r.dbLog, 'utf8').catch(() => ''))) console.log(`\n${r.variant}: the database logged a panic, see ${r.dbLog}`);
  }

  const stock = runs.find((r) => r.variant === 'stock');
  const patched = runs.find((r) => r.variant === 'patched');
  if (!stock || !patched) return 0;
  const keys = new Set([...stock.results.keys(), ...patched.results.keys()]);
  const changed = new Map<string, string[]>();
  for (const k of [...keys].sort()) {
    const a = stock.results.get(k) ?? 'absent';
    const b = patched.results.get(k) ?? 'absent';
    if (a === b) continue;
    const kind = a === 'pass' && (b === 'fail' || b === 'noresult') ? 'REGRESSION' : `${a} -> ${b}`;
    changed.set(kind, [...(changed.get(kind) ?? []), k]);
  }
  const diffFile = path.join(opts.out, 'differences.txt');
  await fs.writeFile(diffFile, [...changed].map(([kind, ks]) => `## ${kind} (${ks.length})\n${ks.join('\n')}\n`).join('\n'));
  if (changed.size === 0) {
    console.log('\nNo test result differs between stock and patched.');
    return 0;
  }
  console.log(`\nResults that differ between stock and patched (full lists: ${diffFile}):`);
  for (const [kind, ks] of changed) {
    console.log(`\n${kind === 'REGRESSION' ? 'REGRESSIONS: pass on stock, fail or no result on patched' : kind} (${ks.length})`);
    for (const k of ks.slice(0, NAMES_PRINTED)) {
      console.log(`  ${k}`);
      const out = kind === 'REGRESSION' ? (patched.output.get(k) ?? []).filter((l) => !/^\s*--- FAIL/.test(l)) : [];
      for (const l of out.slice(0, OUTPUT_LINES_PRINTED)) console.log(`      ${l}`);
    }
    if (ks.length > NAMES_PRINTED) console.log(`  … and ${ks.length - NAMES_PRINTED} more`);
  }
  return changed.get('REGRESSION')?.length ?? 0;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await fs.mkdir(opts.out, { recursive: true });
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-db-tests-'));
  try {
    const overlay = await prepareHarness(opts.checkout, workDir);
    const runs: RunResult[] = [];
    for (const variant of opts.variants) {
      const r = await runVariant(opts, overlay, variant, workDir);
      await writeVariantFiles(opts, r);
      runs.push(r);
    }
    const regressions = await summarize(opts, runs);
    console.log(`\nResults, failure output and database logs: ${opts.out}`);
    process.exitCode = regressions > 0 ? 1 : 0;
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(2);
});

/**
 * Real Chromium for the browser tests, driven by playwright-core, and the H5 build they open.
 * `npm test` builds dist/h5 before jest runs.
 *
 * Which Chromium: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium` when installed, else
 * the headless Chromium shipped inside the npm package `@sparticuz/chromium` (a devDependency), so
 * `npm test` needs no apt step on a machine with only Node and Go. `XIANRONG_BROWSER=npm` forces
 * the npm one (to prove that path on a machine that has Debian's).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
export const H5_DIR = path.join(ROOT, 'dist/h5');
export const ARTIFACTS = path.resolve(__dirname, '../artifacts');
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// Without the networking flags Chromium keeps trying to reach Google's hosts, which an offline
// machine refuses many times a second. playwright gives each launch a fresh profile.
const OUR_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// @sparticuz/chromium's serverless flags left out: two would relax what the tests must see as a
// real phone does (same-origin rules, mixed content), and `--single-process` (for AWS Lambda) makes
// the browser exit when a test closes its first context.
const LEFT_OUT_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

export interface ChromiumChoice {
  source: 'CHROMIUM_PATH' | 'debian' | 'npm';
  executablePath: string;
  args: string[];
}

/** The Chromium the browser tests use, by the rule above. */
export async function chooseChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const forceNpm = env.XIANRONG_BROWSER === 'npm';
  if (!forceNpm && env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return { source: 'CHROMIUM_PATH', executablePath: env.CHROMIUM_PATH, args: OUR_ARGS };
  }
  if (!forceNpm && existsSync(DEBIAN_CHROMIUM)) return { source: 'debian', executablePath: DEBIAN_CHROMIUM, args: OUR_ARGS };
  const npm = await npmChromium();
  const args = [...npm.args.filter((a) => !LEFT_OUT_ARGS.has(a)), ...OUR_ARGS.filter((a) => !npm.args.includes(a))];
  return { source: 'npm', executablePath: npm.executablePath, args };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(path.join(H5_DIR, 'index.html'))) throw new Error('dist/h5 is missing: run `npx tsx scripts/build-app.ts h5` (npm test does it first)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const choice = await chooseChromium();
  return chromium.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
}

/** A page the size of an ordinary phone, in Chinese. */
export async function newPhone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

// --- Chromium from npm -------------------------------------------------------------------------

const UNPACK_TIMEOUT_MS = 180_000;
const run = promisify(execFile);

/**
 * `@sparticuz/chromium` unpacks its browser into `os.tmpdir()/chromium` and takes any existing file
 * there as done, so two test files unpacking at once, or an unpack killed halfway, would leave a
 * broken browser for every later run. Here it unpacks once per version into a staging folder of
 * its own, under a lock shared by the jest workers, and the folder is renamed into place only when
 * complete. The package is ESM-only, which jest's module system cannot load: it runs in a child
 * Node process (TMPDIR pointed at the staging folder), which prints the path and the flags.
 */
async function npmChromium(): Promise<{ executablePath: string; args: string[] }> {
  // The package's exports hide its package.json from require.resolve.
  const pkgDir = path.join(ROOT, 'node_modules', '@sparticuz', 'chromium');
  const { version } = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const home = path.join(os.tmpdir(), `xianrong-chromium-${version}`);
  const doneFile = path.join(home, 'xianrong-chromium.json');
  const lock = `${home}.lock`;
  const deadline = Date.now() + UNPACK_TIMEOUT_MS;
  for (;;) {
    const done = await readDone(doneFile);
    if (done) return { executablePath: path.join(home, done.executable), args: done.args };
    if (await takeLock(lock)) break;
    if (Date.now() > deadline) throw new Error(`waited ${UNPACK_TIMEOUT_MS / 1000} s for another process to unpack @sparticuz/chromium (lock ${lock})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    const again = await readDone(doneFile);
    if (again) return { executablePath: path.join(home, again.executable), args: again.args };
    const staging = await fs.mkdtemp(`${home}.staging-`);
    const script = "const c = (await import('@sparticuz/chromium')).default; process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args }));";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TMPDIR: staging }, timeout: UNPACK_TIMEOUT_MS, maxBuffer: 1 << 20 });
    const out = JSON.parse(stdout) as { executablePath: string; args: string[] };
    const executable = path.relative(staging, out.executablePath);
    if (executable.startsWith('..')) throw new Error(`@sparticuz/chromium unpacked outside its folder: ${out.executablePath}`);
    await fs.writeFile(path.join(staging, path.basename(doneFile)), JSON.stringify({ executable, args: out.args }));
    await fs.rm(home, { recursive: true, force: true });
    await fs.rename(staging, home);
    return { executablePath: path.join(home, executable), args: out.args };
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

async function readDone(file: string): Promise<{ executable: string; args: string[] } | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as { executable: string; args: string[] };
  } catch {
    return null;
  }
}

/** A lock folder holding its owner's pid; a lock whose owner has died is taken over. */
async function takeLock(lock: string): Promise<boolean> {
  try {
    await fs.mkdir(lock);
    await fs.writeFile(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const pid = Number(await fs.readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
  if (pid && !isAlive(pid)) await fs.rm(lock, { recursive: true, force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

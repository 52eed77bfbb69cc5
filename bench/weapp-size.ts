/**
 * The WeChat build's package sizes: the main package and each subpackage, per file type, in bytes
 * (what WeChat's limits count) with the gzip size beside as an indicator of content, next to WeChat's
 * limits. In the same run it builds the same sources UNMINIFIED (Taro's terser/CSS minifier off, into
 * dist/weapp-unminified; dist/weapp is untouched) so the figures show what minification saves, and it
 * runs WeChat's own upload compile (scripts/check-weapp.ts) on both to show the sizes WeChat would
 * upload after its own compression.
 *   npx tsx bench/weapp-size.ts            minified + unminified build, with WeChat's figures
 *   npx tsx bench/weapp-size.ts --quick    dist/weapp only, no second build, no WeChat compile
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureAppBuild } from '../scripts/build-app';
import { checkWeapp, WEAPP_LIMITS, type WeappCheckReport } from '../scripts/check-weapp';

const ROOT = path.resolve(__dirname, '..');
const UNMINIFIED = 'dist/weapp-unminified';
const BUILD_TIMEOUT_MS = 5 * 60_000;
const TYPES = ['js', 'wxml', 'wxss', 'json', 'wxs', 'image', 'other'] as const;
type FileType = (typeof TYPES)[number];
interface Size {
  bytes: number;
  gzip: number;
  files: number;
}
/** package root ('' = main) -> type -> size */
type Sizes = Map<string, Map<FileType | 'total', Size>>;

function typeOf(file: string): FileType {
  const ext = path.extname(file).slice(1).toLowerCase();
  if ((TYPES as readonly string[]).includes(ext)) return ext as FileType;
  return ['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp'].includes(ext) ? 'image' : 'other';
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return []; // .build-hash is the build cache's, not the app's
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listFiles(full, base);
    return [path.relative(base, full).split(path.sep).join('/')];
  });
}

function subPackageRoots(dir: string): string[] {
  const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as { subPackages?: { root: string }[]; subpackages?: { root: string }[] };
  return (app.subPackages ?? app.subpackages ?? []).map((p) => p.root.replace(/\/$/, ''));
}

function measure(dir: string): Sizes {
  const roots = subPackageRoots(dir);
  const sizes: Sizes = new Map(['', ...roots].map((r) => [r, new Map()]));
  for (const file of listFiles(dir)) {
    const root = roots.find((r) => file.startsWith(`${r}/`)) ?? '';
    const content = readFileSync(path.join(dir, file));
    for (const key of [typeOf(file), 'total'] as const) {
      const s = sizes.get(root)!.get(key) ?? { bytes: 0, gzip: 0, files: 0 };
      s.bytes += content.length;
      s.gzip += gzipSync(content, { level: 6 }).length;
      s.files += 1;
      sizes.get(root)!.set(key, s);
    }
  }
  return sizes;
}

function buildUnminified(): Promise<void> {
  rmSync(path.join(ROOT, UNMINIFIED), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['taro', 'build', '--type', 'weapp'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', XIANRONG_WEAPP_UNMINIFIED_OUTPUT: UNMINIFIED },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-3000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && existsSync(path.join(ROOT, UNMINIFIED, 'app.json'))) resolve();
      else reject(new Error(`unminified weapp build failed (exit ${code}):\n${tail}`));
    });
  });
}

/**
 * Libraries worth watching, by a string their minified code keeps: the files that hold each and the
 * package those files count against (the staff charts' uCharts must stay out of the main package).
 */
const LIBRARIES = [{ name: 'uCharts (@qiun/ucharts, staff charts)', marker: '[uCharts]' }];

function libraryPlaces(dir: string): string[] {
  const roots = subPackageRoots(dir);
  const js = listFiles(dir).filter((f) => f.endsWith('.js'));
  return LIBRARIES.map(({ name, marker }) => {
    const places = js
      .filter((f) => readFileSync(path.join(dir, f), 'utf8').includes(marker))
      .map((f) => `${f} (${roots.find((r) => f.startsWith(`${r}/`)) ?? 'main'}, file ${kb(readFileSync(path.join(dir, f)).length)})`);
    return `  ${name}: ${places.length ? places.join(', ') : 'not in the build'}`;
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n: number) => `${n / 1024 / 1024} MB`;
const cell = (s: Size | undefined) => (s ? `${kb(s.bytes)} (${kb(s.gzip)})` : '-');

function uploadBytes(report: WeappCheckReport | null, root: string): string {
  const p = report?.packages.find((x) => x.root === root);
  return p?.uploadBytes === undefined ? '-' : kb(p.uploadBytes);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = Date.now();
  const minDir = await ensureAppBuild('weapp', { log: (l) => (/build (is up to date|done)|Building|rebuilding/.test(l) ? console.log(l) : undefined) });
  let unminDir: string | null = null;
  if (!quick) {
    console.log(`building the same sources unminified into ${UNMINIFIED} ...`);
    await buildUnminified();
    unminDir = path.join(ROOT, UNMINIFIED);
  }
  const minSizes = measure(minDir);
  const unminSizes = unminDir ? measure(unminDir) : null;
  // WeChat's own figures: the size it counts per package, and its upload compile's output.
  const minReport = quick ? null : await checkWeapp(minDir);
  const unminReport = quick || !unminDir ? null : await checkWeapp(unminDir);

  console.log('\nWeChat build sizes: bytes (gzip -6 in brackets, an indicator only: WeChat limits count bytes)');
  const header = ['package', 'type', 'files', 'minified (dist/weapp)', unminSizes ? 'unminified' : '', unminSizes ? 'saved' : ''];
  const rows: string[][] = [header];
  for (const [root, byType] of minSizes) {
    for (const type of [...TYPES, 'total'] as const) {
      const m = byType.get(type);
      if (!m) continue;
      const u = unminSizes?.get(root)?.get(type);
      const saved = u && u.bytes ? `${(100 * (1 - m.bytes / u.bytes)).toFixed(0)}%` : '';
      rows.push([root || 'main', type, String(m.files), cell(m), unminSizes ? cell(u) : '', saved]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());

  console.log('\nAgainst WeChat\'s limits (main and each subpackage 2 MB, all 20 MB; code quality recommends main < 1.5 MB):');
  let total = 0;
  for (const [root, byType] of minSizes) {
    const bytes = byType.get('total')?.bytes ?? 0;
    total += bytes;
    const limit = root ? WEAPP_LIMITS.subPackageBytes : WEAPP_LIMITS.mainBytes;
    const counted = minReport?.packages.find((p) => p.root === root)?.bytes;
    const wechat = minReport ? `; WeChat counts ${counted === undefined ? '-' : kb(counted)}, uploads ${uploadBytes(minReport, root)} (unminified build would upload ${uploadBytes(unminReport, root)})` : '';
    console.log(`  ${(root || 'main').padEnd(16)} ${kb(bytes).padStart(10)} = ${((100 * bytes) / limit).toFixed(1)}% of ${mb(limit)}${wechat}`);
  }
  console.log(`  ${'all packages'.padEnd(16)} ${kb(total).padStart(10)} = ${((100 * total) / WEAPP_LIMITS.totalBytes).toFixed(2)}% of ${mb(WEAPP_LIMITS.totalBytes)}`);
  console.log('\nLibraries (the file that holds each, and the package it counts against):');
  for (const line of libraryPlaces(minDir)) console.log(line);
  if (minReport && !minReport.ok) console.log(`\nWeChat's check of dist/weapp reports ${minReport.errors.length} error(s): run npx tsx scripts/check-weapp.ts`);
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

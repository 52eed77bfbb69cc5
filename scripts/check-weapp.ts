/**
 * Checks a built WeChat mini-program (dist/weapp) with WeChat's own tools, offline, so a package that
 * WeChat DevTools or the upload would refuse never lands:
 *   - app.json: every page (main package and subpackages) has its .js, .json and .wxml;
 *   - wcc, WeChat's WXML compiler, on every .wxml (one file at a time, so every broken file is named);
 *   - wcsc, WeChat's WXSS compiler, on all .wxss together (as DevTools runs it; it resolves @import
 *     only within the list, and stops at the first error);
 *   - miniprogram-ci on a temporary copy: getCompiledResult (DevTools' pre-upload compile with the
 *     project's own upload settings: app.json/page JSON schema, tab icons, every JS through WeChat's
 *     Babel and minifier, WXML/WXSS compression; it stops at the first error), analyseCode (dependency
 *     graph: an <import>/require of a missing file) and checkCodeQuality (package sizes, compression
 *     and lazy-code-loading switches, unused files);
 *   - release build shape: JS and WXSS minified, package sizes within WeChat's limits.
 * Prints a report and exits non-zero on any error.
 *   tsx scripts/check-weapp.ts [dir]       (default dist/weapp)
 *   tsx scripts/check-weapp.ts [dir] --json
 * Or `await checkWeapp(dir)` for the report as data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const COMPILER_BIN = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux');

/**
 * WeChat's hard package limits (developers.weixin.qq.com, "分包加载"): 2 MB for the main package and
 * for each subpackage, 20 MB for all packages together. checkCodeQuality separately recommends a main
 * package under 1.5 MB (its PACKAGE_SIZE_LIMIT item); a failed quality item is an error here too.
 */
export const WEAPP_LIMITS = { mainBytes: 2 * 1024 * 1024, subPackageBytes: 2 * 1024 * 1024, totalBytes: 20 * 1024 * 1024 };

export type WeappTool = 'app.json' | 'wcc' | 'wcsc' | 'compile' | 'analyse' | 'quality' | 'limits' | 'minified' | 'ci';
export interface WeappIssue {
  tool: WeappTool;
  /** Path relative to the checked folder, when the tool names one. */
  file?: string;
  message: string;
}
export interface QualityItem {
  name?: string;
  success?: boolean;
  text?: string;
  detail?: unknown;
}
export interface WeappPackageSize {
  /** '' for the main package, else the subpackage root as in app.json (e.g. 'packages/staff'). */
  root: string;
  /** Bytes of the files WeChat counts for this package (checkCodeQuality's figure). */
  bytes: number;
  /** Bytes of this package as the upload compile produced it (compressed by WeChat), when it compiled. */
  uploadBytes?: number;
}
export interface WeappCheckReport {
  dir: string;
  ok: boolean;
  errors: WeappIssue[];
  lazyCodeLoading: string | null;
  pages: { main: string[]; subPackages: Record<string, string[]> };
  wxmlFiles: number;
  wxssFiles: number;
  packages: WeappPackageSize[];
  /** Bytes of each file as the upload compile produced it; null when it did not compile. */
  uploadFiles: Record<string, number> | null;
  quality: QualityItem[];
  /** Output of the miniprogram-ci child process, kept for when it failed in an unexpected way. */
  ciLog: string;
}

interface AppJson {
  pages?: string[];
  subPackages?: { root: string; pages: string[] }[];
  subpackages?: { root: string; pages: string[] }[];
  lazyCodeLoading?: string;
}

/** What the miniprogram-ci child process writes to its result file. */
interface CiResult {
  compile: { ok: true; files: Record<string, number> } | { ok: false; code?: number; path?: string; message: string };
  analyse: { ok: true; unresolved: { file: string; request: string; error: string }[] } | { ok: false; message: string };
  quality: { ok: true; items: QualityItem[] } | { ok: false; message: string };
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : listFiles(full, base);
      return e.isFile() ? [path.relative(base, full).split(path.sep).join('/')] : [];
    }),
  );
  return nested.flat().sort();
}

/** npm drops the execute bit of the compilers shipped in miniprogram-compiler: put it back. */
function compilerPath(name: 'wcc' | 'wcsc'): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`WeChat's ${name} is only available here for Linux x64`);
  const bin = path.join(COMPILER_BIN, name);
  chmodSync(bin, 0o755);
  return bin;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The file a compiler message starts with ("pages/a/index.wxml:3:3: ..." or "ERR: x.wxss(1:14): ..."). */
function fileInMessage(message: string, files: string[]): string | undefined {
  return files.find((f) => message.includes(`${f}:`) || message.includes(`${f}(`));
}

function checkAppJson(dir: string, app: AppJson, files: Set<string>): WeappIssue[] {
  const issues: WeappIssue[] = [];
  const pages = [...(app.pages ?? []), ...(app.subPackages ?? app.subpackages ?? []).flatMap((p) => p.pages.map((page) => `${p.root.replace(/\/$/, '')}/${page}`))];
  for (const page of pages) {
    for (const ext of ['js', 'json', 'wxml']) {
      if (!files.has(`${page}.${ext}`)) issues.push({ tool: 'app.json', file: `${page}.${ext}`, message: `app.json lists page "${page}" but ${page}.${ext} is missing` });
    }
  }
  return issues;
}

function runWcc(dir: string, wxml: string[], wxs: string[]): WeappIssue[] {
  const wcc = compilerPath('wcc');
  const issues: WeappIssue[] = [];
  for (const file of wxml) {
    // Custom components a page uses, as DevTools passes them: "<count> <page.wxml> <n> <names...>".
    const json = readJson<{ usingComponents?: Record<string, string> }>(path.join(dir, file.replace(/\.wxml$/, '.json')));
    const names = Object.keys(json?.usingComponents ?? {});
    const componentArgs = names.length ? `1 ${file} ${names.length} ${names.join(' ')}` : '0';
    const r = spawnSync(wcc, ['-d', '-cc', componentArgs, file, ...wxs, '-gn', '$gwx'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      const message = (r.stderr.toString().trim() || `wcc exited with ${r.status}`).split('\n').slice(0, 5).join('\n');
      issues.push({ tool: 'wcc', file, message });
    }
  }
  return issues;
}

function runWcsc(dir: string, wxss: string[]): WeappIssue[] {
  if (!wxss.length) return [];
  // Component/page styles (those with a .json beside them) first, their count after -pc, as DevTools does.
  const isComponent = (f: string) => existsSync(path.join(dir, f.replace(/\.wxss$/, '.json')));
  const ordered = [...wxss.filter(isComponent), ...wxss.filter((f) => !isComponent(f))];
  const r = spawnSync(compilerPath('wcsc'), ['-db', '-pc', String(wxss.filter(isComponent).length), ...ordered], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status === 0) return [];
  const lines = r.stderr.toString().split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('error file count'));
  if (!lines.length) return [{ tool: 'wcsc', message: `wcsc exited with ${r.status}` }];
  return lines.map((message) => ({ tool: 'wcsc' as const, file: fileInMessage(message, wxss), message }));
}

/** A minified file has no indented lines; a pretty-printed one has many. */
function checkMinified(dir: string, files: string[]): WeappIssue[] {
  const issues: WeappIssue[] = [];
  for (const file of files.filter((f) => /\.(js|wxss)$/.test(f))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const indented = text.split('\n').filter((l) => /^[ \t]+\S/.test(l)).length;
    if (indented > 2) issues.push({ tool: 'minified', file, message: `${file} is not minified (${indented} indented lines)` });
  }
  return issues;
}

/** Runs the miniprogram-ci part in a child process: the library leaves a file watcher open. */
function runCiChild(copy: string, resultFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), __filename, '--ci-child', copy, resultFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(log) : reject(new Error(`miniprogram-ci child exited with ${code}:\n${log}`))));
  });
}

function packageOf(file: string, roots: string[]): string {
  return roots.find((r) => file.startsWith(`${r}/`)) ?? '';
}

/** Checks the mini-program in `dir` (default dist/weapp). Never changes `dir`: the ci part runs on a copy. */
export async function checkWeapp(dir = path.join(ROOT, 'dist', 'weapp')): Promise<WeappCheckReport> {
  dir = path.resolve(dir);
  const app = readJson<AppJson>(path.join(dir, 'app.json'));
  if (!app) throw new Error(`${dir}/app.json is missing or not JSON: build first (npx tsx scripts/build-app.ts weapp)`);
  const subPackages = app.subPackages ?? app.subpackages ?? [];
  const roots = subPackages.map((p) => p.root.replace(/\/$/, ''));
  const files = await listFiles(dir);
  const wxml = files.filter((f) => f.endsWith('.wxml'));
  const wxss = files.filter((f) => f.endsWith('.wxss'));
  const wxs = files.filter((f) => f.endsWith('.wxs'));

  const errors: WeappIssue[] = [
    ...checkAppJson(dir, app, new Set(files)),
    ...runWcc(dir, wxml, wxs),
    ...runWcsc(dir, wxss),
    ...checkMinified(dir, files),
  ];
  if (app.lazyCodeLoading !== 'requiredComponents') {
    errors.push({ tool: 'app.json', file: 'app.json', message: `lazyCodeLoading is ${JSON.stringify(app.lazyCodeLoading ?? null)}, want "requiredComponents"` });
  }

  // miniprogram-ci wants the project folder to be the mini-program itself (miniprogramRoot './').
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'check-weapp-'));
  const copy = path.join(tmp, 'weapp');
  let ciLog = '';
  let ci: CiResult | null = null;
  try {
    await fs.cp(dir, copy, { recursive: true });
    const projectConfig = readJson<Record<string, unknown>>(path.join(dir, 'project.config.json')) ?? readJson<Record<string, unknown>>(path.join(ROOT, 'project.config.json')) ?? {};
    await fs.writeFile(path.join(copy, 'project.config.json'), JSON.stringify({ ...projectConfig, miniprogramRoot: './', appid: 'touristappid', compileType: 'miniprogram' }, null, 2));
    const resultFile = path.join(tmp, 'ci-result.json');
    ciLog = await runCiChild(copy, resultFile);
    ci = JSON.parse(await fs.readFile(resultFile, 'utf8')) as CiResult;
  } catch (err) {
    errors.push({ tool: 'ci', message: err instanceof Error ? err.message : String(err) });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }

  const quality = ci?.quality.ok ? ci.quality.items : [];
  if (ci) {
    if (!ci.compile.ok) errors.push({ tool: 'compile', file: ci.compile.path, message: `${ci.compile.code ?? ''} ${ci.compile.message}`.trim() });
    if (!ci.analyse.ok) errors.push({ tool: 'analyse', message: ci.analyse.message });
    else for (const u of ci.analyse.unresolved) errors.push({ tool: 'analyse', file: u.file, message: `${u.file}: cannot resolve "${u.request}": ${u.error}` });
    if (!ci.quality.ok) errors.push({ tool: 'quality', message: ci.quality.message });
    else for (const q of quality) if (q.success === false) errors.push({ tool: 'quality', message: `${q.name}: ${q.text}` });
  }

  // Package sizes as WeChat counts them (the quality check's PACKAGE_SIZE_LIMIT detail: "__APP__" and
  // "<root>/"), and the upload compile's output per package beside them.
  const sizeDetail = (quality.find((q) => q.name === 'PACKAGE_SIZE_LIMIT')?.detail ?? {}) as Record<string, number>;
  const uploaded = ci?.compile.ok ? ci.compile.files : null;
  const packages: WeappPackageSize[] = ['', ...roots].map((root) => ({
    root,
    bytes: sizeDetail[root ? `${root}/` : '__APP__'] ?? files.filter((f) => packageOf(f, roots) === root).reduce((n, f) => n + readFileSync(path.join(dir, f)).length, 0),
    uploadBytes: uploaded ? Object.entries(uploaded).filter(([f]) => packageOf(f, roots) === root).reduce((n, [, b]) => n + b, 0) : undefined,
  }));
  for (const p of packages) {
    const limit = p.root ? WEAPP_LIMITS.subPackageBytes : WEAPP_LIMITS.mainBytes;
    const size = Math.max(p.bytes, p.uploadBytes ?? 0);
    if (size > limit) errors.push({ tool: 'limits', message: `${p.root || 'main package'} is ${size} bytes, over WeChat's ${limit}` });
  }
  const total = packages.reduce((n, p) => n + Math.max(p.bytes, p.uploadBytes ?? 0), 0);
  if (total > WEAPP_LIMITS.totalBytes) errors.push({ tool: 'limits', message: `all packages are ${total} bytes, over WeChat's ${WEAPP_LIMITS.totalBytes}` });

  return {
    dir,
    ok: errors.length === 0,
    errors,
    lazyCodeLoading: app.lazyCodeLoading ?? null,
    pages: { main: app.pages ?? [], subPackages: Object.fromEntries(subPackages.map((p) => [p.root.replace(/\/$/, ''), p.pages])) },
    wxmlFiles: wxml.length,
    wxssFiles: wxss.length,
    packages,
    uploadFiles: uploaded,
    quality,
    ciLog,
  };
}

/** The child process: miniprogram-ci's compile, dependency analysis and quality check on `copy`. */
async function ciChild(copy: string, resultFile: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ci = require('miniprogram-ci') as typeof import('miniprogram-ci');
  const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: copy, privateKey: 'unused', ignores: [] });
  // Nothing to sign or fetch: the default attributes instead of asking WeChat's servers.
  (project as unknown as { attr: () => Promise<unknown> }).attr = async () => ci.DefaultProjectAttr;
  const setting = (readJson<{ setting?: Record<string, unknown> }>(path.join(copy, 'project.config.json'))?.setting ?? {}) as Record<string, boolean | undefined>;
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const result: Partial<CiResult> = {};
  try {
    // The upload's own settings: what WeChat would compile and compress when this project is uploaded.
    const compiled = await ci.getCompiledResult({
      project,
      version: '0.0.0',
      setting: { es6: !!setting.es6, es7: !!setting.enhance, minify: !!setting.minified, minifyJS: !!setting.minified, minifyWXML: !!setting.minifyWXML, minifyWXSS: !!setting.minifyWXSS },
    });
    result.compile = { ok: true, files: Object.fromEntries(Object.entries(compiled).map(([f, c]) => [f, typeof c === 'string' ? Buffer.byteLength(c) : c.length])) };
  } catch (err) {
    const e = err as { code?: number; path?: string };
    result.compile = { ok: false, code: e.code, path: e.path, message: message(err) };
  }
  try {
    const analysed = await ci.analyseCode(project, { silent: true });
    const unresolved: { file: string; request: string; error: string }[] = [];
    for (const m of analysed?.modules ?? []) {
      for (const d of (m as { deps?: { request?: string; error?: string; originModuleId?: string }[] }).deps ?? []) {
        if (d.error) unresolved.push({ file: String(d.originModuleId ?? '').replace(/^[^:]*:/, ''), request: String(d.request), error: d.error });
      }
    }
    result.analyse = { ok: true, unresolved };
  } catch (err) {
    result.analyse = { ok: false, message: message(err) };
  }
  try {
    result.quality = { ok: true, items: (await ci.checkCodeQuality(project)) as QualityItem[] };
  } catch (err) {
    result.quality = { ok: false, message: message(err) };
  }
  await fs.writeFile(resultFile, JSON.stringify(result));
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

export function formatWeappReport(r: WeappCheckReport): string {
  const lines = [`WeChat check of ${r.dir}`];
  lines.push(`  pages: ${r.pages.main.length} main, ${Object.entries(r.pages.subPackages).map(([root, p]) => `${p.length} in ${root}`).join(', ') || 'no subpackages'}`);
  lines.push(`  wcc: ${r.wxmlFiles} .wxml, wcsc: ${r.wxssFiles} .wxss; lazyCodeLoading: ${r.lazyCodeLoading ?? 'off'}`);
  for (const p of r.packages) {
    const limit = p.root ? WEAPP_LIMITS.subPackageBytes : WEAPP_LIMITS.mainBytes;
    const upload = p.uploadBytes === undefined ? '' : `, ${formatBytes(p.uploadBytes)} as compiled for upload`;
    lines.push(`  ${(p.root || 'main package').padEnd(16)} ${formatBytes(p.bytes)}${upload} (limit ${formatBytes(limit)})`);
  }
  if (r.quality.length) lines.push(`  code quality: ${r.quality.map((q) => `${q.name} ${q.success ? 'ok' : 'FAILED'}`).join(', ')}`);
  if (r.ok) lines.push('OK: no errors');
  else {
    lines.push(`FAILED: ${r.errors.length} error(s)`);
    for (const e of r.errors) lines.push(`  [${e.tool}]${e.file ? ` ${e.file}:` : ''} ${e.message.split('\n').join('\n    ')}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--ci-child') {
    ciChild(args[1], args[2])
      // miniprogram-ci leaves a file watcher open: end the process explicitly.
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  } else {
    const dir = args.find((a) => !a.startsWith('--'));
    checkWeapp(dir)
      .then((report) => {
        console.log(args.includes('--json') ? JSON.stringify({ ...report, ciLog: undefined }, null, 2) : formatWeappReport(report));
        process.exit(report.ok ? 0 : 1);
      })
      .catch((err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(2);
      });
  }
}

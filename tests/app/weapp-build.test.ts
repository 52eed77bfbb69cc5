/**
 * @jest-environment node
 *
 * The WeChat build (`npm test` builds dist/weapp first): what WeChat DevTools will load, checked with
 * WeChat's own compilers and pre-upload checks (scripts/check-weapp.ts: wcc, wcsc, miniprogram-ci).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkWeapp, formatWeappReport, WEAPP_LIMITS, type WeappCheckReport } from '../../scripts/check-weapp';

const WEAPP = path.resolve(__dirname, '../../dist/weapp');
// wcc, wcsc and miniprogram-ci's compile take ~10-30 s on a busy 2-core machine.
const CHECK_TIMEOUT = 240_000;
const STAFF_ROOT = 'packages/staff';

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, base);
    return [path.relative(base, full).split(path.sep).join('/')];
  });
}

function readApp(dir: string) {
  return JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
}

const SRC = path.resolve(__dirname, '../../src');

/**
 * What is missing for the pages app.json lists in `dir`: each page's .js, .json and .wxml (WeChat
 * needs them), and its .wxss whenever the source page has a stylesheet, holding the source's first
 * class (a style file is optional in WeChat, so only the source can say one is due).
 */
function pageFileProblems(dir: string): string[] {
  const app = readApp(dir);
  const pages: string[] = [...app.pages, ...app.subPackages.flatMap((p: { root: string; pages: string[] }) => p.pages.map((page) => `${p.root}/${page}`))];
  return pages.flatMap((page) => {
    const problems = ['js', 'json', 'wxml'].filter((ext) => !existsSync(path.join(dir, `${page}.${ext}`))).map((ext) => `${page}.${ext} missing`);
    const scss = path.join(SRC, `${page}.scss`);
    if (existsSync(scss)) {
      const firstClass = /^\s*\.([A-Za-z][\w-]*)/m.exec(readFileSync(scss, 'utf8'))?.[1];
      const wxss = path.join(dir, `${page}.wxss`);
      if (!existsSync(wxss)) problems.push(`${page}.wxss missing`);
      else if (firstClass && !readFileSync(wxss, 'utf8').includes(`.${firstClass}`)) problems.push(`${page}.wxss lacks .${firstClass}`);
    }
    return problems;
  });
}

describe('dist/weapp', () => {
  let report: WeappCheckReport;

  beforeAll(async () => {
    if (!existsSync(path.join(WEAPP, 'app.json'))) throw new Error('dist/weapp is missing: run `npx tsx scripts/build-app.ts weapp` (npm test does it first)');
    report = await checkWeapp(WEAPP);
  }, CHECK_TIMEOUT);

  it('has the four tabs, the resident pages and the staff subpackage', () => {
    // Catches: a tab, a resident page or the staff subpackage dropped from app.config.ts.
    const app = readApp(WEAPP);
    expect(app.tabBar.list.map((t: { text: string }) => t.text)).toEqual(['首页', '诉求', '服务', '我的']);
    expect(app.pages).toEqual(expect.arrayContaining(['pages/home/index', 'pages/login/index', 'pages/region-picker/index']));
    const staff = app.subPackages.find((p: { root: string }) => p.root === STAFF_ROOT);
    expect(staff.pages).toEqual(expect.arrayContaining(['pages/workbench/index', 'pages/room-binding/index']));
  });

  it("has every listed page's files, and the styles of every page that has a stylesheet", () => {
    // Catches: a page whose .wxss Taro did not emit (its styles lost on the phone) or whose .js,
    // .json or .wxml is missing. (An earlier form of this check ended in `|| ext === 'wxss'` and so
    // could never fail for a missing stylesheet.)
    const pages = readApp(WEAPP).pages.length;
    expect(pages).toBeGreaterThan(0);
    expect(pageFileProblems(WEAPP)).toEqual([]);
  });

  it('talks to the configured server address', () => {
    // Catches: TARO_APP_API_BASE not baked into the build, so the phone calls nowhere.
    const files = ['app.js', 'common.js', 'vendors.js'].map((f) => path.join(WEAPP, f)).filter(existsSync);
    const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(code).toContain(process.env.TARO_APP_API_BASE || 'http://127.0.0.1:3000');
  });

  it("passes WeChat's compilers and pre-upload checks with no error", () => {
    // Catches: any page, template or style that wcc, wcsc or DevTools' upload compile would refuse, a
    // missing page or import, or a failed code-quality item.
    if (report.errors.length) console.error(formatWeappReport(report));
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.wxmlFiles).toBeGreaterThan(0);
    expect(report.wxssFiles).toBeGreaterThan(0);
    expect(report.uploadFiles?.['app.json']).toBeGreaterThan(0);
  });

  it('loads custom components lazily (lazyCodeLoading: requiredComponents)', () => {
    // Catches: lazyCodeLoading removed from app.config.ts, or Taro no longer passing it to app.json.
    expect(readApp(WEAPP).lazyCodeLoading).toBe('requiredComponents');
    expect(report.quality.find((q) => q.name === 'LAZYCODE_LOADING_OPEN')?.success).toBe(true);
  });

  it('ships minified JS and WXSS, and has WeChat compress JS, WXML and WXSS at upload', () => {
    // Catches: a release build with pretty-printed JS/WXSS (terser or the CSS minifier turned off), or
    // DevTools' upload compression switched off in project.config.json.
    const files = filesUnder(WEAPP).filter((f) => /\.(js|wxss)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['app.js', 'taro.js', 'app-origin.wxss']));
    for (const f of files) {
      const indented = readFileSync(path.join(WEAPP, f), 'utf8').split('\n').filter((l) => /^[ \t]+\S/.test(l));
      expect({ file: f, indented: indented.length }).toEqual({ file: f, indented: 0 });
    }
    for (const name of ['JS_COMPRESS_OPEN', 'WXML_COMPRESS_OPEN', 'WXSS_COMPRESS_OPEN']) {
      expect({ name, success: report.quality.find((q) => q.name === name)?.success }).toEqual({ name, success: true });
    }
    // WeChat's upload compile really compresses the templates Taro writes pretty-printed.
    const baseWxml = readFileSync(path.join(WEAPP, 'base.wxml')).length;
    expect(report.uploadFiles?.['base.wxml']).toBeLessThan(baseWxml);
  });

  it("keeps the main package and the staff subpackage within WeChat's size limits", () => {
    // Catches: a package over WeChat's 2 MB (main or sub) / 20 MB (all) limits, or over the 1.5 MB main
    // package the code-quality check recommends.
    const main = report.packages.find((p) => p.root === '');
    const staff = report.packages.find((p) => p.root === STAFF_ROOT);
    expect(main?.bytes).toBeGreaterThan(0);
    expect(staff?.bytes).toBeGreaterThan(0);
    expect(main!.bytes).toBeLessThanOrEqual(WEAPP_LIMITS.mainBytes);
    expect(main!.uploadBytes).toBeLessThanOrEqual(WEAPP_LIMITS.mainBytes);
    expect(staff!.bytes).toBeLessThanOrEqual(WEAPP_LIMITS.subPackageBytes);
    expect(staff!.uploadBytes).toBeLessThanOrEqual(WEAPP_LIMITS.subPackageBytes);
    expect(report.packages.reduce((n, p) => n + p.bytes, 0)).toBeLessThanOrEqual(WEAPP_LIMITS.totalBytes);
    expect(report.quality.find((q) => q.name === 'PACKAGE_SIZE_LIMIT')?.success).toBe(true);
  });

  it('has the staff pages and their code only in the staff subpackage', () => {
    // Catches: staff pages listed in the main package, or staff-only code bundled into the main package
    // so every resident downloads it.
    const app = readApp(WEAPP);
    expect(app.pages.filter((p: string) => /workbench|room-binding|contact-binding/.test(p))).toEqual([]);
    const files = filesUnder(WEAPP);
    const staffPages = files.filter((f) => /(workbench|room-binding|contact-binding)\/index\.(js|wxml|json)$/.test(f));
    expect(staffPages).toHaveLength(9);
    expect(staffPages.every((f) => f.startsWith(`${STAFF_ROOT}/`))).toBe(true);
    // Class names used only by the staff pages appear only in subpackage files.
    const withStaffCode = files
      .filter((f) => /\.(js|wxss|wxml)$/.test(f))
      .filter((f) => /workbench__|room-binding__|contact-binding__/.test(readFileSync(path.join(WEAPP, f), 'utf8')));
    expect(withStaffCode.length).toBeGreaterThan(0);
    expect(withStaffCode.filter((f) => !f.startsWith(`${STAFF_ROOT}/`))).toEqual([]);
    expect(report.quality.find((q) => q.name === 'CONTAINS_OTHER_PKG_JS')?.success).toBe(true);
  });

  it("keeps the staff charts' library (uCharts) in the staff subpackage", () => {
    // Catches: Taro's default chunking putting every npm package in the main package's vendors.js,
    // so every resident downloads 140 KB of charts at launch (config/h5-chunks.ts weappSubpackageChunks),
    // or the subpackage's shared styles imported from app.wxss, where a subpackage file cannot be.
    const withCharts = filesUnder(WEAPP).filter((f) => f.endsWith('.js') && readFileSync(path.join(WEAPP, f), 'utf8').includes('[uCharts]'));
    expect(withCharts).toEqual([`${STAFF_ROOT}/shared.js`]);
    expect(readFileSync(path.join(WEAPP, 'app.wxss'), 'utf8')).not.toContain(STAFF_ROOT);
    expect(readFileSync(path.join(WEAPP, `${STAFF_ROOT}/pages/measures/index.wxss`), 'utf8')).toMatch(/^@import "\.\.\/\.\.\/shared\.wxss";/);
  });
});

describe('the WeChat check on a broken copy of dist/weapp', () => {
  let tmp: string;
  let report: WeappCheckReport;

  beforeAll(async () => {
    if (!existsSync(path.join(WEAPP, 'app.json'))) throw new Error('dist/weapp is missing: run `npx tsx scripts/build-app.ts weapp`');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'weapp-broken-'));
    cpSync(WEAPP, tmp, { recursive: true });
    writeFileSync(path.join(tmp, 'pages/home/index.wxml'), '<view class="a">\n  <text>unclosed\n</view>\n');
    writeFileSync(path.join(tmp, 'pages/services/index.wxss'), '.a{color:red');
    for (const ext of ['js', 'json', 'wxml', 'wxss']) rmSync(path.join(tmp, `pages/me/index.${ext}`), { force: true });
    // A page that lost only its stylesheet, and one whose stylesheet lost its rules.
    rmSync(path.join(tmp, 'pages/region-picker/index.wxss'));
    writeFileSync(path.join(tmp, `${STAFF_ROOT}/pages/workbench/index.wxss`), '');
    report = await checkWeapp(tmp);
  }, CHECK_TIMEOUT);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('fails, naming the unclosed WXML tag, the broken WXSS and the missing page', () => {
    // Catches: a check that cannot fail (a compiler not run, its exit code or stderr ignored, app.json
    // pages not looked at), which would let a package WeChat refuses land.
    expect(report.ok).toBe(false);
    const text = formatWeappReport(report);
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'wcc', file: 'pages/home/index.wxml' }),
        expect.objectContaining({ tool: 'wcsc', file: 'pages/services/index.wxss' }),
        expect.objectContaining({ tool: 'app.json', file: 'pages/me/index.wxml' }),
      ]),
    );
    // DevTools' own upload compile refuses it too, naming the missing page.
    const compile = report.errors.find((e) => e.tool === 'compile');
    expect(compile?.message).toContain('pages/me/index');
    expect(text).toContain('FAILED');
    expect(text).toContain('pages/home/index.wxml');
    expect(text).toContain('pages/services/index.wxss');
  });

  it('fails the page-files check, naming the missing page and the lost stylesheets', () => {
    // Catches: the page-files check above passing whatever the build wrote.
    expect(pageFileProblems(tmp)).toEqual([
      'pages/services/index.wxss lacks .services__search',
      'pages/me/index.js missing',
      'pages/me/index.json missing',
      'pages/me/index.wxml missing',
      'pages/me/index.wxss missing',
      'pages/region-picker/index.wxss missing',
      `${STAFF_ROOT}/pages/workbench/index.wxss lacks .workbench__who`,
    ]);
  });
});

/**
 * `npm run weapp:upload` / `weapp:preview` (scripts/weapp-publish.ts) as a county's IT staff run it,
 * offline: without an AppID or upload key it checks the build and then says what is missing (exit
 * 2); with a fake key and AppID it gets to miniprogram-ci's call and stops there (WEAPP_DRY_RUN=1).
 * Every run publishes a copy of dist/weapp (`--dir`), so the shared build is never rebuilt here;
 * `npm test` builds dist/weapp first.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runScript } from './run-script';

const SCRIPT = 'scripts/weapp-publish.ts';
const WEAPP = path.join(ROOT, 'dist/weapp');
const APPID = 'wx0123456789abcdef';
const PUBLIC_BASE = 'https://xianrong.example.gov.cn';
// The first run of a build content goes through wcc, wcsc and miniprogram-ci's compile (~10-30 s on a busy 2-core machine).
const RUN_TIMEOUT = 240_000;

let tmp: string;
/** dist/weapp as built (talks to the development address). */
let devBuild: string;
/** The same build as if TARO_APP_API_BASE had been the county's https origin. */
let publicBuild: string;
let keyFile: string;
let publicKeyFile: string;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(() => {
  if (!existsSync(path.join(WEAPP, 'app.json'))) throw new Error('dist/weapp is missing: run `npx tsx scripts/build-app.ts weapp` (npm test does it first)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'weapp-publish-'));
  devBuild = path.join(tmp, 'dev');
  publicBuild = path.join(tmp, 'public');
  cpSync(WEAPP, devBuild, { recursive: true });
  cpSync(WEAPP, publicBuild, { recursive: true });
  for (const f of jsFiles(publicBuild)) writeFileSync(f, readFileSync(f, 'utf8').replaceAll('http://127.0.0.1:3000', PUBLIC_BASE));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  keyFile = path.join(tmp, `private.${APPID}.key`);
  publicKeyFile = path.join(tmp, 'public.pem');
  writeFileSync(keyFile, privateKey);
  writeFileSync(publicKeyFile, publicKey);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run weapp:upload without the WeChat credentials', () => {
  // Bug caught: without a key the script crashed inside miniprogram-ci (or waited on WeChat's
  // servers) instead of saying, in words IT staff can act on, which variable to set and where in the
  // WeChat console to get it, and that the IP whitelist is needed too.
  it('checks the build, then names every missing setting and where to get it, and exits 2', async () => {
    const run = await runScript(SCRIPT, ['upload', '--dir', devBuild], {});
    // Checked now, or this same content passed before (the pass is remembered per content).
    expect(run.output).toMatch(/OK: no errors|this build passed before/);
    expect(run.output).toContain('cannot be sent to WeChat');
    expect(run.output).toContain('WEAPP_APPID is not set');
    expect(run.output).toContain('"touristappid", not a real AppID');
    expect(run.output).toContain('WEAPP_PRIVATE_KEY_PATH is not set');
    expect(run.output).toContain('开发管理 → 开发设置 → 小程序代码上传密钥');
    expect(run.output).toContain('IP白名单');
    // The uploaded app would talk to the development server: that is a missing setting too.
    expect(run.output).toContain('TARO_APP_API_BASE');
    expect(run.output).not.toContain('Upload of the WeChat mini-program');
    expect(run.code).toBe(2);
  }, RUN_TIMEOUT);

  // Bug caught: a wrong file (the public half, a typo'd path) or a made-up AppID was only found out
  // by WeChat after the upload started; a mistyped AppID must not fall back to another one.
  it('refuses a key file that is not a PEM private key and an AppID that is not one, with exit 2', async () => {
    const run = await runScript(SCRIPT, ['upload', '--dir', publicBuild], { WEAPP_APPID: 'touristappid', WEAPP_PRIVATE_KEY_PATH: publicKeyFile });
    expect(run.output).toContain('WEAPP_APPID "touristappid" is not a mini-program AppID');
    expect(run.output).toContain(`The upload key from ${publicKeyFile} is unusable`);
    expect(run.output).not.toContain('TARO_APP_API_BASE');
    expect(run.code).toBe(2);

    const missing = await runScript(SCRIPT, ['upload', '--dir', publicBuild], { WEAPP_APPID: APPID, WEAPP_PRIVATE_KEY_PATH: path.join(tmp, 'nope.key') });
    expect(missing.output).toContain(`WEAPP_PRIVATE_KEY_PATH points to ${path.join(tmp, 'nope.key')}, which cannot be read (ENOENT)`);
    expect(missing.code).toBe(2);
  }, RUN_TIMEOUT);

  // Bug caught: a build that WeChat's compilers refuse was reported as "key missing" (exit 2), so
  // whoever fixed the key found the broken build only at the upload.
  it('reports a build that fails WeChat\'s checks with exit 1, before any setting', async () => {
    const broken = path.join(tmp, 'broken');
    cpSync(devBuild, broken, { recursive: true });
    rmSync(path.join(broken, 'pages/home/index.wxml'));
    const run = await runScript(SCRIPT, ['upload', '--dir', broken], {});
    expect(run.output).toContain('pages/home/index.wxml');
    expect(run.output).toContain("does not pass WeChat's checks; nothing was sent");
    expect(run.output).toContain('also: WEAPP_APPID is not set');
    expect(run.code).toBe(1);
  }, RUN_TIMEOUT);
});

describe('npm run weapp:upload / weapp:preview with a key and an AppID (WEAPP_DRY_RUN=1)', () => {
  // Bug caught: the upload went out with the wrong AppID, version or description, or handed
  // miniprogram-ci the repository root (whose miniprogramRoot is dist/weapp/) instead of the build.
  it('upload reaches miniprogram-ci with the AppID, package.json version, description and a staged project', async () => {
    const run = await runScript(SCRIPT, ['upload', '--dir', publicBuild], { WEAPP_APPID: APPID, WEAPP_PRIVATE_KEY_PATH: keyFile, WEAPP_DESC: '测试版本 1', WEAPP_DRY_RUN: '1' });
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    expect(run.output).toContain(`appid:   ${APPID}`);
    expect(run.output).toContain(`version: ${version}`);
    expect(run.output).toContain('desc:    测试版本 1');
    expect(run.output).toContain(`key:     PEM private key (rsa, 2048 bits) from ${keyFile}`);
    const project = /project: (\S+) \(a copy of (\S+)\)/.exec(run.output);
    expect(project?.[2]).toBe(publicBuild);
    const config = JSON.parse(readFileSync(path.join(project![1], 'project.config.json'), 'utf8'));
    expect(config).toMatchObject({ appid: APPID, miniprogramRoot: './', compileType: 'miniprogram' });
    expect(existsSync(path.join(project![1], 'app.json'))).toBe(true);
    expect(run.output).toContain("DRY RUN: stopped before miniprogram-ci's upload()");
    expect(run.code).toBe(0);
  }, RUN_TIMEOUT);

  // Bug caught: preview refused a development build (it is what previews are for) or wrote the QR
  // code somewhere undocumented; the description did not default to the last commit's subject.
  it('preview takes the key as content, warns about the development address, and names the QR file', async () => {
    const pem = readFileSync(keyFile, 'utf8').replaceAll('\n', '\\n');
    const run = await runScript(SCRIPT, ['preview', '--dir', devBuild], { WEAPP_APPID: APPID, WEAPP_PRIVATE_KEY: pem, WEAPP_DRY_RUN: '1' });
    const subject = spawnSync('git', ['log', '-1', '--format=%s'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    expect(run.output).toContain('warning: This build talks to the development server');
    expect(run.output).toContain(`desc:    ${subject}`);
    expect(run.output).toContain('key:     PEM private key (rsa, 2048 bits) from WEAPP_PRIVATE_KEY');
    expect(run.output).toContain(`QR code: ${path.join(ROOT, '.cache/weapp-preview.png')}`);
    expect(run.output).toContain("DRY RUN: stopped before miniprogram-ci's preview()");
    expect(run.code).toBe(0);
  }, RUN_TIMEOUT);
});

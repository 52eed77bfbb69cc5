/**
 * Publishes the WeChat mini-program with WeChat's own CI tool (miniprogram-ci):
 *   npm run weapp:upload     uploads a development version (开发版); the WeChat console then makes it
 *                            the trial version (体验版), submits it for review (提交审核) and releases it
 *   npm run weapp:preview    a preview QR code in .cache/weapp-preview.png (`-- --terminal`: in the terminal)
 * Before anything goes to WeChat it builds dist/weapp when missing or stale (scripts/build-app.ts)
 * and checks it with WeChat's compilers (scripts/check-weapp.ts; a pass is remembered per build
 * content in .cache/weapp-checked.json). Everything up to the upload call works offline.
 *
 * Configuration (environment):
 *   WEAPP_APPID              the mini-program's AppID (else project.config.json's, unless touristappid)
 *   WEAPP_PRIVATE_KEY_PATH   the code upload key file (private.<appid>.key), or
 *   WEAPP_PRIVATE_KEY        its content (PEM; `\n` escapes are accepted)
 *   WEAPP_DESC               the version's description (default: the last commit's subject)
 *   WEAPP_ROBOT              which CI robot (1-30) the version is credited to (default 1)
 *   WEAPP_DRY_RUN=1          (or --dry-run) stops right before the upload call and prints what it would send
 *   TARO_APP_API_BASE        the server's public https origin, baked in by the build (upload refuses a
 *                            build that talks to the development address)
 * Options: --dir <folder> publishes an already built mini-program folder instead of building dist/weapp.
 * Exit codes: 0 done, 1 the build, its check or WeChat failed, 2 configuration missing or wrong.
 * How to set up the WeChat side: docs/WECHAT.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureAppBuild } from './build-app';
import { checkWeapp, formatWeappReport } from './check-weapp';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache');
const STAGE = path.join(CACHE, 'weapp-publish', 'project');
const CHECKED = path.join(CACHE, 'weapp-checked.json');
export const PREVIEW_QR = path.join(CACHE, 'weapp-preview.png');
/** The address the WeChat build talks to when TARO_APP_API_BASE was not set (src/api/base.ts). */
const DEV_API_BASE = 'http://127.0.0.1:3000';
const APPID_RE = /^wx[0-9a-f]{16}$/;
/** Lines of Taro's build output that say nothing to whoever publishes: Sass deprecations, the file size table. */
const BUILD_NOISE = /DEPRECATION WARNING|sass-lang\.com|^\s*\d*\s*[│╷╵]|root stylesheet|@import\s*$|^dist\/\S+\s+[\d.]+ kB/;

const CONSOLE_SETTINGS = '微信公众平台 (https://mp.weixin.qq.com) → 开发管理 → 开发设置';
const HOW_TO_GET_KEY =
  `download the code upload key from ${CONSOLE_SETTINGS} → 小程序代码上传密钥 (生成/重置; a file named private.<appid>.key), ` +
  'keep it outside the repository and set WEAPP_PRIVATE_KEY_PATH to its path (or WEAPP_PRIVATE_KEY to its content). ' +
  "In the same place turn on the IP whitelist (IP白名单) and add this machine's public IP address, or WeChat refuses the upload.";

export type PublishMode = 'upload' | 'preview';

export interface PublishSettings {
  appid?: string;
  /** PEM text of the upload key. */
  privateKey?: string;
  /** Where the key came from, for the messages. */
  keySource?: string;
  keyInfo?: string;
  version: string;
  desc: string;
  robot: number;
  /** Configuration that is missing or wrong: nothing can be sent to WeChat. */
  problems: string[];
  warnings: string[];
}

const readJson = <T>(file: string): T | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
};

function lastCommitSubject(): string | null {
  const r = spawnSync('git', ['log', '-1', '--format=%s'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** Reads and checks the key text: a PEM private key that Node can parse (WeChat's are 1024/2048-bit RSA). */
function describeKey(pem: string): { info: string } | { error: string } {
  if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return { error: 'it is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" line)' };
  try {
    const key = createPrivateKey(pem);
    const bits = key.asymmetricKeyDetails?.modulusLength;
    return { info: `PEM private key (${key.asymmetricKeyType}${bits ? `, ${bits} bits` : ''})` };
  } catch (err) {
    return { error: `it does not parse as a private key: ${(err as Error).message}` };
  }
}

/** Everything the upload needs from the environment and the repository; collects every problem at once. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): PublishSettings {
  const problems: string[] = [];
  const warnings: string[] = [];

  const projectAppid = readJson<{ appid?: string }>(path.join(ROOT, 'project.config.json'))?.appid;
  let appid: string | undefined;
  const envAppid = env.WEAPP_APPID?.trim();
  if (envAppid) {
    if (APPID_RE.test(envAppid)) appid = envAppid;
    else problems.push(`WEAPP_APPID "${envAppid}" is not a mini-program AppID (wx followed by 16 hex digits): copy it from ${CONSOLE_SETTINGS} → 开发者ID → AppID(小程序ID).`);
  } else if (projectAppid && APPID_RE.test(projectAppid)) {
    appid = projectAppid;
  } else {
    problems.push(
      `WEAPP_APPID is not set (and project.config.json has "${projectAppid ?? ''}", not a real AppID): set it to the mini-program's AppID ` +
        `(wx followed by 16 hex digits) from ${CONSOLE_SETTINGS} → 开发者ID → AppID(小程序ID).`,
    );
  }
  const serverAppid = env.WECHAT_APPID?.trim();
  if (appid && serverAppid && serverAppid !== appid) warnings.push(`WECHAT_APPID (${serverAppid}, the server's sign-in) differs from the AppID uploaded to (${appid}): residents of this build could not sign in.`);

  let privateKey: string | undefined;
  let keySource: string | undefined;
  const keyPath = env.WEAPP_PRIVATE_KEY_PATH?.trim();
  const keyText = env.WEAPP_PRIVATE_KEY?.trim();
  if (keyPath) {
    keySource = path.resolve(ROOT, keyPath);
    try {
      privateKey = readFileSync(keySource, 'utf8');
    } catch (err) {
      problems.push(`WEAPP_PRIVATE_KEY_PATH points to ${keySource}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${HOW_TO_GET_KEY}`);
    }
  } else if (keyText) {
    keySource = 'WEAPP_PRIVATE_KEY';
    privateKey = keyText.replace(/\\n/g, '\n');
  } else {
    problems.push(`WEAPP_PRIVATE_KEY_PATH is not set (nor WEAPP_PRIVATE_KEY): ${HOW_TO_GET_KEY}`);
  }
  let keyInfo: string | undefined;
  if (privateKey !== undefined) {
    const described = describeKey(privateKey);
    if ('error' in described) {
      problems.push(`The upload key from ${keySource} is unusable: ${described.error}. ${HOW_TO_GET_KEY}`);
      privateKey = undefined;
    } else keyInfo = described.info;
  }

  const version = readJson<{ version?: string }>(path.join(ROOT, 'package.json'))?.version ?? '';
  if (!/^\d+\.\d+\.\d+/.test(version)) problems.push(`package.json's version "${version}" is not a version number like 1.2.3.`);
  const desc = env.WEAPP_DESC?.trim() || lastCommitSubject() || `Xianrong ${version}`;

  const robotText = env.WEAPP_ROBOT?.trim() || '1';
  const robot = Number(robotText);
  if (!Number.isInteger(robot) || robot < 1 || robot > 30) problems.push(`WEAPP_ROBOT "${robotText}" must be a whole number from 1 to 30.`);

  return { appid, privateKey, keySource, keyInfo, version, desc, robot, problems, warnings };
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : Promise.resolve(e.isFile() ? [path.relative(base, path.join(dir, e.name))] : []))));
  return nested.flat().sort();
}

/** Hash of a built folder's files (names and content): the key of a remembered check. */
async function contentHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const rel of await listFiles(dir)) hash.update(rel).update('\0').update(await fs.readFile(path.join(dir, rel))).update('\0');
  return hash.digest('hex');
}

/** The API base baked into the build: the development address, or whatever TARO_APP_API_BASE was. */
async function apiBaseProblem(dir: string, env: NodeJS.ProcessEnv, built: boolean): Promise<string | null> {
  const js = (await listFiles(dir)).filter((f) => f.endsWith('.js'));
  for (const f of js) {
    if ((await fs.readFile(path.join(dir, f), 'utf8')).includes(DEV_API_BASE)) {
      return `This build talks to the development server ${DEV_API_BASE} (${f}): build it with TARO_APP_API_BASE set to the server's public https origin (e.g. https://xianrong.example.gov.cn), the one entered as request legal domain in the WeChat console.`;
    }
  }
  const base = env.TARO_APP_API_BASE?.trim();
  if (built && base && !/^https:\/\/[^/]+/.test(base)) return `TARO_APP_API_BASE "${base}" is not an https origin: WeChat lets a released mini-program reach https legal domains only.`;
  return null;
}

/** Checks `dir` with WeChat's compilers unless this exact content passed before. Returns the report text on failure. */
async function checkOnce(dir: string, log: (s: string) => void): Promise<string | null> {
  const hash = await contentHash(dir);
  const passed = readJson<string[]>(CHECKED) ?? [];
  if (passed.includes(hash)) {
    log('WeChat check: this build passed before (wcc, wcsc, miniprogram-ci compile)');
    return null;
  }
  log('WeChat check: wcc, wcsc and miniprogram-ci compile (scripts/check-weapp.ts) ...');
  const report = await checkWeapp(dir);
  if (!report.ok) return formatWeappReport(report);
  log(formatWeappReport(report));
  await fs.mkdir(CACHE, { recursive: true });
  await fs.writeFile(CHECKED, JSON.stringify([hash, ...passed.filter((h) => h !== hash)].slice(0, 20)));
  return null;
}

/** A copy of the build that miniprogram-ci takes as a project: its own project.config.json, miniprogramRoot './'. */
async function stage(dir: string, appid: string): Promise<string> {
  await fs.rm(STAGE, { recursive: true, force: true });
  await fs.mkdir(path.dirname(STAGE), { recursive: true });
  await fs.cp(dir, STAGE, { recursive: true, filter: (src) => path.basename(src) !== '.build-hash' });
  const config = readJson<Record<string, unknown>>(path.join(dir, 'project.config.json')) ?? readJson<Record<string, unknown>>(path.join(ROOT, 'project.config.json')) ?? {};
  await fs.writeFile(path.join(STAGE, 'project.config.json'), JSON.stringify({ ...config, miniprogramRoot: './', appid, compileType: 'miniprogram' }, null, 2));
  return STAGE;
}

type Ci = typeof import('miniprogram-ci');

function loadCi(): Ci | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('miniprogram-ci') as Ci;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    return null;
  }
}

/** WeChat's answers that have a known cause, in words IT staff can act on. */
function explainCiError(message: string): string {
  if (/invalid ip/i.test(message)) return `${message}\nThis machine's IP address is not in the upload IP whitelist: ${CONSOLE_SETTINGS} → 小程序代码上传 → IP白名单.`;
  if (/privatekey|private key|signature|sign/i.test(message)) return `${message}\nThe upload key does not belong to this AppID or was reset: ${HOW_TO_GET_KEY}`;
  return message;
}

export interface PublishOptions {
  mode: PublishMode;
  /** A built folder to publish as is; default: dist/weapp, built when missing or stale. */
  dir?: string;
  dryRun: boolean;
  /** Preview: the QR code in the terminal instead of .cache/weapp-preview.png. */
  terminal: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Returns the exit code. */
export async function publish(opts: PublishOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.log(line));
  const settings = readSettings(env);

  let dir: string;
  try {
    dir = opts.dir ? path.resolve(opts.dir) : await ensureAppBuild('weapp', { log: (line) => BUILD_NOISE.test(line) || log(line) });
    if (!existsSync(path.join(dir, 'app.json'))) throw new Error(`${dir} is not a built mini-program (no app.json)`);
  } catch (err) {
    log(`FAILED: the WeChat build: ${(err as Error).message}`);
    return 1;
  }
  const failedCheck = await checkOnce(dir, log);
  const apiProblem = await apiBaseProblem(dir, env, !opts.dir);
  if (apiProblem) (opts.mode === 'upload' ? settings.problems : settings.warnings).push(apiProblem);
  for (const w of settings.warnings) log(`warning: ${w}`);
  if (failedCheck) {
    log(failedCheck);
    log(`FAILED: ${dir} does not pass WeChat's checks; nothing was sent.`);
    for (const p of settings.problems) log(`also: ${p}`);
    return 1;
  }
  const ci = loadCi();
  const noCi = 'miniprogram-ci is not installed (it is a development dependency): run `npm install --no-save miniprogram-ci@2.1.42` and try again.';
  if (settings.problems.length || !settings.appid || !settings.privateKey) {
    log(`The build is ready (${dir}) but cannot be sent to WeChat:`);
    for (const p of settings.problems) log(`  - ${p}`);
    if (!ci) log(`  - ${noCi}`);
    log('See docs/WECHAT.md for the WeChat console settings.');
    return 2;
  }
  if (!ci) {
    log(noCi);
    return 1;
  }
  const projectPath = await stage(dir, settings.appid);
  const project = new ci.Project({ appid: settings.appid, type: 'miniProgram', projectPath, privateKey: settings.privateKey, ignores: [] });
  const projectSetting = (readJson<{ setting?: Record<string, boolean | undefined> }>(path.join(projectPath, 'project.config.json'))?.setting ?? {}) as Record<string, boolean | undefined>;
  const setting = { es6: !!projectSetting.es6, es7: !!projectSetting.enhance, minify: !!projectSetting.minified, minifyJS: !!projectSetting.minified, minifyWXML: !!projectSetting.minifyWXML, minifyWXSS: !!projectSetting.minifyWXSS };
  const qr = opts.terminal ? 'the terminal' : PREVIEW_QR;

  const summary = [
    `${opts.mode === 'upload' ? 'Upload' : 'Preview'} of the WeChat mini-program`,
    `  appid:   ${settings.appid}`,
    `  version: ${settings.version}`,
    `  desc:    ${settings.desc}`,
    `  robot:   ${settings.robot}`,
    `  key:     ${settings.keyInfo} from ${settings.keySource}`,
    `  project: ${projectPath} (a copy of ${dir})`,
    ...(opts.mode === 'preview' ? [`  QR code: ${qr}`] : []),
  ];
  for (const line of summary) log(line);
  if (opts.dryRun) {
    log(`DRY RUN: stopped before miniprogram-ci's ${opts.mode}(); nothing was sent to WeChat.`);
    return 0;
  }

  const onProgressUpdate = (task: unknown) => {
    if (typeof task === 'string') log(`  ${task}`);
    else if (task && typeof task === 'object' && 'message' in task && (task as { status?: string }).status === 'done') log(`  ${(task as { message: string }).message}`);
  };
  try {
    if (opts.mode === 'upload') {
      const result = await ci.upload({ project, version: settings.version, desc: settings.desc, robot: settings.robot, setting, onProgressUpdate });
      for (const p of result.subPackageInfo ?? []) log(`  ${p.name}: ${(p.size / 1024).toFixed(1)} KB`);
      log(`Uploaded version ${settings.version} as robot ${settings.robot}. Next, in 微信公众平台 → 管理 → 版本管理: 选为体验版, then 提交审核, then 发布 (docs/WECHAT.md).`);
    } else {
      if (!opts.terminal) await fs.mkdir(path.dirname(PREVIEW_QR), { recursive: true });
      await ci.preview({
        project,
        version: settings.version,
        desc: settings.desc,
        robot: settings.robot,
        setting,
        qrcodeFormat: opts.terminal ? 'terminal' : 'image',
        qrcodeOutputDest: opts.terminal ? undefined : PREVIEW_QR,
        onProgressUpdate,
      });
      log(`Preview ready: scan ${qr} with WeChat (valid for 25 minutes; the scanner must be a member or tester of the mini-program).`);
    }
    return 0;
  } catch (err) {
    log(`FAILED: WeChat refused the ${opts.mode}: ${explainCiError(err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const mode = args[0];
  const dirAt = args.indexOf('--dir');
  if ((mode !== 'upload' && mode !== 'preview') || (dirAt >= 0 && !args[dirAt + 1])) {
    console.error('usage: tsx scripts/weapp-publish.ts upload|preview [--dir <built folder>] [--dry-run] [--terminal]');
    process.exit(2);
  }
  publish({
    mode,
    dir: dirAt >= 0 ? args[dirAt + 1] : undefined,
    dryRun: args.includes('--dry-run') || process.env.WEAPP_DRY_RUN === '1',
    terminal: args.includes('--terminal'),
  })
    // miniprogram-ci leaves a file watcher open: end the process explicitly.
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.stack ?? err.message : err);
      process.exit(1);
    });
}

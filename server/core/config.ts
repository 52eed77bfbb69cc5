import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * All configuration comes from environment variables, validated once at start into one typed
 * object. Tests build the object directly (see `testConfig` in tests/helpers/server.ts).
 * Every variable is documented in .env.example.
 */
/**
 * Which proxies' `X-Forwarded-For` to believe, in Express's own forms: a hop count (the number of
 * proxies in front of the server) or a list of proxy addresses. Never "trust everything": then a
 * client could name any address and reset a per-address rate limit with every request.
 */
export type TrustProxy = false | number | string[];

const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isTrustEntry(e: string): boolean {
  if (NAMED_SUBNETS.has(e)) return true;
  const [addr, bits, extra] = e.split('/');
  if (extra !== undefined || !isIP(addr)) return false;
  if (bits === undefined) return true;
  const max = isIP(addr) === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max;
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    PUBLIC_URL: z.string().url().optional(),
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    DATA_DIR: z.string().default('data'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    BOT_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    WECHAT_APPID: z.string().optional(),
    WECHAT_SECRET: z.string().optional(),
    // The county's 公众号 (official account), for residents signing in to the H5 app through WeChat.
    WECHAT_MP_APPID: z.string().regex(/^wx[0-9a-f]{16}$/, 'the 公众号 AppID from 设置与开发 → 基本配置 (wx and 16 hex digits)').optional(),
    WECHAT_MP_SECRET: z.string().optional(),
    // The check WeChat makes of the 网页授权域名: it fetches /MP_verify_<this>.txt and expects <this>.
    WECHAT_MP_VERIFY: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'the letters and digits of the MP_verify_<...>.txt file the 公众号 console offers').optional(),
    WECHAT_SUBSCRIBE_TEMPLATE_APPEAL_PROGRESS: z.string().trim().regex(/^[A-Za-z0-9_-]{1,128}$/, 'the template ID from 订阅消息 → 我的模板 (letters, digits, _ and -)').optional(),
    COUNTY_PREFIX: z.string().regex(/^[A-Z]{2,4}$/, 'must be 2-4 capital letters').default('DX'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JSON_BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/, 'e.g. 100kb or 1mb').default('100kb'),
    LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(10),
    WRITE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
    WRITE_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    WRITE_RATE_LIMIT_BOT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(1200),
    WRITE_RATE_LIMIT_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(300),
    APPEAL_LIMIT_SCALE: z.coerce.number().int().min(1).max(100_000).default(1),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v, zctx): TrustProxy => {
        const t = v.trim();
        if (t === 'false' || t === '0' || t === '') return false;
        if (/^\d+$/.test(t)) return Number(t);
        if (t === 'true') {
          zctx.addIssue({ code: 'custom', message: 'true would trust any X-Forwarded-For a client sends; give the number of proxies in front (e.g. 1) or their addresses' });
          return z.NEVER;
        }
        const entries = t.split(',').map((e) => e.trim());
        const bad = entries.find((e) => !isTrustEntry(e));
        if (bad !== undefined) {
          zctx.addIssue({ code: 'custom', message: `"${bad}" is not a hop count, an IP address, a CIDR range or loopback/linklocal/uniquelocal` });
          return z.NEVER;
        }
        return entries;
      }),
    H5_DIR: z.string().default('dist/h5'),
    SENSITIVE_WORDS_EXTRA: z.string().max(10_000).default(''),
    DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (China time), e.g. 18:00').default('18:00'),
    DEMO: z.enum(['1', '0', 'true', 'false']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      for (const key of ['JWT_SECRET', 'BOT_TOKEN', 'MONGODB_URI'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
      }
    }
    if (env.WRITE_RATE_LIMIT_PER_HOUR < env.WRITE_RATE_LIMIT_PER_MINUTE) {
      ctx.addIssue({ code: 'custom', path: ['WRITE_RATE_LIMIT_PER_HOUR'], message: 'must be at least WRITE_RATE_LIMIT_PER_MINUTE (an hour holds a minute)' });
    }
    if (Boolean(env.WECHAT_APPID) !== Boolean(env.WECHAT_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_SECRET'], message: 'WECHAT_APPID and WECHAT_SECRET go together' });
    }
    if (Boolean(env.WECHAT_MP_APPID) !== Boolean(env.WECHAT_MP_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_MP_SECRET'], message: 'WECHAT_MP_APPID and WECHAT_MP_SECRET go together' });
    }
    // WeChat sends the resident back to a fixed https address of ours (网页授权域名).
    if (env.WECHAT_MP_APPID && !env.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required with WECHAT_MP_APPID (WeChat redirects residents back to it after signing in)' });
    }
  });

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl?: string;
  mongodbUri?: string;
  dataDir: string;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  botToken: string;
  wechat?: { appId: string; secret: string };
  /** The county's 公众号, for the H5 sign-in through WeChat (auth/web-sign-in.ts); absent: no such sign-in. */
  wechatWeb?: { appId: string; secret: string };
  /** WECHAT_MP_VERIFY: served as /MP_verify_<it>.txt, the file WeChat checks before it accepts the domain. */
  wechatMpVerify?: string;
  /**
   * WeChat's ids of the subscribe-message templates chosen in the console (WECHAT_SUBSCRIBE_TEMPLATE_*),
   * by our name for each: the sender sends with them, and the app asks residents for them
   * (server/subscriptions). Absent: no template, so nothing is asked and messages are only logged.
   */
  subscribeTemplates?: { appeal_progress?: string };
  countyPrefix: string;
  logLevel: string;
  jsonBodyLimit: string;
  loginRateLimitPerMinute: number;
  /**
   * The default limit of every write route (core/rate-limit/write-limits.ts): per signed-in account
   * a minute and an hour, for the bot account a minute, per client address (anonymous) a minute.
   * Tests relax it (tests/helpers/server.ts); tests/server/write-limits.test.ts sets its own.
   */
  writeRateLimit: { perMinute: number; perHour: number; botPerMinute: number; addressPerMinute: number };
  /**
   * Multiplies the appeal filing and 查询 limits (server/appeals/limits.ts); absent: 1, the
   * documented numbers. Tests that file many appeals relax them (tests/helpers/server.ts).
   */
  appealLimitScale?: number;
  trustProxy: TrustProxy;
  h5Dir: string;
  /** Words held for review in comments besides the default list (news/sensitive-words.ts). */
  sensitiveWordsExtra?: string[];
  /** China time (HH:MM) of the daily news digest to bound group chats; absent: 18:00 (news/digest.ts). */
  digestTime?: string;
  /**
   * Whether the demo county may be seeded: DEMO=1/0 when given, otherwise true unless
   * NODE_ENV=production. Absent (tests' hand-built configs): the same default, see `demoEnabled`.
   */
  demo?: boolean;
}

/** The demo county (with its published passwords) only in a demo: development, test, or DEMO=1. */
export const demoEnabled = (config: Pick<AppConfig, 'env' | 'demo'>) => config.demo ?? config.env !== 'production';

/**
 * The development sign-in (`dev-login` by openid, `wechat-login` taking any code as the openid
 * when WeChat is not configured): never in production; on loopback in a demo; off loopback only
 * with an explicit DEMO=1 (`loadConfig` refuses such a start otherwise). A hand-built config off
 * loopback without `demo: true` gets none either.
 */
export const devSignInEnabled = (config: Pick<AppConfig, 'env' | 'demo' | 'host'>) =>
  config.env !== 'production' && (isLoopbackHost(config.host) ? demoEnabled(config) : config.demo === true);

/**
 * What a demo reachable from other machines tells whoever starts it (null when it is not one):
 * anyone on the network signs in as anyone, and the demo passwords are in the README.
 */
export function openDemoWarning(config: Pick<AppConfig, 'env' | 'demo' | 'host'>): string | null {
  if (isLoopbackHost(config.host) || !demoEnabled(config)) return null;
  const signIn = devSignInEnabled(config)
    ? '  - anyone on the network can sign in as ANY resident (development login: any openid, any WeChat code);\n'
    : '';
  return (
    `WARNING (演示 DEMO): HOST=${config.host} is reachable from other machines and DEMO=1 is set:\n${signIn}` +
    '  - the demo county\'s staff accounts (admin included) use the password published in the README.\n' +
    '  Use this only to show the demo on a trusted network; the app is labelled 演示. For a real county: NODE_ENV=production without DEMO.'
  );
}

export class ConfigError extends Error {}

/**
 * Secrets outside production. NODE_ENV defaults to development (so `npm start` just works), but
 * the repository's fixed development secrets are used only while the server listens on loopback:
 * there, nobody else can reach it, and fixed values keep sessions and the bot's token valid across
 * restarts. On any other address (HOST=0.0.0.0 to try the app on a phone, or a server someone
 * forgot to mark as production) a missing JWT_SECRET or BOT_TOKEN is replaced by a random one,
 * generated once per data folder and kept in `<DATA_DIR>/secrets.json` (mode 0600), with a warning:
 * the published values would let anyone forge a token. Production requires real ones (superRefine).
 */
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_BOT_TOKEN = 'dev-only-bot-token-0123456789abcdef';
export const SECRETS_FILE = 'secrets.json';

/** 127.0.0.0/8, ::1 and localhost; 0.0.0.0, :: and every other address are reachable from elsewhere. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

interface GeneratedSecrets {
  jwtSecret: string;
  botToken: string;
}

/** Reads `<dataDir>/secrets.json`, creating it (0600, exclusive create: two processes agree) if missing. */
function dataDirSecrets(dataDir: string): { secrets: GeneratedSecrets; file: string; created: boolean } {
  const file = path.resolve(dataDir, SECRETS_FILE);
  const read = (): GeneratedSecrets => {
    const parsed = z.object({ jwtSecret: z.string().min(32), botToken: z.string().min(24) }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new ConfigError(`${file} is not a secrets file written by Xianrong; remove it to generate new secrets.`);
    return parsed.data;
  };
  if (existsSync(file)) return { secrets: read(), file, created: false };
  const secrets = { jwtSecret: randomBytes(32).toString('base64url'), botToken: randomBytes(24).toString('base64url') };
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { secrets: read(), file, created: false };
    throw err;
  }
  return { secrets, file, created: true };
}

export interface LoadConfigOptions {
  /** Where the warning about generated secrets goes (default: console.warn). */
  warn?: (message: string) => void;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: LoadConfigOptions = {}): AppConfig {
  const known = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  const e = parsed.data;
  const explicitDemo = e.DEMO === '1' || e.DEMO === 'true';
  if (!isLoopbackHost(e.HOST) && e.NODE_ENV !== 'production' && !explicitDemo) {
    throw new ConfigError(
      `Refusing to start: HOST=${e.HOST} is reachable from other machines, but NODE_ENV is not production. ` +
        'Outside production the development sign-in (any openid, any WeChat code) and the demo county\'s published passwords ' +
        'would let anyone on the network sign in as anyone.\n' +
        '  A real county: NODE_ENV=production (with JWT_SECRET, BOT_TOKEN, MONGODB_URI), see .env.example.\n' +
        '  The demo on a phone or another machine, on purpose: HOST=0.0.0.0 DEMO=1 npm start',
    );
  }
  let jwtSecret = e.JWT_SECRET;
  let botToken = e.BOT_TOKEN;
  if (!jwtSecret || !botToken) {
    // Production never gets here (superRefine requires both).
    if (isLoopbackHost(e.HOST)) {
      jwtSecret ??= DEV_JWT_SECRET;
      botToken ??= DEV_BOT_TOKEN;
    } else {
      const { secrets, file, created } = dataDirSecrets(e.DATA_DIR);
      const missing = [!jwtSecret && 'JWT_SECRET', !botToken && 'BOT_TOKEN'].filter(Boolean).join(' and ');
      jwtSecret ??= secrets.jwtSecret;
      botToken ??= secrets.botToken;
      (opts.warn ?? console.warn)(
        `WARNING: HOST=${e.HOST} is reachable from other machines and ${missing} is not set: ` +
          `using random secrets ${created ? 'generated now and ' : ''}kept in ${file} instead of the published development ones. ` +
          'Set JWT_SECRET and BOT_TOKEN (and NODE_ENV=production for a real county), see .env.example.',
      );
    }
  }
  const config: AppConfig = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    mongodbUri: e.MONGODB_URI,
    dataDir: e.DATA_DIR,
    jwtSecret,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    botToken,
    wechat: e.WECHAT_APPID && e.WECHAT_SECRET ? { appId: e.WECHAT_APPID, secret: e.WECHAT_SECRET } : undefined,
    wechatWeb: e.WECHAT_MP_APPID && e.WECHAT_MP_SECRET ? { appId: e.WECHAT_MP_APPID, secret: e.WECHAT_MP_SECRET } : undefined,
    wechatMpVerify: e.WECHAT_MP_VERIFY,
    subscribeTemplates: e.WECHAT_SUBSCRIBE_TEMPLATE_APPEAL_PROGRESS ? { appeal_progress: e.WECHAT_SUBSCRIBE_TEMPLATE_APPEAL_PROGRESS } : undefined,
    countyPrefix: e.COUNTY_PREFIX,
    logLevel: e.LOG_LEVEL,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    writeRateLimit: {
      perMinute: e.WRITE_RATE_LIMIT_PER_MINUTE,
      perHour: e.WRITE_RATE_LIMIT_PER_HOUR,
      botPerMinute: e.WRITE_RATE_LIMIT_BOT_PER_MINUTE,
      addressPerMinute: e.WRITE_RATE_LIMIT_ADDRESS_PER_MINUTE,
    },
    appealLimitScale: e.APPEAL_LIMIT_SCALE,
    trustProxy: e.TRUST_PROXY,
    h5Dir: e.H5_DIR,
    sensitiveWordsExtra: e.SENSITIVE_WORDS_EXTRA.split(/[,，]/).map((w) => w.trim()).filter(Boolean),
    digestTime: e.DIGEST_TIME,
    demo: e.DEMO === undefined ? e.NODE_ENV !== 'production' : explicitDemo,
  };
  const warning = openDemoWarning(config);
  if (warning) (opts.warn ?? console.warn)(warning);
  return config;
}

/** Reads `.env` (see .env.example) into the environment when present; variables already set win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** For the command-line entry points: `.env`, then the environment; a bad value ends the process with its message. */
export function loadConfigOrExit(): AppConfig {
  loadDotEnv();
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
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
    COUNTY_PREFIX: z.string().regex(/^[A-Z]{2,4}$/, 'must be 2-4 capital letters').default('DX'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JSON_BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/, 'e.g. 100kb or 1mb').default('100kb'),
    LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(10),
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
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      for (const key of ['JWT_SECRET', 'BOT_TOKEN', 'MONGODB_URI'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
      }
    }
    if (Boolean(env.WECHAT_APPID) !== Boolean(env.WECHAT_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_SECRET'], message: 'WECHAT_APPID and WECHAT_SECRET go together' });
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
  countyPrefix: string;
  logLevel: string;
  jsonBodyLimit: string;
  loginRateLimitPerMinute: number;
  trustProxy: TrustProxy;
  h5Dir: string;
}

export class ConfigError extends Error {}

/**
 * Development defaults for secrets are fixed strings so that a restart keeps sessions and the
 * bot's token valid; production refuses to start without real ones (see superRefine above).
 */
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_BOT_TOKEN = 'dev-only-bot-token-0123456789abcdef';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    mongodbUri: e.MONGODB_URI,
    dataDir: e.DATA_DIR,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    botToken: e.BOT_TOKEN ?? DEV_BOT_TOKEN,
    wechat: e.WECHAT_APPID && e.WECHAT_SECRET ? { appId: e.WECHAT_APPID, secret: e.WECHAT_SECRET } : undefined,
    countyPrefix: e.COUNTY_PREFIX,
    logLevel: e.LOG_LEVEL,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    h5Dir: e.H5_DIR,
  };
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

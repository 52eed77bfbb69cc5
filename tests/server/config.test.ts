/**
 * Which secrets and which demo a configuration gets when variables are missing: the published
 * development secrets only on loopback, per-data-folder random ones elsewhere, and the demo county
 * only outside production unless DEMO says otherwise.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, demoEnabled, devSignInEnabled, isLoopbackHost, loadConfig, SECRETS_FILE } from '../../server/core/config';

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'xianrong-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets without NODE_ENV', () => {
  it('uses the fixed development secrets on loopback, and writes no file', () => {
    const warn = jest.fn();
    const c = loadConfig({ DATA_DIR: dir }, { warn });
    expect(c.env).toBe('development');
    expect(c.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(warn).not.toHaveBeenCalled();
    expect(() => statSync(path.join(dir, SECRETS_FILE))).toThrow();
  });

  // Bug caught: HOST=0.0.0.0 without NODE_ENV signed tokens with the secret published in the
  // repository, so anyone on the network could forge an admin's access token.
  it('on a reachable address, generates random secrets once per data folder (0600) and warns', () => {
    const warn = jest.fn();
    const first = loadConfig({ HOST: '0.0.0.0', DEMO: '1', DATA_DIR: dir }, { warn });
    expect(first.jwtSecret).not.toBe(DEV_JWT_SECRET);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.botToken.length).toBeGreaterThanOrEqual(24);
    expect(first.botToken).not.toContain('dev-only');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET and BOT_TOKEN'));
    const file = path.join(dir, SECRETS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ jwtSecret: first.jwtSecret, botToken: first.botToken });

    // A restart keeps them (sessions and the bot's token stay valid); another folder gets others.
    const again = loadConfig({ HOST: '0.0.0.0', DEMO: '1', DATA_DIR: dir }, { warn });
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(again.botToken).toBe(first.botToken);
    const other = mkdtempSync(path.join(os.tmpdir(), 'xianrong-config-'));
    try {
      expect(loadConfig({ HOST: '0.0.0.0', DEMO: '1', DATA_DIR: other }, { warn }).jwtSecret).not.toBe(first.jwtSecret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('keeps a secret that is set, generating only the missing one', () => {
    const warn = jest.fn();
    const jwt = 'a-real-secret-of-at-least-32-characters!!';
    const c = loadConfig({ HOST: '192.168.1.20', DEMO: '1', DATA_DIR: dir, JWT_SECRET: jwt }, { warn });
    expect(c.jwtSecret).toBe(jwt);
    expect(c.botToken).not.toContain('dev-only');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('BOT_TOKEN is not set'));
  });

  it('tells loopback from reachable addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.20', 'example.org', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('the demo county', () => {
  // Bug caught: `npm start` seeded admin / xianrong123 into any empty database, production included.
  it('is off in production unless DEMO=1, on in development unless DEMO=0', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), BOT_TOKEN: 'y'.repeat(24), MONGODB_URI: 'mongodb://db/x' };
    expect(demoEnabled(loadConfig(prod))).toBe(false);
    expect(demoEnabled(loadConfig({ ...prod, DEMO: '1' }))).toBe(true);
    expect(demoEnabled(loadConfig({ DATA_DIR: dir }))).toBe(true);
    expect(demoEnabled(loadConfig({ DATA_DIR: dir, DEMO: '0' }))).toBe(false);
    expect(() => loadConfig({ DEMO: 'yes' })).toThrow(/DEMO/);
    // Hand-built configs (tests) without the field follow NODE_ENV.
    expect(demoEnabled({ env: 'production' })).toBe(false);
    expect(demoEnabled({ env: 'test' })).toBe(true);
  });
});

describe('a start off loopback', () => {
  const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), BOT_TOKEN: 'y'.repeat(24), MONGODB_URI: 'mongodb://db/x' };

  // Catches: `HOST=0.0.0.0 npm start` (the README's phone recipe) opening dev-login and
  // wechat-login with any code to the whole network without anyone asking for a demo.
  it('is refused without NODE_ENV=production or DEMO=1, and says how to do either', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.20', 'example.org']) {
      for (const extra of [{}, { DEMO: '0' }, { NODE_ENV: 'test' }, { NODE_ENV: 'development', DEMO: 'false' }]) {
        const attempt = () => loadConfig({ HOST, DATA_DIR: dir, ...extra }, { warn: jest.fn() });
        expect(attempt).toThrow(ConfigError);
        expect(attempt).toThrow(/NODE_ENV=production/);
        expect(attempt).toThrow(/HOST=0\.0\.0\.0 DEMO=1 npm start/);
      }
    }
    // Nothing was written for a refused start (no secrets file).
    expect(() => statSync(path.join(dir, SECRETS_FILE))).toThrow();
  });

  it('starts with DEMO=1, warning that anyone on the network signs in as anyone, with the development sign-in open', () => {
    const warn = jest.fn();
    const c = loadConfig({ HOST: '0.0.0.0', DEMO: '1', DATA_DIR: dir, JWT_SECRET: 'z'.repeat(32), BOT_TOKEN: 'w'.repeat(24) }, { warn });
    expect(demoEnabled(c)).toBe(true);
    expect(devSignInEnabled(c)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/anyone on the network can sign in as ANY resident/);
    expect(warn.mock.calls[0][0]).toMatch(/password published in the README/);
    expect(warn.mock.calls[0][0]).toMatch(/演示/);
  });

  it('starts in production without the development sign-in; with DEMO=1 it warns about the published passwords only', () => {
    const warn = jest.fn();
    const c = loadConfig({ ...prod, HOST: '0.0.0.0' }, { warn });
    expect(devSignInEnabled(c)).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    const d = loadConfig({ ...prod, HOST: '0.0.0.0', DEMO: '1' }, { warn });
    expect(devSignInEnabled(d)).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).not.toMatch(/sign in as ANY resident/);
    expect(warn.mock.calls[0][0]).toMatch(/password published in the README/);
  });

  it('on loopback needs neither and warns about nothing', () => {
    const warn = jest.fn();
    const c = loadConfig({ DATA_DIR: dir }, { warn });
    expect(devSignInEnabled(c)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  // Catches: a hand-built config (tests, embedders) off loopback getting the development sign-in
  // by the development default instead of an explicit demo.
  it('opens the development sign-in off loopback only for an explicit demo, never in production', () => {
    expect(devSignInEnabled({ env: 'development', host: '0.0.0.0' })).toBe(false);
    expect(devSignInEnabled({ env: 'development', host: '0.0.0.0', demo: true })).toBe(true);
    expect(devSignInEnabled({ env: 'production', host: '127.0.0.1', demo: true })).toBe(false);
    expect(devSignInEnabled({ env: 'development', host: '127.0.0.1', demo: false })).toBe(false);
    expect(devSignInEnabled({ env: 'test', host: '127.0.0.1' })).toBe(true);
  });
});

describe('the default write limit', () => {
  it('defaults to numbers a real person never meets, and refuses nonsense', () => {
    // Catches: a write limit missing from the configuration (every write unlimited), defaults
    // that a busy editor or the bot draining the outbox would meet, or an hour smaller than a
    // minute (the minute limit would silently never apply).
    expect(loadConfig({ DATA_DIR: dir }).writeRateLimit).toEqual({ perMinute: 60, perHour: 1000, botPerMinute: 1200, addressPerMinute: 300 });
    const env = { DATA_DIR: dir, WRITE_RATE_LIMIT_PER_MINUTE: '30', WRITE_RATE_LIMIT_PER_HOUR: '500', WRITE_RATE_LIMIT_BOT_PER_MINUTE: '600', WRITE_RATE_LIMIT_ADDRESS_PER_MINUTE: '100' };
    expect(loadConfig(env).writeRateLimit).toEqual({ perMinute: 30, perHour: 500, botPerMinute: 600, addressPerMinute: 100 });
    expect(() => loadConfig({ ...env, WRITE_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/WRITE_RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ ...env, WRITE_RATE_LIMIT_BOT_PER_MINUTE: 'lots' })).toThrow(/WRITE_RATE_LIMIT_BOT_PER_MINUTE/);
    expect(() => loadConfig({ ...env, WRITE_RATE_LIMIT_PER_HOUR: '20' })).toThrow(/WRITE_RATE_LIMIT_PER_HOUR: must be at least WRITE_RATE_LIMIT_PER_MINUTE/);
  });
});

describe('the appeal limits scale', () => {
  it('is 1 (the documented limits) unless raised on purpose, and refuses 0', () => {
    // Catches: the filing limits silently scaled away by default, or a scale of 0 that would refuse
    // every filing.
    expect(loadConfig({ DATA_DIR: dir }).appealLimitScale).toBe(1);
    expect(loadConfig({ DATA_DIR: dir, APPEAL_LIMIT_SCALE: '1000' }).appealLimitScale).toBe(1000);
    expect(() => loadConfig({ DATA_DIR: dir, APPEAL_LIMIT_SCALE: '0' })).toThrow(/APPEAL_LIMIT_SCALE/);
  });
});

/**
 * Which secrets and which demo a configuration gets when variables are missing: the published
 * development secrets only on loopback, per-data-folder random ones elsewhere, and the demo county
 * only outside production unless DEMO says otherwise.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoEnabled, isLoopbackHost, loadConfig, SECRETS_FILE } from '../../server/core/config';

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
    const first = loadConfig({ HOST: '0.0.0.0', DATA_DIR: dir }, { warn });
    expect(first.jwtSecret).not.toBe(DEV_JWT_SECRET);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.botToken.length).toBeGreaterThanOrEqual(24);
    expect(first.botToken).not.toContain('dev-only');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET and BOT_TOKEN'));
    const file = path.join(dir, SECRETS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ jwtSecret: first.jwtSecret, botToken: first.botToken });

    // A restart keeps them (sessions and the bot's token stay valid); another folder gets others.
    const again = loadConfig({ HOST: '0.0.0.0', DATA_DIR: dir }, { warn });
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(again.botToken).toBe(first.botToken);
    const other = mkdtempSync(path.join(os.tmpdir(), 'xianrong-config-'));
    try {
      expect(loadConfig({ HOST: '0.0.0.0', DATA_DIR: other }, { warn }).jwtSecret).not.toBe(first.jwtSecret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('keeps a secret that is set, generating only the missing one', () => {
    const warn = jest.fn();
    const jwt = 'a-real-secret-of-at-least-32-characters!!';
    const c = loadConfig({ HOST: '192.168.1.20', DATA_DIR: dir, JWT_SECRET: jwt }, { warn });
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

/**
 * `npm run admin`: the first administrator of a county, and a locked-out administrator's new
 * password, with the password on stdin (never in argv), on the embedded database and on
 * MONGODB_URI; then a sign-in through the API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../server/server';
import { createLogger } from '../../server/core/logger';
import { startTestServer, testConfig, type TestServer } from '../helpers/server';
import { runScript } from './run-script';

const PASSWORD = 'Qingshan-2026-river';
const login = (s: { url: string }, username: string, password: string) =>
  fetch(`${s.url}/api/v1/auth/password-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('npm run admin on the embedded database', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'xianrong-admin-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Bug caught: there was no way to create the first administrator of a county other than the
  // demo seed's admin / xianrong123.
  it('creates the first administrator from a piped password, who then signs in and is audited', async () => {
    const run = await runScript('scripts/admin.ts', ['create', 'root'], { DATA_DIR: dataDir, DEMO: '0' }, `${PASSWORD}\n`);
    expect(run.output).toContain('已创建系统管理员「root」');
    expect(run.code).toBe(0);

    const server = await startServer(testConfig({ dataDir }), { logger: createLogger('silent') });
    try {
      const res = await login(server, 'root', PASSWORD);
      expect(res.status).toBe(200);
      const me = await (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${(await res.json()).accessToken}` } })).json();
      expect(me.roles).toEqual(['admin']);
      // The only user: no demo county was seeded beside it.
      expect(await server.models.User.countDocuments()).toBe(1);
      expect(await server.models.Audit.countDocuments({ action: 'admin_created_by_command', targetId: me.id })).toBe(1);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('npm run admin on MONGODB_URI in production', () => {
  let s: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    s = await startTestServer({ seed: false });
    env = { NODE_ENV: 'production', MONGODB_URI: s.ctx.config.mongodbUri!, JWT_SECRET: 'j'.repeat(40), BOT_TOKEN: 'b'.repeat(30) };
  });
  afterAll(() => s?.stop());

  // Bug caught: a password accepted on the command line ends up in shell history and `ps`.
  it('refuses a password given as an argument, and a weak one, creating nobody', async () => {
    const argv = await runScript('scripts/admin.ts', ['create', 'root', PASSWORD], env);
    expect(argv.code).toBe(3);
    expect(argv.output).toContain('不接受命令行中的密码');
    const flag = await runScript('scripts/admin.ts', ['create', 'root', `--password=${PASSWORD}`], env);
    expect(flag.code).toBe(3);

    const weak = await runScript('scripts/admin.ts', ['create', 'root'], env, 'abcdefgh\n');
    expect(weak.code).toBe(3);
    expect(weak.output).toContain('密码太弱');
    expect(weak.output).toContain('Password too weak');
    const demo = await runScript('scripts/admin.ts', ['create', 'root'], env, 'xianrong123-admin\n');
    expect(demo.code).toBe(3);
    expect(demo.output).toContain('演示密码');
    expect(await s.models.User.countDocuments()).toBe(0);
  }, 120_000);

  it('creates once, refuses the same name again, and resets the password, ending the sessions', async () => {
    expect((await runScript('scripts/admin.ts', ['create', 'county_it'], env, `${PASSWORD}\n`)).code).toBe(0);
    const again = await runScript('scripts/admin.ts', ['create', 'county_it'], env, 'Another-pass-123\n');
    expect(again.code).toBe(3);
    expect(again.output).toContain('reset-password county_it');

    const first = await (await login(s, 'county_it', PASSWORD)).json();
    const reset = await runScript('scripts/admin.ts', ['reset-password', 'county_it'], env, 'Another-pass-123\n');
    expect(reset.output).toContain('已重设');
    expect(reset.code).toBe(0);
    expect((await login(s, 'county_it', PASSWORD)).status).toBe(401);
    expect((await login(s, 'county_it', 'Another-pass-123')).status).toBe(200);
    expect((await s.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } })).status).toBe(401);

    const unknown = await runScript('scripts/admin.ts', ['reset-password', 'nobody'], env, 'Another-pass-123\n');
    expect(unknown.code).toBe(3);
    expect(unknown.output).toContain('没有用户名为「nobody」的账号');
  }, 180_000);
});

import { PuppetMock } from 'wechaty-puppet-mock';
import { createBot } from '../../bot/create-bot';
import { LoginTimeoutError } from '../../bot/login-watchdog';
import { captureLogger, sleep, startHarness } from './harness';

const SERVER = { serverUrl: 'http://127.0.0.1:9', botToken: 'unused-token', checkServerOnLogin: false };

describe('login watchdog', () => {
  test('fires once, with a clear message, when the puppet never logs in', async () => {
    const { logger, lines } = captureLogger();
    const onLoginTimeout = jest.fn<void, [LoginTimeoutError]>();
    // The mock puppet without mocker.login(): starts fine, never logs in (like wechat4u offline).
    const app = createBot({ ...SERVER, puppet: new PuppetMock(), logger, loginTimeoutMs: 80, onLoginTimeout });
    try {
      await app.start();
      await sleep(300);
      expect(onLoginTimeout).toHaveBeenCalledTimes(1);
      const err = onLoginTimeout.mock.calls[0]![0];
      expect(err.name).toBe('LoginTimeoutError');
      expect(err.message).toBe(
        'WeChat login did not happen within 80 ms; scan the QR code or check WECHATY_PUPPET / WECHATY_PUPPET_SERVICE_TOKEN',
      );
      const errors = lines.filter((l) => l.level === 50);
      expect(errors.map((l) => l.msg)).toEqual([err.message]);
    } finally {
      await app.stop();
    }
  });

  test('says "120 s" with the default timeout', () => {
    expect(new LoginTimeoutError(120_000).message).toMatch(/^WeChat login did not happen within 120 s; scan the QR code/);
  });

  test('is cleared on login', async () => {
    const onLoginTimeout = jest.fn();
    const h = await startHarness({ ...SERVER, loginTimeoutMs: 80, onLoginTimeout });
    try {
      await sleep(250);
      expect(onLoginTimeout).not.toHaveBeenCalled();
      expect(h.logs.some((l) => l.msg === 'WeChat logged in')).toBe(true);
      expect(h.logs.filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  test('is cleared by stop() before it fires', async () => {
    const onLoginTimeout = jest.fn();
    const app = createBot({ ...SERVER, puppet: new PuppetMock(), logger: captureLogger().logger, loginTimeoutMs: 100, onLoginTimeout });
    await app.start();
    await app.stop();
    await sleep(200);
    expect(onLoginTimeout).not.toHaveBeenCalled();
  });

  test('logs the QR code URL on scan', async () => {
    const { logger, lines } = captureLogger();
    const puppet = new PuppetMock();
    const app = createBot({ ...SERVER, puppet, logger, loginTimeoutMs: 10_000 });
    try {
      await app.start();
      puppet.mocker.scan('https://login.weixin.qq.com/l/demo-qr');
      await sleep(20);
      const scan = lines.find((l) => l.msg === 'scan the QR code to log in to WeChat');
      expect(scan).toMatchObject({ status: 'Waiting' });
      expect(String(scan?.url)).toContain(encodeURIComponent('https://login.weixin.qq.com/l/demo-qr'));
    } finally {
      await app.stop();
    }
  });
});

import { PuppetMock } from 'wechaty-puppet-mock';
import { createBot } from '../../bot/runtime/create-bot';
import { LoginTimeoutError } from '../../bot/runtime/login-watchdog';
import { captureLogger, startHarness } from './harness';

const SERVER = { serverUrl: 'http://127.0.0.1:9', botToken: 'unused-token', checkServerOnLogin: false };

// The watchdog's timer is driven by jest's clock, so no test races it (full fake
// timers make bot.stop() hang; nextTick and setImmediate stay real).
describe('login watchdog', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  // Catches: a watchdog that never fires, fires early, or fires again and again.
  test('fires once, with a clear message, when the puppet never logs in', async () => {
    const { logger, lines } = captureLogger();
    const onLoginTimeout = jest.fn<void, [LoginTimeoutError]>();
    // The mock puppet without mocker.login(): starts fine, never logs in (like wechat4u offline).
    const app = createBot({ ...SERVER, puppet: new PuppetMock(), logger, loginTimeoutMs: 80, onLoginTimeout });
    try {
      await app.start();
      jest.advanceTimersByTime(79);
      expect(onLoginTimeout).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(onLoginTimeout).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(10_000);
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

  // Catches: a login that does not clear the timer (the timeout would fire after a good login).
  test('is cleared on login', async () => {
    const onLoginTimeout = jest.fn();
    const h = await startHarness({ ...SERVER, loginTimeoutMs: 80, onLoginTimeout });
    try {
      // The harness returns after sim.login(); the login event is handled before this assertion.
      await h.waitForLog((l) => l.msg === 'WeChat logged in');
      jest.advanceTimersByTime(10_000);
      expect(onLoginTimeout).not.toHaveBeenCalled();
      expect(h.logs.filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  // Catches: stop() leaving the timer armed.
  test('is cleared by stop() before it fires', async () => {
    const onLoginTimeout = jest.fn();
    const app = createBot({ ...SERVER, puppet: new PuppetMock(), logger: captureLogger().logger, loginTimeoutMs: 100, onLoginTimeout });
    await app.start();
    await app.stop();
    jest.advanceTimersByTime(10_000);
    expect(onLoginTimeout).not.toHaveBeenCalled();
  });
});

describe('login QR code', () => {
  // Catches: the QR code URL (a login credential) in the log at info level, or not shown at all.
  test('is shown to the operator and logged only at debug level', async () => {
    const { logger, lines, waitFor } = captureLogger();
    const puppet = new PuppetMock();
    const shown: string[] = [];
    const app = createBot({ ...SERVER, puppet, logger, loginTimeoutMs: 10_000, showQrCode: (url) => shown.push(url) });
    try {
      await app.start();
      puppet.mocker.scan('https://login.weixin.qq.com/l/demo-qr');
      const scan = await waitFor((l) => l.msg === 'scan the QR code to log in to WeChat');
      await waitFor((l) => l.msg === 'login QR code URL');
      expect(scan).toMatchObject({ level: 30, status: 'Waiting' });
      expect(shown).toEqual([expect.stringContaining(encodeURIComponent('https://login.weixin.qq.com/l/demo-qr'))]);
      const withUrl = lines.filter((l) => JSON.stringify(l).includes('demo-qr'));
      expect(withUrl.map((l) => [l.level, l.msg])).toEqual([[20, 'login QR code URL']]);
    } finally {
      await app.stop();
    }
  });
});

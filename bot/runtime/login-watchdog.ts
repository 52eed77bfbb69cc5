/**
 * A puppet that never logs in must not fail silently (wechat4u offline resolves `start()` and
 * then errors every 5 s forever; a QR code nobody scans just waits). The watchdog logs one clear
 * error when no login happened in time and reports it through `onLoginTimeout`. It is cleared
 * on login, armed again on logout, and says on every 'scan' that a QR code waits.
 *
 * The QR code URL is a login credential while it lives: it never goes into the log at info
 * level (only at debug, for an operator who asks for it). `showQrCode` hands it to whoever shows
 * it to the operator directly (bot/main.ts: the terminal, when one is attached).
 */
import type { Logger } from 'pino';
import { qrcodeValueToImageUrl, ScanStatus, type Wechaty } from 'wechaty';

export const DEFAULT_LOGIN_TIMEOUT_MS = 120_000;

export class LoginTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(
      `WeChat login did not happen within ${formatDuration(timeoutMs)}; scan the QR code or check WECHATY_PUPPET / WECHATY_PUPPET_SERVICE_TOKEN`,
    );
    this.name = 'LoginTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export interface LoginWatchdogOptions {
  timeoutMs?: number;
  logger: Logger;
  onLoginTimeout?: (err: LoginTimeoutError) => void;
  /** Shows the login QR code's image URL to the operator (not through the log). */
  showQrCode?: (url: string) => void;
}

export interface LoginWatchdog {
  /** Arm the timer (call right before `bot.start()`). */
  arm(): void;
  /** Clear the timer and remove the listeners. */
  dispose(): void;
  readonly timedOut: boolean;
}

export function createLoginWatchdog(bot: Wechaty, options: LoginWatchdogOptions): LoginWatchdog {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`loginTimeoutMs must be a positive number, got ${timeoutMs}`);
  const { logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;

  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  const fire = () => {
    timer = undefined;
    if (bot.isLoggedIn) return;
    timedOut = true;
    const err = new LoginTimeoutError(timeoutMs);
    logger.error({ err, timeoutMs }, err.message);
    try {
      options.onLoginTimeout?.(err);
    } catch (callbackErr) {
      logger.error({ err: callbackErr }, 'onLoginTimeout callback failed');
    }
  };

  const arm = () => {
    clear();
    timedOut = false;
    timer = setTimeout(fire, timeoutMs);
    timer.unref();
  };

  const onLogin = () => {
    if (timedOut) logger.info('WeChat login happened after the login timeout');
    clear();
  };
  const onLogout = () => {
    logger.warn('WeChat logged out; waiting for a new login');
    arm();
  };
  const onScan = (qrcode: string, status: ScanStatus) => {
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      const url = qrcodeValueToImageUrl(qrcode);
      logger.info({ status: ScanStatus[status] }, 'scan the QR code to log in to WeChat');
      logger.debug({ url }, 'login QR code URL');
      try {
        options.showQrCode?.(url);
      } catch (err) {
        logger.error({ err }, 'showQrCode callback failed');
      }
    } else {
      logger.info({ status: ScanStatus[status] }, 'WeChat QR code scan status');
    }
  };

  bot.on('login', onLogin);
  bot.on('logout', onLogout);
  bot.on('scan', onScan);

  return {
    arm,
    dispose() {
      clear();
      bot.off('login', onLogin);
      bot.off('logout', onLogout);
      bot.off('scan', onScan);
    },
    get timedOut() {
      return timedOut;
    },
  };
}

/**
 * Builds the Xianrong bot: one Wechaty instance, the server client, the login watchdog and the
 * plugins from `bot/plugins/index.ts`. Errors from handlers and the puppet end up in the logger
 * through the bot's 'error' event; nothing is thrown back into the puppet.
 */
import pino, { type Logger } from 'pino';
import { WechatyBuilder, type Wechaty, type WechatyOptions } from 'wechaty';
import { maskContactId } from './log-mask';
import { createLoginWatchdog, DEFAULT_LOGIN_TIMEOUT_MS, type LoginTimeoutError } from './login-watchdog';
import { createPacer, type PacerOptions } from './pacer';
import { pacedSay } from './say';
import { buildPlugins, type PluginSettings } from '../plugins';
import { createServerClient, type ServerClient, type ServerClientOptions } from './server-client';

type PuppetChoice = NonNullable<WechatyOptions['puppet']>;

export interface CreateBotOptions {
  /** A puppet instance (e.g. the simulated WeChat) or an official puppet npm name. */
  puppet: PuppetChoice;
  /** Options for a puppet given by name (e.g. `{ token }` for wechaty-puppet-service). */
  puppetOptions?: Record<string, unknown>;
  /** Server origin, e.g. `http://127.0.0.1:3000`. */
  serverUrl: string;
  botToken: string;
  /**
   * Wechaty name. Wechaty keeps the login session in `<name>.memory-card.json` in the working
   * directory, so leave it unset for throwaway (simulated) bots.
   */
  name?: string;
  logger?: Logger;
  loginTimeoutMs?: number;
  onLoginTimeout?: (err: LoginTimeoutError) => void;
  /** Shows the login QR code's URL to the operator; it is never logged at info level. */
  showQrCode?: (url: string) => void;
  plugins?: PluginSettings;
  /**
   * The pace of everything this account says (bot/pacer.ts): answers and outbox deliveries share
   * it. Default 3000 ms apart and 15 a minute; `now`/`delay` for tests.
   */
  pace?: PacerOptions;
  /** Tuning for the HTTP client (timeouts, retries). */
  client?: Partial<Omit<ServerClientOptions, 'serverUrl' | 'botToken'>>;
  /** Ask the server for the bound rooms after login (logs how many). Default true. */
  checkServerOnLogin?: boolean;
}

export interface XianrongBot {
  bot: Wechaty;
  client: ServerClient;
  logger: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** wechat4u offline repeats the same error every 5 s: log a repeat at most once a minute. */
const REPEAT_WINDOW_MS = 60_000;

export function createBot(options: CreateBotOptions): XianrongBot {
  if (!options.serverUrl) throw new Error('createBot: serverUrl is required');
  if (!options.botToken) throw new Error('createBot: botToken is required');
  const logger = options.logger ?? pino({ name: options.name ?? 'xianrong-bot' });
  const client = createServerClient({
    ...options.client,
    logger: options.client?.logger ?? logger,
    serverUrl: options.serverUrl,
    botToken: options.botToken,
  });

  const wechatyOptions =
    typeof options.puppet === 'string'
      ? { name: options.name, puppet: options.puppet, puppetOptions: options.puppetOptions }
      : { name: options.name, puppet: options.puppet };
  const bot = WechatyBuilder.build(wechatyOptions as WechatyOptions);

  let lastError: { message: string; at: number; repeats: number } | undefined;
  bot.on('error', (err) => {
    const now = Date.now();
    if (lastError && lastError.message === err.message && now - lastError.at < REPEAT_WINDOW_MS) {
      lastError.repeats += 1;
      return;
    }
    const repeats = lastError && lastError.message === err.message ? lastError.repeats : 0;
    lastError = { message: err.message, at: now, repeats: 0 };
    logger.error({ err, ...(repeats ? { repeatedSinceLastLog: repeats } : {}) }, `bot error: ${err.message}`);
  });

  let startedAt: number | undefined;
  let pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  bot.on('login', (user) => {
    logger.info({ contactId: maskContactId(user.id), name: user.name() }, 'WeChat logged in');
    if (options.checkServerOnLogin ?? true) {
      track(
        client.listRooms().then(
          (rooms) => logger.info({ boundRooms: rooms.items.length }, 'server reachable'),
          (err: unknown) => logger.warn({ err }, 'server not reachable after login; bindings will fail until it is'),
        ),
      );
    }
  });
  bot.on('logout', (user) => logger.warn({ contactId: maskContactId(user.id) }, 'WeChat logged out'));

  const watchdog = createLoginWatchdog(bot, {
    timeoutMs: options.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
    logger,
    onLoginTimeout: options.onLoginTimeout,
    showQrCode: options.showQrCode,
  });

  // One pacer per bot account: every plugin's answers and the outbox's deliveries wait their turn.
  const pacer = createPacer(options.pace);
  const stopping = new AbortController();
  const say = pacedSay(pacer, stopping.signal, logger);

  // track: the outbox loop ends on the stop event; stop() below waits for it before returning.
  bot.use(buildPlugins({ client, logger, since: () => startedAt, track, pacer, say }, options.plugins));

  let state: 'idle' | 'running' | 'stopped' = 'idle';

  return {
    bot,
    client,
    logger,
    async start() {
      if (state !== 'idle') throw new Error(`createBot: start() called while ${state}`);
      state = 'running';
      startedAt = Date.now();
      watchdog.arm();
      try {
        await bot.start();
      } catch (err) {
        watchdog.dispose();
        logger.error({ err }, 'WeChat puppet failed to start');
        throw err;
      }
      logger.info({ puppet: bot.puppet.name() }, 'bot started');
    },
    async stop() {
      if (state === 'stopped') return;
      const wasRunning = state === 'running';
      state = 'stopped';
      watchdog.dispose();
      // Answers still waiting for the pacer are dropped: a stopped bot says nothing more.
      stopping.abort();
      if (wasRunning) {
        try {
          await bot.stop();
        } catch (err) {
          logger.error({ err }, 'bot stop failed');
        }
      }
      await Promise.allSettled([...pending]);
      pending = new Set();
      logger.info('bot stopped');
    },
  };
}

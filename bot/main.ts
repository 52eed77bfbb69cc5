/**
 * The runnable bot: `tsx bot/main.ts [--simulate]`.
 *
 * Env: SERVER_URL (default http://127.0.0.1:3000), BOT_TOKEN (the server's; a dev default
 * outside production), WECHATY_PUPPET + WECHATY_PUPPET_SERVICE_TOKEN (a real WeChat; unset =
 * the simulated WeChat with the demo county), BOT_NAME, BOT_SIMULATOR_PORT (console port; with
 * `--simulate` and no port a free one is picked), BOT_LOGIN_TIMEOUT_MS, LOG_LEVEL, and the pace of
 * everything the bot says per account (answers and broadcasts): BOT_SEND_MIN_INTERVAL_MS (default 3000) and BOT_SEND_PER_MINUTE
 * (default 15).
 */
import { existsSync } from 'node:fs';
import pino from 'pino';
import { createBot, type XianrongBot } from './runtime/create-bot';
import { loadPuppetByName } from './runtime/puppet-by-name';
import { createSimulatedWechat, DEFAULT_BOT_CONTACT } from './simulator/simulated-wechat';
import { startSimulatorConsole, type SimulatorConsole } from './simulator/simulator-console';

/** Same development default as server/core/config.ts, so `npm start` works without setup. */
const DEV_BOT_TOKEN = 'dev-only-bot-token-0123456789abcdef';

/**
 * The pace of everything the bot says per WeChat account, broadcasts (notices, digests) and answers
 * alike: at most one message every `minIntervalMs` and `perMinute` in any minute (bot/runtime/pacer.ts).
 * WeChat restricts accounts that post in bursts, so a value that cannot pace stops the bot instead
 * of being ignored.
 */
export interface BotPace {
  minIntervalMs: number;
  perMinute: number;
}
export const DEFAULT_BOT_PACE: BotPace = { minIntervalMs: 3000, perMinute: 15 };

function wholeNumberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${env[name]}"`);
  return n;
}

export function botPaceFromEnv(env: NodeJS.ProcessEnv): BotPace {
  return {
    minIntervalMs: wholeNumberFromEnv(env, 'BOT_SEND_MIN_INTERVAL_MS', DEFAULT_BOT_PACE.minIntervalMs, 0, 60_000),
    perMinute: wholeNumberFromEnv(env, 'BOT_SEND_PER_MINUTE', DEFAULT_BOT_PACE.perMinute, 1, 60),
  };
}

export interface RunningBot {
  bot: XianrongBot;
  console?: SimulatorConsole;
  stop(): Promise<void>;
}

/**
 * The login QR code is a credential: shown on an attached terminal (the operator scans it there),
 * never written to the log at info level. Without a terminal (a service manager collecting
 * stdout), the operator runs with LOG_LEVEL=debug once to see it.
 */
function showQrCodeOnTerminal(logger: pino.Logger): (url: string) => void {
  return (url) => {
    if (process.stderr.isTTY) process.stderr.write(`\nScan this QR code with the bot's WeChat to log in:\n${url}\n\n`);
    else logger.info('no terminal attached: run with LOG_LEVEL=debug to see the login QR code URL');
  };
}

export async function runBot(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Promise<RunningBot> {
  const logger = pino({ name: 'bot', level: env.LOG_LEVEL || 'info' });
  const production = env.NODE_ENV === 'production';
  const botToken = env.BOT_TOKEN || (production ? '' : DEV_BOT_TOKEN);
  if (!botToken) throw new Error('BOT_TOKEN is required when NODE_ENV=production (the same value as the server)');
  const serverUrl = env.SERVER_URL || 'http://127.0.0.1:3000';
  const loginTimeoutMs = env.BOT_LOGIN_TIMEOUT_MS ? Number(env.BOT_LOGIN_TIMEOUT_MS) : undefined;
  const wantConsole = argv.includes('--simulate') || Boolean(env.BOT_SIMULATOR_PORT);
  const pace = botPaceFromEnv(env);
  logger.info(pace, 'send pace per account (answers and broadcasts)');

  if (env.WECHATY_PUPPET) {
    if (wantConsole) logger.warn('the simulator console only works with the simulated WeChat; ignoring it (WECHATY_PUPPET is set)');
    const bot = createBot({
      puppet: loadPuppetByName(
        env.WECHATY_PUPPET,
        env.WECHATY_PUPPET_SERVICE_TOKEN ? { token: env.WECHATY_PUPPET_SERVICE_TOKEN } : {},
      ),
      name: env.BOT_NAME || 'xianrong-bot',
      serverUrl,
      botToken,
      logger,
      loginTimeoutMs,
      pace,
      showQrCode: showQrCodeOnTerminal(logger),
    });
    await bot.start();
    return { bot, stop: () => bot.stop() };
  }

  // The demo county's bot account (common/demo-county.ts); BOT_NAME only renames it.
  const sim = createSimulatedWechat({
    botContact: env.BOT_NAME ? { id: DEFAULT_BOT_CONTACT.id, name: env.BOT_NAME } : undefined,
  });
  // No Wechaty name: the simulated session is not worth a memory-card file.
  const bot = createBot({ puppet: sim.puppet, serverUrl, botToken, logger, loginTimeoutMs, pace });
  await bot.start();
  sim.login();
  logger.info({ rooms: sim.rooms().length, contacts: sim.contacts().length }, 'simulated WeChat ready (demo county)');

  let simConsole: SimulatorConsole | undefined;
  if (wantConsole) {
    simConsole = await startSimulatorConsole({ sim, port: Number(env.BOT_SIMULATOR_PORT || 0), logger });
  }
  return {
    bot,
    console: simConsole,
    async stop() {
      await simConsole?.close();
      await bot.stop();
    },
  };
}

if (require.main === module) {
  // Run on its own, the bot reads .env like the server does (variables already set win).
  if (existsSync('.env')) process.loadEnvFile('.env');
  runBot().then(
    (running) => {
      let stopping = false;
      const shutdown = (signal: NodeJS.Signals) => {
        if (stopping) {
          running.bot.logger.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        stopping = true;
        running.bot.logger.info({ signal }, 'stopping the bot');
        running.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            running.bot.logger.error({ err }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

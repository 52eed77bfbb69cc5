import { ConfigError, loadConfig, loadDotEnv } from './core/config';
import { createLogger } from './core/logger';
import { startServer } from './server';

/** The server as a process: config from the environment, clean stop on SIGINT/SIGTERM. */
async function main() {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception, exiting');
    process.exit(1);
  });
  const server = await startServer(config, { logger });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main();

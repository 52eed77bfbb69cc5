import { loadConfigOrExit } from './core/config';
import { createLogger } from './core/logger';
import { startServer } from './server';
import { countActiveAdmins } from './seed/admin-account';

/** The server as a process: config from the environment, clean stop on SIGINT/SIGTERM. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception, exiting');
    process.exit(1);
  });
  const server = await startServer(config, { logger });
  if ((await countActiveAdmins(server.models)) === 0) logger.warn('no administrator yet: create the first one with `npm run admin -- create <username>`');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main();

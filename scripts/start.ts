/**
 * `npm start`: the whole platform on one machine.
 *  1. builds what is missing (embedded database wrapper, H5 app),
 *  2. starts the database (embedded unless MONGODB_URI) and the server, which serves the H5 app,
 *  3. in a demo (development, or DEMO=1) seeds the demo county when the database is empty; in
 *     production never, and says how to create the first administrator when there is none,
 *  4. starts the bot (simulated WeChat unless WECHATY_PUPPET is set) as a child process,
 *  5. prints the URLs, and the demo logins when the demo county is there. Ctrl-C stops
 *     everything; the data stays under data/.
 *
 * Ctrl-C works from the first moment: the handlers are installed before anything else is loaded
 * (the rest is imported in main(), which takes a second), and stop whatever has started so far.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { RunningServer } from '../server/server';
import { superviseChild, type ChildSupervisor } from './supervise';

const simulatorPort = () => Number(process.env.BOT_SIMULATOR_PORT || 3100);

/**
 * The bot runs as `node --import tsx`, one process, not under the tsx command: tsx's command
 * relays Ctrl-C to its child and kills it (SIGKILL) if the child has not acknowledged the signal
 * within about 60 ms, which a loaded machine misses. A bot that stops is started again with
 * backoff (scripts/supervise.ts: 1 s, 2 s, 4 s … at most 60 s).
 */
function startBot(serverUrl: string, botToken: string): ChildSupervisor {
  const env = { ...process.env, SERVER_URL: serverUrl, BOT_TOKEN: botToken, BOT_SIMULATOR_PORT: process.env.WECHATY_PUPPET ? '' : String(simulatorPort()) };
  return superviseChild({
    name: 'The bot',
    start: () => spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env, stdio: 'inherit' }),
    log: (line) => console.error(`${line} The server keeps running.`),
  });
}

let stopping = false;

/** What has started so far, for the stop handler. */
const started: { server?: Promise<RunningServer>; bot?: ChildSupervisor; dataDir?: string } = {};

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping bot, server and database…`);
  await started.bot?.stop();
  // A server still starting is waited for, then closed: nothing is left running behind us.
  const server = await started.server?.catch(() => undefined);
  await server?.close();
  console.log('Stopped.', started.dataDir ? `Data kept in ${started.dataDir}` : '');
  process.exit(0);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

async function main() {
  const { demoEnabled, loadConfigOrExit, openDemoWarning } = await import('../server/core/config');
  const { createLogger } = await import('../server/core/logger');
  const { startServer } = await import('../server/server');
  const { DataFolderLockedError } = await import('../server/db/data-lock');
  const { describeSeed, isDemoDatabase, isEmpty, seedDemoCounty } = await import('../server/seed/seed');
  const { countActiveAdmins } = await import('../server/seed/admin-account');
  const { demoCounty } = await import('../common/demo-county');
  const { prepare } = await import('./prepare');
  if (stopping) return;
  const config = loadConfigOrExit();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  console.log('Xianrong (县融): preparing…');
  await prepare({ db: !config.mongodbUri, h5: true });
  if (stopping) return;

  if (!config.mongodbUri) started.dataDir = path.resolve(config.dataDir);
  started.server = startServer(config, { logger });
  let server: RunningServer;
  try {
    server = await started.server;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${config.port} is already in use (is Xianrong already running?). Stop the other process or start with PORT=<another port> npm start.`);
      process.exit(1);
    }
    // Its message says what to do; a stack trace after it would only bury that.
    if (err instanceof DataFolderLockedError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (stopping) return;
  const { models } = server;
  const demo = demoEnabled(config);
  // First run: the whole demo county. A demo database from an earlier version, or a seed that was
  // interrupted: what it lacks. Never into a database with other data.
  if (demo && ((await isEmpty(models)) || (await isDemoDatabase(models)))) {
    const seeded = await seedDemoCounty(models, new Date(), { dataDir: config.dataDir });
    if (seeded.repaired.length > 0) console.log(`Finishing an interrupted seed of: ${seeded.repaired.join(', ')}`);
    if (seeded.applied.length > 0) console.log(`Seeding the demo county 东溪县: ${describeSeed(seeded)}`);
  }
  const demoData = await isDemoDatabase(models);
  if (stopping) return;
  started.bot = startBot(server.url, config.botToken);

  const staff = demoCounty.people.filter((p) => p.username);
  const show = (u: string) => staff.find((p) => p.username === u);
  console.log(`
Xianrong is running.
  Mini-program (H5):   ${server.url}/
  API:                 ${server.url}/api/v1   (OpenAPI: ${server.url}/api/docs)
  Health:              ${server.url}/healthz  ${server.url}/readyz
  Database:            ${config.mongodbUri ? 'MONGODB_URI' : `embedded FerretDB, data in ${path.resolve(config.dataDir)}`}
  Simulated WeChat:    ${process.env.WECHATY_PUPPET ? `real puppet ${process.env.WECHATY_PUPPET}` : `http://127.0.0.1:${simulatorPort()}/ (group chats of the demo county)`}
`);
  if (demoData && demo) {
    console.log(`Demo logins (password ${demoCounty.password}):
  resident (H5 演示居民登录)   demo-resident-01 … demo-resident-30
  admin                        admin
  dispatcher                   dispatcher (county), chengguan (城关镇)
  community staff              ${['dongcheng', 'xicheng', 'nanmen', 'qingshi', 'yangliu', 'taoyuan'].map((u) => `${u} (${show(u)?.name})`).join(', ')}
  grid workers                 dongcheng_grid1 … taoyuan_grid3
  departments                  ${demoCounty.departments.map((d) => `dept_${d.code}`).join(', ')}
  editor, reviewer             editor, reviewer
`);
  } else if (demoData) {
    console.warn(`WARNING: this database holds the demo county 东溪县, whose passwords are published.
  Never use it for a real county: point MONGODB_URI (or DATA_DIR) at a new database.
`);
  }
  if ((await countActiveAdmins(models)) === 0) {
    console.log(`No administrator yet (管理员尚未创建). Create the first one:
  npm run admin -- create <username>
${config.mongodbUri ? '  (it may run beside this server)' : '  (stop this server first: the embedded database folder is in use while it runs)'}
`);
  }
  // Off loopback with DEMO=1 (a refused start otherwise): said again last, where it is read.
  const openDemo = openDemoWarning(config);
  if (openDemo) console.warn(`\n${openDemo}\n`);
  console.log('Press Ctrl-C to stop.');
}

main().catch((err) => {
  if (stopping) return; // stopped while starting: the stop handler reports and exits
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

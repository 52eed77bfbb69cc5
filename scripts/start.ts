/**
 * `npm start`: the whole platform on one machine.
 *  1. builds what is missing (embedded database wrapper, H5 app),
 *  2. starts the database (embedded unless MONGODB_URI) and the server, which serves the H5 app,
 *  3. seeds the demo county when the database is empty,
 *  4. starts the bot (simulated WeChat unless WECHATY_PUPPET is set) as a child process,
 *  5. prints the URLs and demo logins. Ctrl-C stops everything; the data stays under data/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfigOrExit } from '../server/core/config';
import { createLogger } from '../server/core/logger';
import { startServer } from '../server/server';
import { describeSeed, isDemoDatabase, isEmpty, seedDemoCounty } from '../server/seed/seed';
import { demoCounty } from '../server/seed/demo-county';
import { prepare } from './prepare';

const simulatorPort = () => Number(process.env.BOT_SIMULATOR_PORT || 3100);

function startBot(serverUrl: string, botToken: string): ChildProcess {
  const tsx = path.resolve('node_modules/.bin/tsx');
  const env = { ...process.env, SERVER_URL: serverUrl, BOT_TOKEN: botToken, BOT_SIMULATOR_PORT: process.env.WECHATY_PUPPET ? '' : String(simulatorPort()) };
  const child = spawn(tsx, ['bot/main.ts'], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`The bot stopped (${signal ?? `exit code ${code}`}). The server keeps running; restart with npm start.`);
  });
  return child;
}

let stopping = false;

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  console.log('Xianrong (县融): preparing…');
  await prepare({ db: !config.mongodbUri, h5: true });

  let server;
  try {
    server = await startServer(config, { logger });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${config.port} is already in use (is Xianrong already running?). Stop the other process or start with PORT=<another port> npm start.`);
      process.exit(1);
    }
    throw err;
  }
  // First run: the whole demo county. A demo database from an earlier version: its new parts.
  if ((await isEmpty(server.ctx.models)) || (await isDemoDatabase(server.ctx.models))) {
    const seeded = await seedDemoCounty(server.ctx.models);
    if (seeded.applied.length > 0) console.log(`Seeding the demo county 东溪县: ${describeSeed(seeded)}`);
  }
  const bot = startBot(server.url, config.botToken);

  const staff = demoCounty.people.filter((p) => p.username);
  const show = (u: string) => staff.find((p) => p.username === u);
  console.log(`
Xianrong is running.
  Mini-program (H5):   ${server.url}/
  API:                 ${server.url}/api/v1   (OpenAPI: ${server.url}/api/docs)
  Health:              ${server.url}/healthz  ${server.url}/readyz
  Database:            ${config.mongodbUri ? 'MONGODB_URI' : `embedded FerretDB, data in ${path.resolve(config.dataDir)}`}
  Simulated WeChat:    ${process.env.WECHATY_PUPPET ? `real puppet ${process.env.WECHATY_PUPPET}` : `http://127.0.0.1:${simulatorPort()}/ (group chats of the demo county)`}

Demo logins (password ${demoCounty.password}):
  resident (H5 演示居民登录)   demo-resident-01 … demo-resident-30
  admin                        admin
  dispatcher                   dispatcher (county), chengguan (城关镇)
  community staff              ${['dongcheng', 'xicheng', 'nanmen', 'qingshi', 'yangliu', 'taoyuan'].map((u) => `${u} (${show(u)?.name})`).join(', ')}
  grid workers                 dongcheng_grid1 … taoyuan_grid3
  departments                  ${demoCounty.departments.map((d) => `dept_${d.code}`).join(', ')}
  editor, reviewer             editor, reviewer

Press Ctrl-C to stop.`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping bot, server and database…`);
    if (bot.exitCode === null) {
      const exited = new Promise((resolve) => bot.once('exit', resolve));
      bot.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await server.close();
    console.log('Stopped. Data kept in', path.resolve(config.dataDir));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

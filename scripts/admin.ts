/**
 * `npm run admin -- create <username>`: creates an administrator (the first one of a county:
 * production never gets the demo's accounts). `npm run admin -- reset-password <username>`: a new
 * password for an administrator, which also ends its sessions. `create` refuses a name that exists.
 *
 * The password is read from the terminal without echo (asked twice), or from the first line of
 * stdin when piped (`printf '%s\n' "$PW" | npm run admin -- create root`); never from the command
 * line, where it would land in the shell history and the process list.
 *
 * Uses MONGODB_URI, or the embedded database under DATA_DIR (stop `npm start` first: the data
 * folder is locked by the process using it).
 */
import mongoose from 'mongoose';
import { loadConfigOrExit } from '../server/core/config';
import { createLogger } from '../server/core/logger';
import { createModels, syncIndexes } from '../server/models';
import { openDatabase } from '../server/server';
import { ensureDbBinary } from './build-db';
import { AdminCommandError, adminPasswordProblem, createAdmin, resetAdminPassword, usernameProblem } from '../server/seed/admin-account';

const USAGE = `用法 / usage:
  npm run admin -- create <username>           新建系统管理员 / create an administrator
  npm run admin -- reset-password <username>   重设管理员密码 / reset an administrator's password
密码从终端输入（不回显）或从标准输入的第一行读取，绝不从命令行参数读取。
The password is typed at a prompt (not echoed) or piped on stdin, never given as an argument.`;

class Refused extends Error {}

function parseArgs(argv: string[]): { command: 'create' | 'reset-password'; username: string } {
  const [command, username, ...rest] = argv;
  if (rest.length > 0 || argv.some((a) => /^--?p(ass(word)?)?(=|$)/i.test(a))) {
    throw new Refused(`拒绝执行：不接受命令行中的密码（会留在 shell 历史和进程列表里）。\nRefused: a password is never taken from the command line (shell history, process list).\n\n${USAGE}`);
  }
  if ((command !== 'create' && command !== 'reset-password') || !username) throw new Refused(USAGE);
  return { command, username };
}

/** One line typed at the terminal, not echoed. Ctrl-C aborts, Ctrl-D ends the line. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve) => {
    let chars: string[] = [];
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          return resolve(chars.join(''));
        }
        if (ch === '\u0003') {
          finish();
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') chars = chars.slice(0, -1);
        else if (ch >= ' ') chars.push(ch);
      }
    };
    stdin.on('data', onData);
  });
}

/** The first line of a piped stdin, without its line ending. */
async function readPipedLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.split(/\r?\n/)[0];
}

async function readPassword(username: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const password = await readPipedLine();
    const problem = adminPasswordProblem(password, username);
    if (problem) throw new Refused(problem);
    return password;
  }
  for (;;) {
    const password = await promptHidden(`「${username}」的新密码 / new password: `);
    const problem = adminPasswordProblem(password, username);
    if (problem) {
      console.error(problem);
      continue;
    }
    if ((await promptHidden('再输入一次 / again: ')) === password) return password;
    console.error('两次输入不一致，请重新输入。\nThe two entries differ; try again.');
  }
}

async function main() {
  const { command, username } = parseArgs(process.argv.slice(2));
  const nameProblem = usernameProblem(username);
  if (nameProblem) throw new Refused(nameProblem);
  const password = await readPassword(username);

  const config = loadConfigOrExit();
  // The server never builds: the database binary is made here when missing (as npm start does).
  if (!config.mongodbUri) await ensureDbBinary({ log: (line) => console.error(line) });
  const { uri, embedded } = await openDatabase(config, createLogger('warn'));
  const conn = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    if (command === 'create') {
      await createAdmin(models, username, password);
      console.log(`已创建系统管理员「${username}」，请用此用户名和密码登录工作台。\nAdministrator "${username}" created: sign in with this username and password.`);
    } else {
      await resetAdminPassword(models, username, password);
      console.log(`已重设「${username}」的密码，其已登录的会话均已失效。\nPassword of "${username}" reset; its sessions have ended.`);
    }
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

main().catch((err) => {
  if (err instanceof Refused || err instanceof AdminCommandError) {
    console.error(err.message);
    process.exit(3);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

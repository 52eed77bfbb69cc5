/**
 * Runs one of the repository's command-line scripts as `npm run` does (through tsx), with its own
 * environment and stdin, and returns its exit code and output. Not a test file (no `.test.ts`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * `env` replaces the configuration variables (nothing from the test's own environment or a
 * `.env` of the repository's configuration leaks in beyond PATH and HOME). `stdin` is piped and
 * closed after `input`.
 */
export function runScript(script: string, args: string[], env: Record<string, string>, input = ''): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, output }));
    child.stdin.end(input);
  });
}

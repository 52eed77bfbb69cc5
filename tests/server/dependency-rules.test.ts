/**
 * The allowed arrows between the parts (.dependency-cruiser.cjs), run as part of `npm test`:
 * the tree obeys them apart from the arrows listed in .dependency-cruiser-known-violations.json,
 * that list holds nothing already fixed (so it only shrinks), and each rule fails on a planted
 * violation in a scratch tree of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { documentedBlock, graphBlock } from '../../scripts/deps-graph';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const KNOWN = path.join(ROOT, '.dependency-cruiser-known-violations.json');
const PARTS = ['server', 'bot', 'src', 'common'];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args, '--config', CONFIG], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const key = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}`;

// Catches: a new arrow against the rules (a platform module importing a feature, a feature reaching
// into another's files, the mini-program or the bot importing server values, a cycle).
test('the tree obeys the dependency rules, apart from the known arrows', () => {
  const run = cruise(ROOT, [...PARTS, '--ignore-known', KNOWN, '--output-type', 'err']);
  expect(run.stdout + run.stderr).toContain('no dependency violations found');
  expect(run.status).toBe(0);
});

// Catches: a fixed arrow left in the known list, where it would let the same arrow come back unseen.
test('the known list holds only arrows that are still there', () => {
  const run = cruise(ROOT, [...PARTS, '--output-type', 'json']);
  const now = new Set((JSON.parse(run.stdout).summary.violations as Violation[]).map(key));
  const known = (JSON.parse(readFileSync(KNOWN, 'utf8')) as Violation[]).map(key);
  expect(known.filter((k) => !now.has(k))).toEqual([]);
});

// Catches: the feature graph in docs/ARCHITECTURE.md drawn once and left behind by the code.
test('the drawing of the feature arrows in docs/ARCHITECTURE.md is the one the code has', () => {
  expect(documentedBlock()).toBe(graphBlock());
});

describe('each rule fails on a planted violation', () => {
  let dir: string;
  const plant = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  };
  const violations = (): string[] => {
    const run = cruise(dir, [...PARTS, '--output-type', 'json']);
    return (JSON.parse(run.stdout).summary.violations as Violation[]).map(key).sort();
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xianrong-deps-'));
    plant({
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', strict: true } }),
      // A feature with a face and an inner file.
      'server/appeals/index.ts': "export { fileAppeal } from './create';\n",
      'server/appeals/create.ts': "export const fileAppeal = () => 1;\nexport type Filed = { id: string };\n",
      // Allowed: another feature through the face; the platform on its own; a client's type import.
      'server/news/feed.ts': "import { fileAppeal } from '../appeals';\nexport const feed = () => fileAppeal();\n",
      'server/core/errors.ts': 'export const oops = 1;\n',
      'src/pages/a.ts': "import type { Filed } from '../../server/appeals/create';\nimport { label } from '../../common/labels';\nexport const a = (f: Filed) => label + f.id;\n",
      'common/labels.ts': "export const label = '诉求';\n",
      'bot/plain.ts': "import type { Filed } from '../server/appeals/create';\nexport const b = (f: Filed) => f.id;\n",
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a clean scratch tree has none', () => {
    expect(violations()).toEqual([]);
  });

  test.each([
    ['platform-imports-no-feature', { 'server/core/route.ts': "import { fileAppeal } from '../appeals';\nexport const r = fileAppeal;\n" }, 'server/core/route.ts → server/appeals/index.ts'],
    ['feature-through-its-face', { 'server/notices/x.ts': "import { fileAppeal } from '../appeals/create';\nexport const x = fileAppeal;\n" }, 'server/notices/x.ts → server/appeals/create.ts'],
    ['clients-take-server-types-only', { 'bot/value.ts': "import { fileAppeal } from '../server/appeals/create';\nexport const v = fileAppeal;\n" }, 'bot/value.ts → server/appeals/create.ts'],
    ['common-stands-alone', { 'common/bad.ts': "import { a } from '../src/pages/a';\nexport const c = a;\n" }, 'common/bad.ts → src/pages/a.ts'],
    ['server-not-from-scripts', { 'server/core/boot.ts': "import { build } from '../../scripts/build';\nexport const b = build;\n", 'scripts/build.ts': 'export const build = 1;\n' }, 'server/core/boot.ts → scripts/build.ts'],
    ['no-cycles', { 'server/news/p.ts': "import { q } from './q';\nexport const p = () => q;\n", 'server/news/q.ts': "import { p } from './p';\nexport const q = () => p;\n" }, 'server/news/p.ts → server/news/q.ts'],
  ])('%s', (rule, files, arrow) => {
    plant(files);
    try {
      expect(violations()).toContain(`${rule}: ${arrow}`);
    } finally {
      for (const file of Object.keys(files)) rmSync(path.join(dir, file));
    }
  });
});

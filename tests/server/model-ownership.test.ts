/**
 * Each feature owns its collections: no server code outside the folder that defines a model reads
 * or writes it (docs/ARCHITECTURE.md "Layers and arrows"). The dependency rules see imports; this
 * sees the other way in, `ctx.models.X` (and `const { X } = ctx.models`), which needs no import.
 * Reaches that were there when the rule came are listed in tests/server/model-reaches-known.json;
 * that list only shrinks (a listed reach that is gone fails the test, so it cannot come back unseen).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'server');
const KNOWN = path.join(__dirname, 'model-reaches-known.json');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return files(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
/** `server/appeals/create.ts` → `appeals`; files at the top of server/ belong to the composition root. */
const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : '(root)';
};

/** Model name → the folder whose schema file defines it: read from the model registry's imports. */
function owners(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files(SERVER).map(rel)) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(\w+):\s*conn\.model\('(\w+)',\s*(\w+)\)/g)) {
      const schema = m[3]!;
      const imported = new RegExp(`import \\{[^}]*\\b${schema}\\b[^}]*\\} from '\\.\\.?/([^/']+)/`).exec(text);
      out.set(m[1]!, imported ? imported[1]! : folderOf(file));
    }
  }
  return out;
}

/** Every `ctx.models.X`, `models.X` and `{ X, Y } = ctx.models` in server code, as `file → Model`. */
function reaches(): string[] {
  const own = owners();
  const found = new Set<string>();
  for (const file of files(SERVER).map(rel)) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const names = new Set<string>();
    for (const m of text.matchAll(/\bmodels\.([A-Z]\w*)/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*(?:\w+\.)?models\b/g)) for (const n of m[1]!.split(',')) names.add(n.trim().split(/[:\s]/)[0]!);
    for (const name of names) {
      const owner = own.get(name);
      if (owner && owner !== folderOf(file)) found.add(`${file} → ${name} (${owner})`);
    }
  }
  return [...found].sort();
}

const known = (): string[] => JSON.parse(readFileSync(KNOWN, 'utf8')) as string[];

// Catches: the scanner finding nothing (a renamed registry), which would make the next test pass vacuously.
test('the owners of the models are found', () => {
  const own = owners();
  expect(own.get('Appeal')).toBe('appeals');
  expect(own.get('User')).toBe('users');
  expect(own.get('Outbox')).toBe('outbox');
  expect(own.size).toBeGreaterThan(20);
});

// Catches: a feature reading or writing another feature's collection instead of calling its face.
test('no feature reaches into another feature’s models, apart from the known reaches', () => {
  const knownSet = new Set(known());
  expect(reaches().filter((r) => !knownSet.has(r))).toEqual([]);
});

// Catches: a fixed reach left in the list, where it would let the same reach come back unseen.
test('the known list holds only reaches that are still there', () => {
  const now = new Set(reaches());
  expect(known().filter((r) => !now.has(r))).toEqual([]);
});

/**
 * Each feature owns its collections: it declares them in its own `model.ts` with
 * `ownModel(conn, 'Name', schema)` inside one accessor (`appealModels(conn)`), and no server code
 * outside that folder calls the accessor, apart from the registry the tools use (server/models.ts).
 * The app's context carries the connection, never a bag of every model, so there is no way in
 * without an import the dependency rules see (docs/ARCHITECTURE.md "Layers and arrows"). This test
 * checks the calls, which an import of a feature's face could hide: `index.ts` re-exporting the
 * accessor, or a platform module calling `conn.model(...)` for a feature.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'server');
/** The tools' registry and the start-up that builds indexes through it. */
const REGISTRY = new Set(['server/models.ts', 'server/server.ts']);

interface Source {
  file: string;
  text: string;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return files(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
/** The code without its comments (which may name an accessor to explain it). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
const serverSources = (): Source[] => files(SERVER).map((f) => ({ file: rel(f), text: code(readFileSync(f, 'utf8')) }));
/** `server/appeals/create.ts` → `appeals`; `server/core/rate-limit/model.ts` → `core`; top-level files → `(root)`. */
const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : '(root)';
};

/** Each collection's accessor (`appealModels`) and the models it declares, with the folder that owns them. */
function accessors(sources: Source[]): Map<string, { folder: string; models: string[] }> {
  const out = new Map<string, { folder: string; models: string[] }>();
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/export function (\w+Models?)\(conn: Connection\)[^{]*\{([\s\S]*?)\n\}/g)) {
      const models = [...m[2]!.matchAll(/ownModel\(conn, '(\w+)'/g), ...m[2]!.matchAll(/conn\.model<?\w*>?\('(\w+)'/g)].map((x) => x[1]!);
      if (models.length > 0) out.set(m[1]!, { folder: folderOf(file), models });
    }
  }
  return out;
}

/** Every call of another folder's accessor, and every `ctx.models` or raw `conn.model(` outside the schema helpers. */
function reaches(sources: Source[]): string[] {
  const own = accessors(sources);
  const found: string[] = [];
  for (const { file, text } of sources) {
    if (REGISTRY.has(file)) continue;
    for (const [name, { folder }] of own) {
      if (folder !== folderOf(file) && new RegExp(`\\b${name}\\b`).test(text)) found.push(`${file} → ${name} (${folder})`);
    }
    if (/\bctx\.models\b|\bmodels:\s*Models\b/.test(text) && folderOf(file) !== 'seed') found.push(`${file} → a registry of every model`);
    if (/\bconn\.model\(/.test(text) && file !== 'server/db/schema-helpers.ts') found.push(`${file} → conn.model() outside ownModel`);
  }
  return found.sort();
}

// Catches: the scanner finding nothing (a renamed accessor), which would make the next test pass vacuously.
test('each collection is declared by the folder that owns it', () => {
  const own = accessors(serverSources());
  const ownerOf = (model: string) => [...own.values()].find((a) => a.models.includes(model))?.folder;
  expect(ownerOf('Appeal')).toBe('appeals');
  expect(ownerOf('User')).toBe('users');
  expect(ownerOf('Outbox')).toBe('outbox');
  expect(ownerOf('Room')).toBe('bindings');
  expect(ownerOf('RateWindow')).toBe('core');
  expect([...own.values()].flatMap((a) => a.models).length).toBeGreaterThan(20);
});

// Catches: a feature reading or writing another feature's collection instead of calling its face,
// the app's context carrying every model again, or a collection registered outside its feature.
test('no server code reaches into another folder’s models', () => {
  expect(reaches(serverSources())).toEqual([]);
});

// Catches: a check that cannot fail (the scan missing a call because of how it is written).
test('a planted reach is found', () => {
  const planted: Source[] = [
    ...serverSources(),
    { file: 'server/notices/planted.ts', text: "import { outboxModels } from '../outbox/model';\nexport const n = (ctx: AppContext) => outboxModels(ctx.conn).Outbox.countDocuments();\n" },
    { file: 'server/news/planted.ts', text: 'export const n = (ctx: AppContext) => ctx.models.Appeal.countDocuments();\n' },
    { file: 'server/core/planted.ts', text: "export const m = (conn: Connection) => conn.model('Thing', schema);\n" },
  ];
  expect(reaches(planted)).toEqual([
    'server/core/planted.ts → conn.model() outside ownModel',
    'server/news/planted.ts → a registry of every model',
    'server/notices/planted.ts → outboxModels (outbox)',
  ]);
});

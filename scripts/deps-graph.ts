/**
 * The arrows between server features, as a mermaid flowchart in docs/ARCHITECTURE.md, generated
 * from dependency-cruiser (the same tool and rules as `npm run deps`), so the drawing cannot drift:
 * tests/server/dependency-rules.test.ts fails when the block in the document is not what this
 * prints. The platform (core/, db/, context.ts), the composition root (main/server/app/models.ts)
 * and common/ are left out: every feature may use them.
 *
 *   npx tsx scripts/deps-graph.ts           print the block
 *   npx tsx scripts/deps-graph.ts --write   put it into docs/ARCHITECTURE.md
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'ARCHITECTURE.md');
export const BEGIN = '<!-- feature-graph:begin (npx tsx scripts/deps-graph.ts --write) -->';
export const END = '<!-- feature-graph:end -->';
const NOT_FEATURES = new Set(['core', 'db', 'seed']);

/** `feature → feature` arrows between server/<feature>/ folders, sorted. */
export function featureArrows(): string[] {
  const out = execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'server',
      '--config',
      path.join(ROOT, '.dependency-cruiser.cjs'),
      '--include-only',
      '^server/',
      '--collapse',
      '^server/[^/]+/',
      '--output-type',
      'text',
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const arrows = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /^server\/([^/]+)\/ → server\/([^/]+)\/$/.exec(line.trim());
    if (!m || m[1] === m[2] || NOT_FEATURES.has(m[1]!) || NOT_FEATURES.has(m[2]!)) continue;
    arrows.add(`${m[1]} → ${m[2]}`);
  }
  return [...arrows].sort();
}

/** The block for the document: a mermaid flowchart, one arrow a line. */
export function graphBlock(arrows = featureArrows()): string {
  const id = (name: string) => name.replace(/-/g, '_');
  const lines = arrows.map((a) => {
    const [from, to] = a.split(' → ') as [string, string];
    return `  ${id(from)}[${from}] --> ${id(to)}[${to}]`;
  });
  return [BEGIN, '```mermaid', 'flowchart LR', ...lines, '```', END].join('\n');
}

/** The block as the document has it now. */
export function documentedBlock(text = readFileSync(DOC, 'utf8')): string | null {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  return a < 0 || b < a ? null : text.slice(a, b + END.length);
}

if (require.main === module) {
  const block = graphBlock();
  if (process.argv.includes('--write')) {
    const text = readFileSync(DOC, 'utf8');
    const old = documentedBlock(text);
    if (!old) throw new Error(`docs/ARCHITECTURE.md has no ${BEGIN} … ${END} block`);
    writeFileSync(DOC, text.replace(old, block));
    console.log('docs/ARCHITECTURE.md: feature graph written');
  } else {
    console.log(block);
  }
}

// The allowed arrows between the parts of Xianrong (docs/ARCHITECTURE.md "Layers and arrows").
// `npm test` runs this rule set (tests/server/dependency-rules.test.ts): a new arrow against it
// fails the suite. Arrows that were there when the rules came are listed, one by one, in
// .dependency-cruiser-known-violations.json; that list only ever shrinks as features move behind
// their faces (issue: one feature, one folder that owns its data).
//
// - The platform (server/core, server/db, server/context.ts) imports no feature.
// - A feature imports another feature only through that feature's index.ts (its face).
// - The mini-program (src/) and the bot (bot/) import from the server only types (`import type`),
//   and values only from common/, which imports nothing of the project.
// - No cycles.
const FEATURE = '^server/(?!core/|db/|context\\.ts|main\\.ts|server\\.ts|app\\.ts)([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-feature',
      comment: 'server/core, server/db and the context are the platform: they know no feature (features register with them).',
      severity: 'error',
      from: { path: '^server/(core/|db/|context\\.ts)' },
      to: { path: FEATURE },
    },
    {
      name: 'feature-through-its-face',
      comment: "A feature reaches another feature only through its index.ts, never its models, services or routes.",
      severity: 'error',
      from: { path: '^server/([^/]+)/' },
      to: {
        path: FEATURE,
        pathNot: ['^server/$1/', '^server/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'clients-take-server-types-only',
      comment: 'The mini-program and the bot use the server only for its API types (import type); shared values live in common/.',
      severity: 'error',
      from: { path: '^(src|bot)/' },
      to: { path: '^server/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'common-stands-alone',
      comment: 'common/ is bundled by the mini-program and used by the bot: it imports nothing of the project.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(server|src|bot|scripts|tests)/' },
    },
    {
      name: 'server-not-from-scripts',
      comment: 'Starting the server never builds anything: machine preparation (scripts/) is not imported by server code.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'no-cycles',
      comment: 'No cycle of runtime imports (a cycle made only through `import type` is erased at build and harmless).',
      severity: 'error',
      from: { path: '^(server|bot|src|common)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.cache|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json'] },
  },
};

// Import boundaries (npm run lint:deps). The rules restate the code layout of
// README "Architecture": app/ composes lib/, each lib/ folder is one capability, and a
// module's suffix says where it may run (.server: Node only, .client: browser only, no
// suffix: anywhere).

// Files in lib/ that must stay importable anywhere: no environment suffix, and not a
// test or a worker entry (tests may reach server modules; a worker runs in the browser).
const pureLib = '^lib/.+(?<![.](server|client|worker|test|test-d))[.]tsx?$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-capability-cycle',
      comment: 'Two lib/ capability folders depend on each other (lib/a → lib/b → lib/a). Move what both need into one of them, or into a third folder that both import.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^lib/' },
      to: { path: '^lib/', circular: true },
    },
    {
      name: 'no-module-cycle',
      comment: 'Modules that import each other, directly or through others: split out what they share.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-app',
      comment: 'lib/ holds capabilities; app/ holds routes that compose them, never the other way round.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^app/' },
    },
    {
      name: 'pure-not-server',
      comment:
        'A module without a suffix is pure (importable in Node and the browser), so it cannot pull in a .server module (a type-only import is erased at build time and allowed).',
      severity: 'error',
      from: { path: pureLib },
      to: { path: '[.]server[.]tsx?$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-not-client',
      comment:
        'A pure .ts module (importable in Node and the browser) cannot pull in a .client module; a server component (.tsx) may render client components, as React Server Components do.',
      severity: 'error',
      from: { path: pureLib, pathNot: '[.]tsx$' },
      to: { path: '[.]client[.]tsx?$' },
    },
    {
      name: 'client-not-server',
      comment: 'Browser code cannot import server-only code; send the data through a route instead.',
      severity: 'error',
      from: { path: '[.]client[.]tsx?$' },
      to: { path: '[.]server[.]tsx?$' },
    },
  ],
  options: {
    includeOnly: '^((app|lib)/|proxy[.]ts$)',
    // Tests may reach across capabilities (and into .server modules) to check them.
    exclude: { path: ['^lib/db/generated/', '[.]test(-d)?[.]tsx?$'] },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a cycle through types is still two folders that know each other.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
}

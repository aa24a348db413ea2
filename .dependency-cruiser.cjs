// The walls of docs/DESIGN.md ("Layout", "Rules for the walls"), checked by test/architecture/walls.test.ts.
// A rule names the wall; a violation prints the importing file and the import it may not make.

const PURE = '^src/(slo|report|metrics|compare)/';
// What a pure module may not use: sockets, processes, files, threads, the network clients.
const IO_MODULES = '^(node:)?(fs|fs/promises|net|tls|http|https|http2|dgram|dns|child_process|cluster|worker_threads|readline)$|^node_modules/(pg|pg-copy-streams|ioredis|undici|autocannon|playwright-core)/';
// The I/O shell of the harness: the engine, the collectors, the lab, run wiring, the CLI, the run directory's
// readers and writers. engine/random.ts (the seeded PRNG) is pure and shared.
const SHELL = '^src/(engine/(?!random\\.ts$)|collectors/|lab/|run/|cli/|results/(read|run-dir-writer|atomic-write|find-runs|git-info)\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'target-is-separate',
      comment: 'target/ is a separate service: it imports nothing from the harness.',
      severity: 'error',
      from: { path: '^src/target/' },
      to: { path: '^src/', pathNot: '^src/target/' },
    },
    {
      name: 'harness-never-imports-target',
      comment: 'The harness never imports the reference service; the lab starts it as a child process.',
      severity: 'error',
      from: { path: '^(src|bin|scenarios)/', pathNot: '^src/target/' },
      to: { path: '^src/target/' },
    },
    {
      name: 'pure-core-does-no-io',
      comment: 'slo/, report/, metrics/ and compare/ are pure: data in, data or strings out. No file, socket or process, not even through a module they import.',
      severity: 'error',
      from: { path: PURE },
      to: { path: IO_MODULES, reachable: true },
    },
    {
      name: 'pure-core-stays-out-of-the-shell',
      comment: 'slo/, report/, metrics/ and compare/ never import the engine, collectors, lab, run wiring, CLI or the run-directory I/O (a type-only import of a record shape is fine).',
      severity: 'error',
      from: { path: PURE },
      to: { path: SHELL, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'metrics-is-the-bottom',
      comment: 'metrics/ is the lowest layer: it imports no other part of the harness but the record shapes (results/format.ts).',
      severity: 'error',
      from: { path: '^src/metrics/' },
      to: { path: '^src/', pathNot: '^src/(metrics/|results/format\\.ts$|errors\\.ts$)' },
    },
    {
      name: 'slo-does-not-render',
      comment: 'slo/ judges; report/ renders the verdict. slo/ may use only the one value formatter, report/format-values.ts (a leaf).',
      severity: 'error',
      from: { path: '^src/slo/' },
      to: { path: '^src/report/', pathNot: '^src/report/format-values\\.ts$' },
    },
    {
      name: 'collectors-only-emit-samples',
      comment: 'Collectors emit samples; they never decide pass or fail, nor render.',
      severity: 'error',
      from: { path: '^src/collectors/' },
      to: { path: '^src/(slo|report|compare|run|cli)/' },
    },
    {
      name: 'cli-is-the-top',
      comment: 'Nothing in the library imports the CLI.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between modules (type-only imports aside).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
